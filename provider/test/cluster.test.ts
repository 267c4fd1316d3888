import * as assert from "assert";
import { kind, renderCluster } from "./clusterHarness";
import { operatorExample } from "./operatorExample";

const ns = "default";
const nameServer0 = `name-service-0.name-service.${ns}.svc.cluster.local:9876`;

function container(workload: any): any {
    return workload.spec.template.spec.containers[0];
}

function envOf(workload: any): Record<string, any> {
    return Object.fromEntries(container(workload).env.map((env: any) => [env.name, env.value ?? env.valueFrom]));
}

function confLines(text: string): Record<string, string> {
    return Object.fromEntries(text.trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
}

describe("RocketMQCluster objects", () => {
    describe("the operator's example cluster", () => {
        let rendered: Awaited<ReturnType<typeof renderCluster>>;
        before(async () => {
            rendered = await renderCluster(operatorExample, "example");
        });

        it("creates exactly the name server, one broker group of master + replica, and the console", () => {
            assert.deepStrictEqual(rendered.names(), [
                "ConfigMap broker-0-config",
                "Deployment console",
                "PodDisruptionBudget broker-0",
                "PodDisruptionBudget name-service",
                "Service broker-0",
                "Service broker-metrics",
                "Service console-service",
                "Service name-service",
                "StatefulSet broker-0-master",
                "StatefulSet broker-0-replica-1",
                "StatefulSet name-service",
            ]);
            for (const object of rendered.objects) {
                assert.strictEqual(object.inputs.metadata.namespace, ns, `${object.name} namespace`);
            }
        });

        it("runs the name servers as a StatefulSet behind a headless Service", () => {
            const service = rendered.object(kind.service, "name-service");
            assert.strictEqual(service.spec.clusterIP, "None");
            assert.deepStrictEqual(service.spec.ports.map((port: any) => port.port), [9876]);
            const statefulSet = rendered.object(kind.statefulSet, "name-service");
            assert.strictEqual(statefulSet.spec.serviceName, "name-service");
            assert.strictEqual(statefulSet.spec.replicas, 1);
            const pod = statefulSet.spec.template.spec;
            assert.strictEqual(pod.hostNetwork, true);
            assert.strictEqual(pod.dnsPolicy, "ClusterFirstWithHostNet");
            const nameServer = container(statefulSet);
            assert.deepStrictEqual(nameServer.command, ["sh", "mqnamesrv"]);
            assert.strictEqual(nameServer.image, "apache/rocketmq:5.5.1");
            assert.strictEqual(nameServer.imagePullPolicy, "Always");
            assert.deepStrictEqual(nameServer.ports.map((port: any) => port.containerPort), [9876]);
            assert.deepStrictEqual(nameServer.readinessProbe.tcpSocket, { port: 9876 });
            assert.deepStrictEqual(nameServer.resources, operatorExample.nameServer.resources);
            // 1024Mi limit: max(min(512Mi, 512Mi), min(256Mi, 4Gi)) = 512Mi.
            assert.strictEqual(envOf(statefulSet).JAVA_OPT_EXT, "-Xms512m -Xmx512m -Xmn256m");
            assert.deepStrictEqual(service.spec.selector, statefulSet.spec.selector.matchLabels);
        });

        it("renders one ConfigMap for the group with the master's and the replica's broker.conf", () => {
            const configMap = rendered.object(kind.configMap, "broker-0-config");
            assert.deepStrictEqual(Object.keys(configMap.data).sort(), ["master.conf", "replica-1.conf"]);
            const master = confLines(configMap.data["master.conf"]);
            assert.deepStrictEqual(master, {
                brokerClusterName: "DefaultCluster",
                brokerName: "broker-0",
                brokerId: "0",
                brokerRole: "ASYNC_MASTER",
                namesrvAddr: nameServer0,
                // 5.3.2 reads it: a name server list pushed at run time is in use within 10 s.
                updateNameServerAddrPeriod: "10000",
                listenPort: "10911",
                // Prometheus metrics on, by default.
                metricsExporterType: "PROM",
                metricsPromExporterPort: "5557",
                storePathRootDir: "/home/rocketmq/store",
                deleteWhen: "04",
                fileReservedTime: "48",
                flushDiskType: "ASYNC_FLUSH",
            });
            const replica = confLines(configMap.data["replica-1.conf"]);
            assert.strictEqual(replica.brokerName, "broker-0");
            assert.strictEqual(replica.brokerId, "1");
            assert.strictEqual(replica.brokerRole, "SLAVE");
            assert.strictEqual(replica.namesrvAddr, nameServer0);
        });

        it("starts each broker from its own config key, advertising the pod IP as brokerIP1", () => {
            for (const [statefulSetName, key, role] of [
                ["broker-0-master", "master.conf", "master"],
                ["broker-0-replica-1", "replica-1.conf", "replica-1"],
            ]) {
                const statefulSet = rendered.object(kind.statefulSet, statefulSetName);
                assert.strictEqual(statefulSet.spec.replicas, 1);
                assert.strictEqual(statefulSet.spec.serviceName, "broker-0");
                const broker = container(statefulSet);
                assert.deepStrictEqual(broker.command.slice(0, 2), ["sh", "-c"]);
                assert.strictEqual(broker.command[2],
                    "cp /etc/rocketmq/broker.conf /home/rocketmq/conf/broker.conf && " +
                    "{ test ! -f /etc/rocketmq/secret.conf || cat /etc/rocketmq/secret.conf >> /home/rocketmq/conf/broker.conf; } && " +
                    "echo \"brokerIP1=${POD_IP}\" >> /home/rocketmq/conf/broker.conf && " +
                    "exec sh mqbroker -c /home/rocketmq/conf/broker.conf");
                const env = envOf(statefulSet);
                assert.deepStrictEqual(env.POD_IP, { fieldRef: { fieldPath: "status.podIP" } });
                assert.strictEqual(env.JAVA_OPT_EXT, "-Xms2048m -Xmx2048m -Xmn1024m");
                assert.deepStrictEqual(env.BROKER_MEM, { configMapKeyRef: { name: "broker-config", key: "BROKER_MEM" } });
                assert.deepStrictEqual(broker.ports.map((port: any) => [port.name, port.containerPort]), [["fast", 10909], ["main", 10911], ["ha", 10912], ["metrics", 5557]]);
                assert.deepStrictEqual(broker.readinessProbe.tcpSocket, { port: 10911 });
                const volumes = statefulSet.spec.template.spec.volumes;
                const config = volumes.find((volume: any) => volume.name === "rocketmq-config");
                assert.deepStrictEqual(config.configMap, { name: "broker-0-config", items: [{ key, path: "broker.conf" }] });
                assert.ok(volumes.some((volume: any) => volume.name === "broker-config"), "the example's own volume is kept");
                const mounts = Object.fromEntries(broker.volumeMounts.map((mount: any) => [mount.mountPath, mount.name]));
                assert.strictEqual(mounts["/etc/rocketmq"], "rocketmq-config");
                assert.strictEqual(mounts["/home/rocketmq/conf"], "rocketmq-conf");
                assert.strictEqual(mounts["/home/rocketmq/store"], "rocketmq-data");
                assert.strictEqual(mounts["/home/rocketmq/logs"], "rocketmq-data");
                const labels = statefulSet.spec.template.metadata.labels;
                assert.strictEqual(labels["rocketmq/broker-role"], role);
                assert.strictEqual(labels["rocketmq/broker-group"], "0");
                assert.strictEqual(labels["rocketmq/broker-name"], "broker-0");
                assert.strictEqual(labels["app.kubernetes.io/component"], "broker");
                assert.deepStrictEqual(statefulSet.spec.selector.matchLabels,
                    Object.fromEntries(Object.entries(statefulSet.spec.selector.matchLabels).map(([k]) => [k, labels[k]])),
                    "selector labels are pod labels");
                assert.ok(/^[0-9a-f]{64}$/.test(statefulSet.spec.template.metadata.annotations["rocketmq/config-sha256"]),
                    "allowRestart rolls pods on a config change");
                assert.strictEqual(statefulSet.spec.updateStrategy.type, "RollingUpdate");
            }
        });

        it("labels every pod with the standard app.kubernetes.io labels", () => {
            const expected: Record<string, [string, string]> = {
                "StatefulSet name-service": ["nameserver", "5.5.1"],
                "StatefulSet broker-0-master": ["broker", "5.5.1"],
                "Deployment console": ["console", "2.0.0"],
            };
            for (const [object, [component, version]] of Object.entries(expected)) {
                const [kindName, name] = object.split(" ");
                const workload = rendered.object(kindName === "Deployment" ? kind.deployment : kind.statefulSet, name);
                for (const labels of [workload.metadata.labels, workload.spec.template.metadata.labels]) {
                    assert.strictEqual(labels["app.kubernetes.io/name"], "rocketmq");
                    assert.strictEqual(labels["app.kubernetes.io/instance"], "example");
                    assert.strictEqual(labels["app.kubernetes.io/component"], component);
                    assert.strictEqual(labels["app.kubernetes.io/part-of"], "rocketmq");
                    assert.strictEqual(labels["app.kubernetes.io/version"], version);
                }
            }
        });

        it("deploys the console on a NodePort Service, pointed at the name servers by DNS name", () => {
            const deployment = rendered.object(kind.deployment, "console");
            assert.strictEqual(deployment.spec.replicas, 1);
            const dashboard = container(deployment);
            assert.strictEqual(dashboard.image, "apacherocketmq/rocketmq-dashboard:2.0.0");
            assert.ok(envOf(deployment).JAVA_OPTS.includes(`-Drocketmq.namesrv.addr=${nameServer0}`));
            assert.deepStrictEqual(dashboard.ports.map((port: any) => port.containerPort), [8080]);
            assert.deepStrictEqual(dashboard.readinessProbe.tcpSocket, { port: 8080 });
            const service = rendered.object(kind.service, "console-service");
            assert.strictEqual(service.spec.type, "NodePort");
            assert.deepStrictEqual(service.spec.ports, [{ name: "http", port: 8080, targetPort: 8080, nodePort: 30000 }]);
            assert.deepStrictEqual(service.spec.selector, deployment.spec.selector.matchLabels);
        });

        it("outputs where clients connect", () => {
            assert.deepStrictEqual(rendered.outputs, {
                namespace: ns,
                brokerClusterName: "DefaultCluster",
                nameServerAddresses: nameServer0,
                nameServerAddressList: [nameServer0],
                brokerGroups: [{ index: 0, brokerName: "broker-0", masterPodName: "broker-0-master-0", replicaPodNames: ["broker-0-replica-1-0"] }],
                consoleServiceName: "console-service",
                consoleUrl: `http://console-service.${ns}.svc.cluster.local:8080`,
                metricsEndpoints: [{
                    component: "broker",
                    serviceName: "broker-metrics",
                    portName: "metrics",
                    port: 5557,
                    path: "/metrics",
                    targets: ["broker-0-master-0.broker-0.default.svc.cluster.local:5557", "broker-0-replica-1-0.broker-0.default.svc.cluster.local:5557"],
                }],
                // No proxy unless enabled.
                proxyEndpoint: undefined,
                proxyServiceName: undefined,
                // No keys while auth is off.
                adminCredentials: undefined,
                // No TLS unless asked for.
                clientTls: undefined,
            });
        });
    });

    it("makes a working cluster from {}: 1 name server, 1 group of master + 1 replica, console", async () => {
        const rendered = await renderCluster({});
        assert.deepStrictEqual(rendered.names(), [
            "ConfigMap broker-0-config",
            "Deployment console",
            "PodDisruptionBudget broker-0",
            "PodDisruptionBudget name-service",
            "Service broker-0",
            "Service broker-metrics",
            "Service console-service",
            "Service name-service",
            "StatefulSet broker-0-master",
            "StatefulSet broker-0-replica-1",
            "StatefulSet name-service",
        ]);
        assert.strictEqual(rendered.object(kind.statefulSet, "name-service").spec.replicas, 1);
        assert.strictEqual(container(rendered.object(kind.statefulSet, "broker-0-master")).image, "apache/rocketmq:5.5.1");
        assert.strictEqual(rendered.object(kind.service, "console-service").spec.type, "ClusterIP");
        // No memory limit: the broker heap falls back to 1 GiB, the name server's to 512 MiB.
        assert.strictEqual(envOf(rendered.object(kind.statefulSet, "broker-0-master")).JAVA_OPT_EXT, "-Xms1024m -Xmx1024m -Xmn512m");
        assert.strictEqual(envOf(rendered.object(kind.statefulSet, "name-service")).JAVA_OPT_EXT, "-Xms512m -Xmx512m -Xmn256m");
        const pod = rendered.object(kind.statefulSet, "broker-0-master").spec.template.spec;
        assert.strictEqual(pod.hostNetwork, false);
        assert.strictEqual(pod.dnsPolicy, "ClusterFirst");
    });

    it("derives the heap from the memory limit as BROKER_MEM does when no heap is given", async () => {
        const rendered = await renderCluster({
            broker: { resources: { limits: { memory: "12288Mi" } } },
            nameServer: { resources: { limits: { memory: "4Gi" } } },
        });
        // broker: max(min(6Gi, 1Gi), min(3Gi, 8Gi)) = 3Gi; name server: max(min(2Gi, 512Mi), min(1Gi, 4Gi)) = 1Gi.
        assert.strictEqual(envOf(rendered.object(kind.statefulSet, "broker-0-master")).JAVA_OPT_EXT, "-Xms3072m -Xmx3072m -Xmn1536m");
        assert.strictEqual(envOf(rendered.object(kind.statefulSet, "name-service")).JAVA_OPT_EXT, "-Xms1024m -Xmx1024m -Xmn512m");
    });

    it("lists every name server by its DNS name, in brokers, console and outputs", async () => {
        const rendered = await renderCluster({ namespace: "mq", nameServer: { size: 3 }, broker: { replicaPerGroup: 0 } });
        const addresses = [0, 1, 2].map((i) => `name-service-${i}.name-service.mq.svc.cluster.local:9876`);
        assert.strictEqual(rendered.outputs.nameServerAddresses, addresses.join(";"));
        assert.deepStrictEqual(rendered.outputs.nameServerAddressList, addresses);
        assert.strictEqual(confLines(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]).namesrvAddr, addresses.join(";"));
        assert.ok(envOf(rendered.object(kind.deployment, "console")).JAVA_OPTS.includes(`-Drocketmq.namesrv.addr=${addresses.join(";")}`));
        assert.deepStrictEqual((rendered.outputs.brokerGroups as any[])[0].replicaPodNames, []);
        assert.ok(!rendered.names().some((name) => name.includes("replica")));
    });

    it("uses an explicit nameServers list instead of its own name servers", async () => {
        const rendered = await renderCluster({ broker: { nameServers: "10.0.0.5:9876;10.0.0.6:9876" } });
        assert.strictEqual(confLines(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]).namesrvAddr, "10.0.0.5:9876;10.0.0.6:9876");
        assert.strictEqual(rendered.outputs.nameServerAddresses, "10.0.0.5:9876;10.0.0.6:9876");
    });

    it("without allowRestart, never restarts brokers on a config change", async () => {
        const rendered = await renderCluster({ broker: { allowRestart: false } });
        const statefulSet = rendered.object(kind.statefulSet, "broker-0-master");
        assert.strictEqual(statefulSet.spec.updateStrategy.type, "OnDelete");
        assert.strictEqual(statefulSet.spec.template.metadata.annotations, undefined);
    });

    it("omits the console when disabled", async () => {
        const rendered = await renderCluster({ console: { enabled: false } });
        assert.ok(!rendered.names().some((name) => name.includes("console")));
        assert.strictEqual(rendered.outputs.consoleServiceName, undefined);
        assert.strictEqual(rendered.outputs.consoleUrl, undefined);
    });

    it("applies the cluster-wide pod settings to every pod", async () => {
        const shared = {
            labels: { team: "messaging" },
            annotations: { "example.com/owner": "mq" },
            nodeSelector: { disk: "ssd" },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "mq", effect: "NoSchedule" }],
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
            imagePullSecrets: [{ name: "pull" }],
            serviceAccountName: "rocketmq",
            priorityClassName: "high",
            podSecurityContext: { fsGroup: 3000 },
            securityContext: { runAsNonRoot: true },
        };
        const rendered = await renderCluster(shared);
        const workloads = rendered.objects.filter((object) => object.type === kind.statefulSet || object.type === kind.deployment);
        assert.strictEqual(workloads.length, 4);
        for (const { inputs } of workloads) {
            const pod = inputs.spec.template.spec;
            assert.deepStrictEqual(pod.nodeSelector, shared.nodeSelector);
            assert.deepStrictEqual(pod.tolerations, shared.tolerations);
            assert.deepStrictEqual(pod.affinity, shared.affinity);
            assert.deepStrictEqual(pod.imagePullSecrets, shared.imagePullSecrets);
            assert.strictEqual(pod.serviceAccountName, "rocketmq");
            assert.strictEqual(pod.priorityClassName, "high");
            assert.deepStrictEqual(pod.securityContext, shared.podSecurityContext);
            assert.deepStrictEqual(pod.containers[0].securityContext, shared.securityContext);
            assert.strictEqual(inputs.spec.template.metadata.labels.team, "messaging");
            assert.strictEqual(inputs.spec.template.metadata.annotations["example.com/owner"], "mq");
        }
        for (const { inputs } of rendered.objects) {
            assert.strictEqual(inputs.metadata.labels.team, "messaging");
        }
    });
});
