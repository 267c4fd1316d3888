// Prometheus metrics of the brokers, proxies and standalone controllers: a headless Service per kind of
// process, `<broker>-metrics` over every broker pod of the cluster, `proxy-metrics` over the proxies and
// `controller-metrics` over the controllers, with the port `metrics` (5557), and, when asked, the
// Prometheus Operator's ServiceMonitor or PodMonitor `<broker>-metrics` that scrapes them all. The
// exporters themselves are broker.conf (brokerConfig.ts), rmq-proxy.json (proxy.ts) and controller.conf
// (controller.ts), with the container ports. Name servers, and the controllers they embed, export none.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { brokerImageHasMetrics, metricsPath, metricsPort } from "../inputs/metrics";
import { ClusterContext, childName, metadataOf, StringMap, userLabels } from "./context";
import { derive, mergeRecords } from "./derive";
import { imageVersionLabel, objectLabels, selectorLabels } from "./labels";

export const metricsPortName = "metrics";
/** Marks the Services that carry a metrics port, so a ServiceMonitor selects only them. */
export const metricsServiceLabel = "rocketmq/metrics";
export const monitoringApiVersion = "monitoring.coreos.com/v1";
export type MonitorKind = "ServiceMonitor" | "PodMonitor";
/** The kinds of process that export metrics. */
export type MetricsComponent = "broker" | "proxy" | "controller";

export const proxyMetricsServiceName = "proxy-metrics";
export const controllerMetricsServiceName = "controller-metrics";

/** Where Prometheus scrapes one kind of RocketMQ process: the component's metricsEndpoints output. */
export interface MetricsEndpoint {
    component: MetricsComponent;
    serviceName: string;
    portName: string;
    port: number;
    path: string;
    /** `host:port` of every broker or controller pod by its stable DNS name; for proxies the metrics Service's name, which resolves to every proxy pod. */
    targets: string[];
    /** The ServiceMonitor or PodMonitor that scrapes them, when one was asked for. */
    monitorKind?: MonitorKind;
    monitorName?: string;
}

/** Whether the brokers run the exporter: metrics on and an image that has it. */
export function exportsMetrics(context: ClusterContext): pulumi.Input<boolean> {
    const { metrics, broker } = context.args;
    return derive([metrics.enabled, broker.image] as const, ([enabled, image]) => enabled && brokerImageHasMetrics(image));
}

export function brokerMetricsServiceName(brokerPrefix: string): string {
    return `${brokerPrefix}-metrics`;
}

/** A headless Service over the pods of one kind of process that carries their `metrics` port. */
export function createMetricsService(context: ClusterContext, component: MetricsComponent, serviceName: string, image: pulumi.Input<string>): k8s.core.v1.Service {
    const labels = mergeRecords(
        objectLabels(context.instanceLabel, component, imageVersionLabel(image), userLabels(context)),
        { [metricsServiceLabel]: "true" },
    );
    return new k8s.core.v1.Service(childName(context, serviceName), {
        metadata: metadataOf(context, serviceName, labels),
        spec: {
            clusterIP: "None",
            selector: selectorLabels(context.instanceLabel, component),
            ports: [{ name: metricsPortName, port: metricsPort, targetPort: metricsPort }],
        },
    }, { parent: context.parent });
}

/**
 * The Prometheus Operator's ServiceMonitor or PodMonitor `name`: it scrapes every metrics Service of
 * the cluster (ServiceMonitor) or every pod of the `components` (PodMonitor).
 */
export function createMonitor(
    context: ClusterContext,
    name: string,
    monitorKind: MonitorKind,
    components: MetricsComponent[],
    services: k8s.core.v1.Service[],
): k8s.apiextensions.CustomResource {
    const { args } = context;
    const instance = { "app.kubernetes.io/instance": context.instanceLabel };
    const labels = mergeRecords(objectLabels(context.instanceLabel, "broker", imageVersionLabel(args.broker.image), userLabels(context)), { [metricsServiceLabel]: "true" });
    const endpoint = derive(args.metrics.interval, (interval) => ({
        port: metricsPortName,
        path: metricsPath,
        ...(interval !== undefined ? { interval } : {}),
    }));
    // Brokers alone keep the selectors a broker-only cluster always had; with proxies or controllers the
    // component label is left out (ServiceMonitor: every metrics Service) or matched by an expression (PodMonitor).
    const one = components.length === 1 ? { "app.kubernetes.io/component": components[0] } : {};
    const spec = monitorKind === "ServiceMonitor"
        ? {
            selector: { matchLabels: { ...instance, ...one, [metricsServiceLabel]: "true" } },
            namespaceSelector: { matchNames: [args.namespace] },
            endpoints: [endpoint],
        }
        : {
            selector: components.length === 1
                ? { matchLabels: selectorLabels(context.instanceLabel, components[0]) }
                : { matchLabels: { "app.kubernetes.io/name": "rocketmq", ...instance }, matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: components }] },
            namespaceSelector: { matchNames: [args.namespace] },
            podMetricsEndpoints: [endpoint],
        };
    return new k8s.apiextensions.CustomResource(childName(context, `${name}-${monitorKind.toLowerCase()}`), {
        apiVersion: monitoringApiVersion,
        kind: monitorKind,
        metadata: metadataOf(context, name, mergeRecords(labels, args.metrics.monitorLabels as StringMap | undefined)),
        spec,
    }, { parent: context.parent, dependsOn: services });
}
