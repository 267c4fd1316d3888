// RocketMQCluster's `metrics` input: the brokers', proxies' and standalone controllers' Prometheus exporter (on by default),
// the Services that make it scrapeable, and optionally the Prometheus Operator's ServiceMonitor or PodMonitor.
import { z } from "zod";
import { imageTag } from "./images";

/**
 * The exporter port (metricsPromExporterPort's default) of brokers, proxies and controllers, named
 * `metrics` on pods and Services. A broker binds it on brokerIP1, a proxy or a controller on every
 * address of its pod (0.0.0.0).
 */
export const metricsPort = 5557;
export const metricsPath = "/metrics";
/** Brokers export Prometheus metrics from this release on. */
export const firstVersionWithMetrics = [5, 1, 0] as const;
/** Controllers export Prometheus metrics from this release on (their ControllerMetricsManager). */
export const firstControllerVersionWithMetrics = [5, 1, 2] as const;

const prometheusDurationPattern = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

export const metricsSpecSchema = z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    serviceMonitor: z.boolean({ error: "must be true or false" }).default(false),
    podMonitor: z.boolean({ error: "must be true or false" }).default(false),
    interval: z.string({ error: "must be a Prometheus duration such as \"30s\" or \"1m\"" })
        .refine((value) => value !== "" && prometheusDurationPattern.test(value), { error: "must be a Prometheus duration such as \"30s\" or \"1m\"" })
        .optional(),
    monitorLabels: z.record(z.string(), z.string({ error: "label values must be strings" })).optional(),
}).superRefine((metrics, ctx) => {
    for (const monitor of ["serviceMonitor", "podMonitor"] as const) {
        if (metrics[monitor] && !metrics.enabled) {
            ctx.addIssue({ code: "custom", path: [monitor], message: `${monitor} needs metrics.enabled true: it would scrape an exporter that is off` });
        }
    }
    if (metrics.serviceMonitor && metrics.podMonitor) {
        ctx.addIssue({ code: "custom", path: ["podMonitor"], message: "set serviceMonitor or podMonitor, not both: each would scrape every broker, so Prometheus would store every series twice" });
    }
});

/** broker.conf and rmq-proxy.json keys the provider renders while metrics are on. */
export const metricsConfigKeys = ["metricsExporterType", "metricsPromExporterPort"];
/** rmq-proxy.json keys refused while the proxies export metrics: with a host, the Service's port could reach nothing. */
export const proxyMetricsConfigKeys = [...metricsConfigKeys, "metricsPromExporterHost"];

/** Whether brokers of this image export Prometheus metrics: 5.1.0 on, and any image whose tag is no version. */
export function brokerImageHasMetrics(image: string): boolean {
    return imageIsAtLeast(image, firstVersionWithMetrics);
}

/** Whether standalone controllers of this image export Prometheus metrics: 5.1.2 on, and any image whose tag is no version. */
export function controllerImageHasMetrics(image: string): boolean {
    return imageIsAtLeast(image, firstControllerVersionWithMetrics);
}

function imageIsAtLeast(image: string, first: readonly [number, number, number]): boolean {
    const version = /^(\d+)\.(\d+)\.(\d+)/.exec(imageTag(image) ?? "")?.slice(1).map(Number);
    if (!version) {
        return true;
    }
    const index = version.findIndex((part, i) => part !== first[i]);
    return index === -1 || version[index] > first[index];
}

interface MetricsRuleInputs {
    metrics: { enabled: boolean; serviceMonitor: boolean; podMonitor: boolean };
    broker: { image: string; brokerConfig?: { properties?: Record<string, string> } };
    proxy?: { enabled: boolean; image?: string; properties?: Record<string, string> };
}

/** Whether the proxies run the exporter: metrics and proxies on, and an image that has it. */
export function proxiesExportMetrics(metricsEnabled: boolean, proxyEnabled: boolean, proxyImage: string): boolean {
    return metricsEnabled && proxyEnabled && brokerImageHasMetrics(proxyImage);
}

/** Rules tying `metrics` to the brokers: what a monitor needs of the image, and which keys the exporter owns. */
export function checkMetricsRules(args: MetricsRuleInputs, ctx: z.RefinementCtx) {
    const { metrics, broker, proxy } = args;
    if (proxy && proxiesExportMetrics(metrics.enabled, proxy.enabled, proxy.image ?? broker.image)) {
        for (const key of proxyMetricsConfigKeys) {
            if (proxy.properties?.[key] !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["proxy", "properties", key],
                    message: `${key} is set by the provider while metrics.enabled is true (PROM on port ${metricsPort} of every address of the pod); set metrics.enabled false to export metrics another way`,
                });
            }
        }
    }
    if (!brokerImageHasMetrics(broker.image)) {
        for (const monitor of ["serviceMonitor", "podMonitor"] as const) {
            if (metrics[monitor]) {
                ctx.addIssue({
                    code: "custom",
                    path: ["metrics", monitor],
                    message: `broker.image ${broker.image} exports no metrics (RocketMQ brokers export Prometheus metrics from ${firstVersionWithMetrics.join(".")} on): use a newer image or turn ${monitor} off`,
                });
            }
        }
        return;
    }
    if (!metrics.enabled) {
        return;
    }
    for (const key of metricsConfigKeys) {
        if (broker.brokerConfig?.properties?.[key] !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["broker", "brokerConfig", "properties", key],
                message: `${key} is set by the provider while metrics.enabled is true (PROM on port ${metricsPort}); set metrics.enabled false to export metrics another way`,
            });
        }
    }
}
