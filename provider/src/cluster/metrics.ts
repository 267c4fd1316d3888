// Prometheus metrics of the brokers: a headless Service `<broker>-metrics` over every broker pod of
// the cluster with the port `metrics` (5557), and, when asked, the Prometheus Operator's
// ServiceMonitor or PodMonitor `<broker>-metrics` that scrapes it. The exporter itself is broker.conf
// (brokerConfig.ts) and the container port (brokers.ts). Name servers export no metrics.
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

/** Where Prometheus scrapes one kind of RocketMQ process: the component's metricsEndpoints output. */
export interface MetricsEndpoint {
    component: "broker";
    serviceName: string;
    portName: string;
    port: number;
    path: string;
    /** `host:port` of every pod, by its stable DNS name. */
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

export interface MetricsObjects {
    service: k8s.core.v1.Service;
    monitor?: k8s.apiextensions.CustomResource;
}

/** The Service (and monitor) of the brokers' metrics; call only when the brokers export them. */
export function createBrokerMetrics(context: ClusterContext, brokerPrefix: string, monitorKind: MonitorKind | undefined): MetricsObjects {
    const { args } = context;
    const serviceName = brokerMetricsServiceName(brokerPrefix);
    const labels = mergeRecords(
        objectLabels(context.instanceLabel, "broker", imageVersionLabel(args.broker.image), userLabels(context)),
        { [metricsServiceLabel]: "true" },
    );
    const podSelector = selectorLabels(context.instanceLabel, "broker");
    const opts = { parent: context.parent };
    const service = new k8s.core.v1.Service(childName(context, serviceName), {
        metadata: metadataOf(context, serviceName, labels),
        spec: {
            clusterIP: "None",
            selector: podSelector,
            ports: [{ name: metricsPortName, port: metricsPort, targetPort: metricsPort }],
        },
    }, opts);
    if (monitorKind === undefined) {
        return { service };
    }
    const endpoint = derive(args.metrics.interval, (interval) => ({
        port: metricsPortName,
        path: metricsPath,
        ...(interval !== undefined ? { interval } : {}),
    }));
    const spec = monitorKind === "ServiceMonitor"
        ? {
            selector: { matchLabels: { "app.kubernetes.io/instance": context.instanceLabel, "app.kubernetes.io/component": "broker", [metricsServiceLabel]: "true" } },
            namespaceSelector: { matchNames: [args.namespace] },
            endpoints: [endpoint],
        }
        : {
            selector: { matchLabels: podSelector },
            namespaceSelector: { matchNames: [args.namespace] },
            podMetricsEndpoints: [endpoint],
        };
    const monitor = new k8s.apiextensions.CustomResource(childName(context, `${serviceName}-${monitorKind.toLowerCase()}`), {
        apiVersion: monitoringApiVersion,
        kind: monitorKind,
        metadata: metadataOf(context, serviceName, mergeRecords(labels, args.metrics.monitorLabels as StringMap | undefined)),
        spec,
    }, { ...opts, dependsOn: [service] });
    return { service, monitor };
}
