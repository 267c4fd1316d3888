// Benchmark: how fast the plugin is ready for the engine, beside a bare `node -e 0`, and its
// memory once it has served the schema. Prints medians of five runs measured in this one run.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { startPlugin, unary } from "../support/plugin";

const RUNS = 5;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
}

async function main(): Promise<void> {
    const bareNode: number[] = [];
    const toPort: number[] = [];
    const rss: number[] = [];
    for (let run = 0; run < RUNS; run++) {
        const nodeStart = process.hrtime.bigint();
        spawnSync(process.execPath, ["-e", "0"]);
        bareNode.push(Number(process.hrtime.bigint() - nodeStart) / 1e6);

        const pluginStart = process.hrtime.bigint();
        const plugin = await startPlugin();
        toPort.push(Number(process.hrtime.bigint() - pluginStart) / 1e6);
        await unary(plugin.client.getSchema.bind(plugin.client), new providerProto.GetSchemaRequest());
        rss.push(rssMiB(plugin.process.pid!));
        await plugin.stop();
    }
    const plugin = median(toPort);
    const node = median(bareNode);
    console.log(`plugin start to port: median ${plugin.toFixed(0)} ms of ${RUNS}`);
    console.log(`node -e 0:            median ${node.toFixed(0)} ms of ${RUNS}`);
    console.log(`ratio plugin / bare node: ${(plugin / node).toFixed(2)}`);
    console.log(`plugin RSS after GetSchema: median ${median(rss).toFixed(1)} MiB`);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
