// Prometheus metrics of RocketMQCluster: the exporter's broker.conf keys and port, the metrics
// Service, the Prometheus Operator's objects, the output that says where to scrape, the images
// without metrics, and the check that the monitor's CRD is in the cluster.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { validateClusterArgs } from "../src/inputs/cluster";
import { rocketMQClusterHandlerWith } from "../src/resources/rocketMQCluster";
import { constructCluster, kind, renderCluster, registrationsDuring, useMocks } from "./clusterHarness";

function confLines(text: string): Record<string, string> {
    return Object.fromEntries(text.trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const brokerStatefulSets = ["broker-0-master", "broker-0-replica-1", "broker-1-master", "broker-1-replica-1"];

describe("RocketMQCluster metrics", () => {
    it("by default, every broker exports Prometheus metrics on a port named metrics, behind one Service, and the output lists each target", async () => {
        const rendered = await renderCluster({ namespace: "mq", broker: { size: 2 } }, "prom");
        for (const config of ["master.conf", "replica-1.conf"]) {
            const conf = confLines(rendered.object(kind.configMap, "broker-1-config").data[config]);
            assert.strictEqual(conf.metricsExporterType, "PROM", config);
            assert.strictEqual(conf.metricsPromExporterPort, "5557", config);
            // The exporter binds brokerIP1, the pod IP the container appends.
            assert.strictEqual(conf.metricsPromExporterHost, undefined, config);
        }
        const service = rendered.object(kind.service, "broker-metrics");
        assert.strictEqual(service.spec.clusterIP, "None");
        assert.deepStrictEqual(service.spec.ports, [{ name: "metrics", port: 5557, targetPort: 5557 }]);
        for (const name of brokerStatefulSets) {
            const statefulSet = rendered.object(kind.statefulSet, name);
            const ports = statefulSet.spec.template.spec.containers[0].ports;
            assert.deepStrictEqual(ports.find((port: any) => port.name === "metrics"), { name: "metrics", containerPort: 5557 }, name);
            assert.ok(matches(service.spec.selector, statefulSet.spec.template.metadata.labels), `the Service selects ${name}`);
        }
        assert.ok(!matches(service.spec.selector, rendered.object(kind.statefulSet, "name-service").spec.template.metadata.labels));
        assert.deepStrictEqual(rendered.outputs.metricsEndpoints, [{
            component: "broker",
            serviceName: "broker-metrics",
            portName: "metrics",
            port: 5557,
            path: "/metrics",
            targets: [
                "broker-0-master-0.broker-0.mq.svc.cluster.local:5557",
                "broker-0-replica-1-0.broker-0.mq.svc.cluster.local:5557",
                "broker-1-master-0.broker-1.mq.svc.cluster.local:5557",
                "broker-1-replica-1-0.broker-1.mq.svc.cluster.local:5557",
            ],
        }]);
        assert.ok(!rendered.names().some((name) => name.startsWith("ServiceMonitor") || name.startsWith("PodMonitor")));
    });

    it("turned off, renders no exporter, port or Service, and no endpoint", async () => {
        const rendered = await renderCluster({ metrics: { enabled: false } });
        assert.strictEqual(confLines(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]).metricsExporterType, undefined);
        assert.ok(!container(rendered.object(kind.statefulSet, "broker-0-master")).ports.some((port: any) => port.name === "metrics"));
        assert.ok(!rendered.names().includes("Service broker-metrics"));
        assert.deepStrictEqual(rendered.outputs.metricsEndpoints, []);
    });

    it("leaves metrics off for brokers older than 5.1.0, which have no exporter", async () => {
        const rendered = await renderCluster({ nameServer: { image: "apache/rocketmq:4.9.7" }, broker: { image: "apache/rocketmq:4.9.7" } });
        assert.strictEqual(confLines(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]).metricsExporterType, undefined);
        assert.ok(!container(rendered.object(kind.statefulSet, "broker-0-master")).ports.some((port: any) => port.name === "metrics"));
        assert.ok(!rendered.names().includes("Service broker-metrics"));
        assert.deepStrictEqual(rendered.outputs.metricsEndpoints, []);
        const newer = await renderCluster({ broker: { image: "apache/rocketmq:5.1.0" } });
        assert.strictEqual(confLines(newer.object(kind.configMap, "broker-0-config").data["master.conf"]).metricsExporterType, "PROM");
    });

    it("creates a ServiceMonitor selecting only the metrics Service, with the interval and the labels Prometheus selects on", async () => {
        const rendered = await renderCluster({ namespace: "mq", metrics: { serviceMonitor: true, interval: "15s", monitorLabels: { release: "prometheus" } } }, "monitored");
        const monitor = rendered.object(kind.serviceMonitor, "broker-metrics");
        assert.strictEqual(monitor.apiVersion, "monitoring.coreos.com/v1");
        assert.strictEqual(monitor.metadata.namespace, "mq");
        assert.strictEqual(monitor.metadata.labels.release, "prometheus");
        assert.deepStrictEqual(monitor.spec.namespaceSelector, { matchNames: ["mq"] });
        assert.deepStrictEqual(monitor.spec.endpoints, [{ port: "metrics", path: "/metrics", interval: "15s" }]);
        const services = rendered.objects.filter((object) => object.type === kind.service);
        const selected = services.filter((service) => matches(monitor.spec.selector.matchLabels, service.inputs.metadata.labels));
        assert.deepStrictEqual(selected.map((service) => service.inputs.metadata.name), ["broker-metrics"]);
        assert.strictEqual((rendered.outputs.metricsEndpoints as any[])[0].monitorKind, "ServiceMonitor");
        assert.strictEqual((rendered.outputs.metricsEndpoints as any[])[0].monitorName, "broker-metrics");
    });

    it("creates a PodMonitor selecting every broker pod and no other", async () => {
        const rendered = await renderCluster({ broker: { size: 2 }, metrics: { podMonitor: true } });
        const monitor = rendered.object(kind.podMonitor, "broker-metrics");
        assert.deepStrictEqual(monitor.spec.podMetricsEndpoints, [{ port: "metrics", path: "/metrics" }]);
        for (const name of brokerStatefulSets) {
            assert.ok(matches(monitor.spec.selector.matchLabels, rendered.object(kind.statefulSet, name).spec.template.metadata.labels), name);
        }
        assert.ok(!matches(monitor.spec.selector.matchLabels, rendered.object(kind.statefulSet, "name-service").spec.template.metadata.labels));
        assert.ok(!rendered.names().some((name) => name.startsWith("ServiceMonitor")));
    });

    it("with proxies, the ServiceMonitor selects the brokers' and the proxies' metrics Services, the PodMonitor their pods, and nothing else", async () => {
        const proxies = { nameServer: { size: 1 }, console: { enabled: false }, proxy: { enabled: true } };
        const serviceMonitored = await renderCluster({ ...proxies, metrics: { serviceMonitor: true } }, "svcmon");
        const serviceMonitor = serviceMonitored.object(kind.serviceMonitor, "broker-metrics");
        const services = serviceMonitored.objects.filter((object) => object.type === kind.service);
        assert.deepStrictEqual(services.filter((service) => matches(serviceMonitor.spec.selector.matchLabels, service.inputs.metadata.labels)).map((service) => service.inputs.metadata.name).sort(),
            ["broker-metrics", "proxy-metrics"]);
        assert.deepStrictEqual((serviceMonitored.outputs.metricsEndpoints as any[]).map((endpoint) => [endpoint.component, endpoint.monitorKind, endpoint.monitorName]),
            [["broker", "ServiceMonitor", "broker-metrics"], ["proxy", "ServiceMonitor", "broker-metrics"]]);

        const podMonitored = await renderCluster({ ...proxies, metrics: { podMonitor: true } }, "podmon");
        const podMonitor = podMonitored.object(kind.podMonitor, "broker-metrics");
        const picks = (labels: Record<string, string>) => matches(podMonitor.spec.selector.matchLabels, labels) &&
            podMonitor.spec.selector.matchExpressions.every((expression: any) => expression.operator === "In" && expression.values.includes(labels[expression.key]));
        const podsOf = (name: string, type: string) => podMonitored.object(type, name).spec.template.metadata.labels;
        assert.ok(picks(podsOf("broker-0-master", kind.statefulSet)));
        assert.ok(picks(podsOf("broker-0-replica-1", kind.statefulSet)));
        assert.ok(picks(podsOf("proxy", kind.deployment)));
        assert.ok(!picks(podsOf("name-service", kind.statefulSet)));
    });

    for (const bad of [
        { args: { metrics: { enabled: false, serviceMonitor: true } }, property: "metrics.serviceMonitor", reason: /needs metrics.enabled true/ },
        { args: { metrics: { serviceMonitor: true, podMonitor: true } }, property: "metrics.podMonitor", reason: /not both/ },
        { args: { metrics: { interval: "30 seconds" } }, property: "metrics.interval", reason: /Prometheus duration/ },
        { args: { metrics: { enabled: "yes" } }, property: "metrics.enabled", reason: /true or false/ },
        { args: { broker: { image: "apache/rocketmq:4.9.7" }, metrics: { podMonitor: true } }, property: "metrics.podMonitor", reason: /apache\/rocketmq:4.9.7 exports no metrics .*from 5.1.0 on/ },
        { args: { broker: { brokerConfig: { properties: { metricsExporterType: "OTLP_GRPC" } } } }, property: "broker.brokerConfig.properties.metricsExporterType", reason: /set by the provider while metrics.enabled is true/ },
        { args: { broker: { brokerConfig: { properties: { metricsPromExporterPort: "9000" } } } }, property: "broker.brokerConfig.properties.metricsPromExporterPort", reason: /set metrics.enabled false/ },
    ]) {
        it(`refuses ${JSON.stringify(bad.args)} at ${bad.property}`, () => {
            const validation = validateClusterArgs(bad.args);
            const failures = validation.ok ? [] : validation.failures;
            const failure = failures.find((candidate) => candidate.property === bad.property);
            assert.ok(failure, `no failure at ${bad.property}; got ${JSON.stringify(failures)}`);
            assert.match(failure.reason, bad.reason);
        });
    }

    it("takes the exporter keys in properties once metrics are off", () => {
        assert.ok(validateClusterArgs({ metrics: { enabled: false }, broker: { brokerConfig: { properties: { metricsExporterType: "OTLP_GRPC" } } } }).ok);
    });

    describe("the monitor's CRD", () => {
        const served = (...kinds: string[]) => async () => ({ kinds: new Set(kinds), server: "https://api.example:6443" });

        it("missing from the cluster, refuses the input naming it and the CRD, and creates nothing", async () => {
            const handler = rocketMQClusterHandlerWith(served());
            let error: unknown;
            const { count } = await registrationsDuring(() => {
                handler.construct("no-crd", { metrics: { serviceMonitor: true } }, {}).catch((caught) => { error = caught; });
            });
            await new Promise((resolve) => setTimeout(resolve, 20));
            assert.ok(error instanceof pulumi.InputPropertiesError, String(error));
            assert.match((error as Error).message, /metrics.serviceMonitor: the cluster at https:\/\/api.example:6443 has no ServiceMonitor \(monitoring.coreos.com\/v1\): the Prometheus Operator's CRD servicemonitors.monitoring.coreos.com must be installed first/);
            assert.strictEqual(count, 0);
        });

        it("served, creates the monitor", async () => {
            const cluster = await constructCluster({ metrics: { podMonitor: true } }, "with-crd", rocketMQClusterHandlerWith(served("ServiceMonitor", "PodMonitor")));
            assert.ok(cluster.names().includes("PodMonitor broker-metrics"));
        });

        it("is not read when no monitor is asked for, or while the input is unknown", async () => {
            let reads = 0;
            const handler = rocketMQClusterHandlerWith(async () => { reads++; return { kinds: new Set(), server: "x" }; });
            await constructCluster({}, "no-monitor", handler);
            useMocks("preview");
            try {
                await constructCluster({ metrics: { serviceMonitor: pulumi.output(pulumi.unknown) } }, "unknown-monitor", handler);
            } finally {
                useMocks("up");
            }
            assert.strictEqual(reads, 0);
        });
    });
});

function container(workload: any): any {
    return workload.spec.template.spec.containers[0];
}
