// Scraping a Prometheus exporter as Prometheus does: an HTTP GET of /metrics, read as the text
// exposition format.
import * as http from "node:http";

export interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
}

/** Prometheus text exposition: the samples, and the metric families its TYPE lines declare. */
export function parseExposition(text: string): { families: string[]; samples: Sample[] } {
    const families: string[] = [];
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
        const type = /^# TYPE (\S+) \S+/.exec(line);
        if (type) families.push(type[1]);
        if (line === "" || line.startsWith("#")) continue;
        const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
        if (!sample) continue;
        const labels: Record<string, string> = {};
        for (const [, key, value] of (sample[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
        samples.push({ name: sample[1], labels, value: Number(sample[3]) });
    }
    return { families, samples };
}

export function httpGet(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, { timeout: 10_000 }, (response) => {
            let body = "";
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${response.statusCode}`))));
        }).on("error", reject).on("timeout", function (this: http.ClientRequest) { this.destroy(new Error(`${url}: timed out`)); });
    });
}

/** The sum of the samples of `name` whose labels include `labels`. */
export const sumOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) => samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
