import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { validateClusterArgs } from "../src/inputs/cluster";
import { constructCluster, kind, renderCluster } from "./clusterHarness";

const secretText = "s3cr3t-proxy-key";

/** A secret as the engine sends it: a signature object around the value. */
function rpcSecret(value: unknown): unknown {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

/** Paths where `text` appears in a value that is not wrapped as secret. */
function plaintextPaths(value: any, text: string, path = ""): string[] {
    if (value !== null && typeof value === "object" && value[rpc.specialSigKey] === rpc.specialSecretSig) return [];
    if (typeof value === "string") return value.includes(text) ? [path] : [];
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, element]) => plaintextPaths(element, text, `${path}.${key}`));
    return [];
}

function unwrapped(value: any): any {
    if (value !== null && typeof value === "object" && value[rpc.specialSigKey] === rpc.specialSecretSig) return unwrapped(value.value);
    if (Array.isArray(value)) return value.map(unwrapped);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, unwrapped(element)]));
    return value;
}

function container(workload: any): any {
    return workload.spec.template.spec.containers[0];
}

function envOf(workload: any): Record<string, any> {
    return Object.fromEntries(container(workload).env.map((env: any) => [env.name, env.value ?? env.valueFrom]));
}

const cheap = { nameServer: { size: 1 }, broker: { replicaPerGroup: 0 }, console: { enabled: false } };

describe("RocketMQCluster proxies", () => {
    it("deploys no proxy unless enabled, and outputs no endpoint", async () => {
        const rendered = await renderCluster(cheap);
        assert.ok(!rendered.names().some((name) => name.includes("proxy")), rendered.names().join(", "));
        assert.strictEqual(rendered.outputs.proxyEndpoint, undefined);
        assert.strictEqual(rendered.outputs.proxyServiceName, undefined);
    });

    describe("enabled with defaults", () => {
        let rendered: Awaited<ReturnType<typeof renderCluster>>;
        before(async () => {
            rendered = await renderCluster({ ...cheap, namespace: "mq", brokerClusterName: "orders", broker: { name: "b", replicaPerGroup: 0, image: "apache/rocketmq:5.3.2" }, proxy: { enabled: true } }, "prox");
        });

        it("adds a Deployment, a Service, the config, the metrics Service and the disruption budget of the proxies", () => {
            assert.deepStrictEqual(rendered.names().filter((name) => name.includes("proxy")),
                ["ConfigMap proxy-config", "Deployment proxy", "PodDisruptionBudget proxy", "Service proxy", "Service proxy-metrics"]);
        });

        it("writes rmq-proxy.json from the cluster name, the name server list, the two ports and the Prometheus exporter", () => {
            const config = JSON.parse(rendered.object(kind.configMap, "proxy-config").data["rmq-proxy.json"]);
            assert.deepStrictEqual(config, {
                rocketMQClusterName: "orders",
                namesrvAddr: "name-service-0.name-service.mq.svc.cluster.local:9876",
                grpcServerPort: 8081,
                remotingListenPort: 8080,
                // No metricsPromExporterHost: the exporter binds every address of the pod. PROM, as its
                // ordinal: a 5.4.0 proxy exits at start on "PROM".
                metricsExporterType: 2,
                metricsPromExporterPort: 5557,
            });
        });

        it("exports metrics on a port named metrics, behind a headless Service of their own, listed in metricsEndpoints", () => {
            const deployment = rendered.object(kind.deployment, "proxy");
            const service = rendered.object(kind.service, "proxy-metrics");
            assert.strictEqual(service.spec.clusterIP, "None");
            assert.deepStrictEqual(service.spec.ports, [{ name: "metrics", port: 5557, targetPort: 5557 }]);
            assert.deepStrictEqual(service.spec.selector, deployment.spec.selector.matchLabels);
            assert.strictEqual(service.metadata.labels["rocketmq/metrics"], "true");
            // The proxy Service (maybe a NodePort or load balancer) does not carry the metrics port.
            assert.ok(!rendered.object(kind.service, "proxy").spec.ports.some((port: any) => port.name === "metrics"));
            assert.deepStrictEqual(rendered.outputs.metricsEndpoints, [
                {
                    component: "broker", serviceName: "b-metrics", portName: "metrics", port: 5557, path: "/metrics",
                    targets: ["b-0-master-0.b-0.mq.svc.cluster.local:5557"],
                },
                {
                    component: "proxy", serviceName: "proxy-metrics", portName: "metrics", port: 5557, path: "/metrics",
                    targets: ["proxy-metrics.mq.svc.cluster.local:5557"],
                },
            ]);
        });

        it("has a disruption budget letting at most one proxy go", () => {
            const budget = rendered.object(kind.podDisruptionBudget, "proxy");
            assert.deepStrictEqual(budget.spec, { selector: { matchLabels: rendered.object(kind.deployment, "proxy").spec.selector.matchLabels }, maxUnavailable: 1 });
        });

        it("runs the brokers' image in cluster mode with that file, ready once its gRPC port listens, spread over nodes", () => {
            const deployment = rendered.object(kind.deployment, "proxy");
            assert.strictEqual(deployment.spec.replicas, 1);
            const proxy = container(deployment);
            assert.strictEqual(proxy.image, "apache/rocketmq:5.3.2");
            assert.deepStrictEqual(proxy.command, ["sh", "mqproxy", "-pc", "/etc/rocketmq-proxy/rmq-proxy.json", "-pm", "cluster"]);
            assert.deepStrictEqual(proxy.ports.map((port: any) => [port.name, port.containerPort]), [["grpc", 8081], ["remoting", 8080], ["metrics", 5557]]);
            assert.deepStrictEqual(proxy.readinessProbe.tcpSocket, { port: 8081 });
            assert.ok(proxy.volumeMounts.some((mount: any) => mount.mountPath === "/etc/rocketmq-proxy" && mount.name === "proxy-config"));
            assert.deepStrictEqual(deployment.spec.template.spec.volumes[0], { name: "proxy-config", configMap: { name: "proxy-config" } });
            // No memory given: a 512 MiB heap, as the name servers'.
            assert.strictEqual(envOf(deployment).JAVA_OPT_EXT, "-Xms512m -Xmx512m -Xmn256m");
            // The proxies prefer different nodes, as a broker group's pods do.
            const [spread] = deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
            assert.strictEqual(spread.podAffinityTerm.topologyKey, "kubernetes.io/hostname");
            assert.deepStrictEqual(spread.podAffinityTerm.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
            assert.strictEqual(deployment.spec.selector.matchLabels["app.kubernetes.io/component"], "proxy");
            assert.strictEqual(deployment.spec.template.metadata.annotations["rocketmq/broker-groups"], "b-0");
        });

        it("starts the proxies only after every broker is registered (it creates its topic on the cluster at start)", () => {
            assert.ok(rendered.dependsOn.get("prox-proxy")?.includes("prox-registrations"), String(rendered.dependsOn.get("prox-proxy")));
        });

        it("serves gRPC and remoting through a ClusterIP Service and outputs the endpoint a 5.x client is given", () => {
            const service = rendered.object(kind.service, "proxy");
            assert.strictEqual(service.spec.type, "ClusterIP");
            assert.deepStrictEqual(service.spec.ports.map((port: any) => [port.name, port.port, port.targetPort]), [["grpc", 8081, 8081], ["remoting", 8080, 8080]]);
            assert.deepStrictEqual(service.spec.selector, rendered.object(kind.deployment, "proxy").spec.selector.matchLabels);
            assert.strictEqual(rendered.outputs.proxyEndpoint, "proxy.mq.svc.cluster.local:8081");
            assert.strictEqual(rendered.outputs.proxyServiceName, "proxy");
        });
    });

    it("takes its own image, replicas, memory, env, Service type and annotations, and other rmq-proxy.json keys", async () => {
        const rendered = await renderCluster({
            ...cheap,
            // Metrics off: the exporter's keys are the user's to write.
            metrics: { enabled: false },
            annotations: { team: "payments" },
            proxy: {
                enabled: true,
                replicas: 3,
                image: "apache/rocketmq:5.5.0",
                imagePullPolicy: "Always",
                resources: { limits: { memory: "2Gi" } },
                env: [{ name: "TZ", value: "UTC" }],
                serviceType: "NodePort",
                nodePort: 30081,
                serviceAnnotations: { "example.com/lb": "internal" },
                properties: { metricsExporterType: "PROM", metricsPromExporterPort: "5557", enableAclRpcHookForClusterMode: "true" },
            },
        });
        const deployment = rendered.object(kind.deployment, "proxy");
        assert.strictEqual(deployment.spec.replicas, 3);
        assert.strictEqual(container(deployment).image, "apache/rocketmq:5.5.0");
        assert.strictEqual(container(deployment).imagePullPolicy, "Always");
        assert.deepStrictEqual(container(deployment).resources, { limits: { memory: "2Gi" } });
        // 2Gi limit: max(min(1Gi, 1Gi), min(512Mi, 4Gi)) = 1Gi.
        assert.strictEqual(envOf(deployment).JAVA_OPT_EXT, "-Xms1024m -Xmx1024m -Xmn512m");
        assert.strictEqual(envOf(deployment).TZ, "UTC");
        const service = rendered.object(kind.service, "proxy");
        assert.strictEqual(service.spec.type, "NodePort");
        assert.strictEqual(service.spec.ports[0].nodePort, 30081);
        assert.deepStrictEqual(service.metadata.annotations, { team: "payments", "example.com/lb": "internal" });
        const config = JSON.parse(rendered.object(kind.configMap, "proxy-config").data["rmq-proxy.json"]);
        // A node port remaps the gRPC port: routes must carry the port the client used.
        assert.strictEqual(config.useEndpointPortFromRequest, true);
        assert.strictEqual(config.metricsExporterType, "PROM");
        assert.strictEqual(config.metricsPromExporterPort, 5557);
        assert.strictEqual(config.enableAclRpcHookForClusterMode, true);
    });

    it("restarts the proxies when the name servers or the broker groups change: their pod template changes", async () => {
        const annotations = async (args: object) =>
            (await renderCluster({ ...cheap, proxy: { enabled: true }, ...args })).object(kind.deployment, "proxy").spec.template.metadata.annotations;
        const before = await annotations({});
        const moreNameServers = await annotations({ nameServer: { size: 2 } });
        const moreGroups = await annotations({ broker: { replicaPerGroup: 0, size: 2 } });
        assert.notStrictEqual(moreNameServers["rocketmq/config-sha256"], before["rocketmq/config-sha256"]);
        assert.strictEqual(moreGroups["rocketmq/config-sha256"], before["rocketmq/config-sha256"]);
        assert.strictEqual(before["rocketmq/broker-groups"], "broker-0");
        assert.strictEqual(moreGroups["rocketmq/broker-groups"], "broker-0,broker-1");
    });

    it("keeps a secret property and a secret env value out of the ConfigMap and the pod spec", async () => {
        const cluster = await constructCluster({
            ...cheap,
            proxy: {
                enabled: true,
                env: [rpcSecret({ name: "TOKEN", value: secretText })],
                properties: { innerClientAuthenticationCredentials: rpcSecret(`{"accessKey":"a","secretKey":"${secretText}"}`) },
            },
        });
        for (const object of [...cluster.objects, ...cluster.providedAll]) {
            assert.deepStrictEqual(plaintextPaths(object.inputs, secretText), [], `${object.name} holds the secret in plain text`);
        }
        assert.ok(!cluster.names().includes("ConfigMap proxy-config"), cluster.names().join(", "));
        const data = unwrapped(cluster.object(kind.secret, "proxy-secret").stringData);
        assert.strictEqual(JSON.parse(data["rmq-proxy.json"]).innerClientAuthenticationCredentials, `{"accessKey":"a","secretKey":"${secretText}"}`);
        assert.strictEqual(data["env-0"], secretText);
        const deployment = unwrapped(cluster.object(kind.deployment, "proxy"));
        assert.ok(!JSON.stringify(deployment).includes(secretText));
        assert.deepStrictEqual(envOf(deployment).TOKEN, { secretKeyRef: { name: "proxy-secret", key: "env-0" } });
        assert.deepStrictEqual(deployment.spec.template.spec.volumes[0].secret, { secretName: "proxy-secret", items: [{ key: "rmq-proxy.json", path: "rmq-proxy.json" }] });
        assert.strictEqual(deployment.spec.template.metadata.annotations["rocketmq/secret-version"], "1", "a new Secret version rolls the proxies");
    });

    it("refuses settings the provider writes, a node port on a ClusterIP Service, JAVA_OPT_EXT and a heap beyond the memory limit", () => {
        const validation = validateClusterArgs({
            proxy: {
                enabled: true,
                nodePort: 30081,
                env: [{ name: "JAVA_OPT_EXT", value: "-Xmx1g" }],
                resources: { limits: { memory: "512Mi" } },
                jvmMemory: { heap: "1Gi" },
                properties: { namesrvAddr: "10.0.0.1:9876", rocketMQClusterName: "x", grpcServerPort: "9000" },
            },
        });
        assert.ok(!validation.ok);
        const failures = Object.fromEntries(validation.failures.map((failure) => [failure.property, failure.reason]));
        assert.deepStrictEqual(Object.keys(failures).sort(), [
            "proxy.env[0].name",
            "proxy.jvmMemory.heap",
            "proxy.nodePort",
            "proxy.properties.grpcServerPort",
            "proxy.properties.namesrvAddr",
            "proxy.properties.rocketMQClusterName",
        ]);
        assert.match(failures["proxy.nodePort"], /needs serviceType NodePort or LoadBalancer/);
        assert.match(failures["proxy.properties.namesrvAddr"], /written by the provider/);
        assert.match(failures["proxy.env[0].name"], /proxy\.jvmMemory/);
        assert.match(failures["proxy.jvmMemory.heap"], /does not fit in the memory limit 512Mi/);
        assert.ok(validateClusterArgs({ proxy: { enabled: true, serviceType: "LoadBalancer", nodePort: 30081, properties: { enableAclRpcHookForClusterMode: "true" } } }).ok);
    });

    it("refuses the exporter's keys in properties while the proxies export metrics, and takes them once metrics are off", () => {
        const validation = validateClusterArgs({ proxy: { enabled: true, properties: { metricsExporterType: "OTLP_GRPC", metricsPromExporterPort: "9000", metricsPromExporterHost: "0.0.0.0" } } });
        assert.ok(!validation.ok);
        const failures = Object.fromEntries(validation.failures.map((failure) => [failure.property, failure.reason]));
        assert.deepStrictEqual(Object.keys(failures).sort(), ["proxy.properties.metricsExporterType", "proxy.properties.metricsPromExporterHost", "proxy.properties.metricsPromExporterPort"]);
        assert.match(failures["proxy.properties.metricsPromExporterPort"], /set by the provider while metrics.enabled is true .*set metrics.enabled false/);
        assert.ok(validateClusterArgs({ metrics: { enabled: false }, proxy: { enabled: true, properties: { metricsExporterType: "OTLP_GRPC" } } }).ok);
    });

    it("with metrics off, gives the proxies no exporter, port or metrics Service", async () => {
        const rendered = await renderCluster({ ...cheap, metrics: { enabled: false }, proxy: { enabled: true } });
        assert.strictEqual(JSON.parse(rendered.object(kind.configMap, "proxy-config").data["rmq-proxy.json"]).metricsExporterType, undefined);
        assert.ok(!container(rendered.object(kind.deployment, "proxy")).ports.some((port: any) => port.name === "metrics"));
        assert.ok(!rendered.names().includes("Service proxy-metrics"));
        assert.deepStrictEqual(rendered.outputs.metricsEndpoints, []);
    });

    it("takes the proxies' disruption budget's minAvailable, or none when turned off", async () => {
        const custom = await renderCluster({ ...cheap, proxy: { enabled: true, replicas: 3, podDisruptionBudget: { minAvailable: 2 } } });
        assert.strictEqual(custom.object(kind.podDisruptionBudget, "proxy").spec.minAvailable, 2);
        const off = await renderCluster({ ...cheap, proxy: { enabled: true, podDisruptionBudget: { enabled: false } } });
        assert.ok(!off.names().includes("PodDisruptionBudget proxy"), off.names().join(", "));
    });
});
