import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { validateClusterArgs } from "../src/inputs/cluster";
import { constructCluster, RocketMQCluster, registrationsDuring, renderCluster } from "./clusterHarness";

/** The engine warnings `run` logs. */
async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = (message: string) => { warnings.push(message); return Promise.resolve(); };
    try {
        await run();
    } finally {
        pulumi.log.warn = warn;
    }
    return warnings;
}

interface BadInput {
    rule: string;
    args: unknown;
    property: string;
    reason: RegExp;
}

// Every bad input of the issue, each alone, with the field path and the rule it must be refused with.
const badInputs: BadInput[] = [
    { rule: "negative size", args: { nameServer: { size: -1 } }, property: "nameServer.size", reason: /whole number from 1 to 9/ },
    { rule: "zero name servers", args: { nameServer: { size: 0 } }, property: "nameServer.size", reason: /whole number from 1 to 9/ },
    { rule: "non-integer size", args: { broker: { size: 1.5 } }, property: "broker.size", reason: /whole number from 1 to 128/ },
    { rule: "size as text", args: { broker: { size: "2" } }, property: "broker.size", reason: /whole number/ },
    { rule: "unknown storageMode", args: { broker: { storageMode: "NFS" } }, property: "broker.storageMode", reason: /one of EmptyDir, HostPath, StorageClass/ },
    { rule: "HostPath without hostPath", args: { broker: { storageMode: "HostPath" } }, property: "broker.hostPath", reason: /required when storageMode is HostPath/ },
    { rule: "relative hostPath", args: { nameServer: { storageMode: "HostPath", hostPath: "data/ns" } }, property: "nameServer.hostPath", reason: /absolute path/ },
    { rule: "StorageClass without a claim template", args: { nameServer: { storageMode: "StorageClass" } }, property: "nameServer.volumeClaimTemplates", reason: /StorageClass needs at least one volume claim template/ },
    { rule: "StorageClass with an empty template list", args: { broker: { storageMode: "StorageClass", volumeClaimTemplates: [] } }, property: "broker.volumeClaimTemplates", reason: /at least one/ },
    { rule: "claim template without a name", args: { broker: { storageMode: "StorageClass", volumeClaimTemplates: [{ spec: {} }] } }, property: "broker.volumeClaimTemplates[0].metadata", reason: /needs metadata.name/ },
    { rule: "replicaPerGroup above the maximum", args: { broker: { replicaPerGroup: 4 } }, property: "broker.replicaPerGroup", reason: /whole number from 0 to 3/ },
    { rule: "negative replicaPerGroup", args: { broker: { replicaPerGroup: -1 } }, property: "broker.replicaPerGroup", reason: /whole number from 0 to 3/ },
    { rule: "malformed memory quantity", args: { broker: { resources: { limits: { memory: "2GB" } } } }, property: "broker.resources.limits.memory", reason: /"2GB" is not a Kubernetes quantity/ },
    { rule: "malformed cpu quantity", args: { console: { resources: { requests: { cpu: "half" } } } }, property: "console.resources.requests.cpu", reason: /not a Kubernetes quantity/ },
    { rule: "negative quantity", args: { nameServer: { resources: { requests: { cpu: "-1" } } } }, property: "nameServer.resources.requests.cpu", reason: /must not be negative/ },
    { rule: "request above limit", args: { broker: { resources: { requests: { memory: "4Gi" }, limits: { memory: "2Gi" } } } }, property: "broker.resources.requests.memory", reason: /request 4Gi is above the limit 2Gi/ },
    { rule: "cpu request above limit", args: { nameServer: { resources: { requests: { cpu: "1" }, limits: { cpu: "500m" } } } }, property: "nameServer.resources.requests.cpu", reason: /above the limit 500m/ },
    { rule: "upper-case image", args: { broker: { image: "apache/RocketMQ:5.3.2" } }, property: "broker.image", reason: /not a valid image reference/ },
    { rule: "image with an empty tag", args: { nameServer: { image: "apache/rocketmq:" } }, property: "nameServer.image", reason: /not a valid image reference/ },
    { rule: "image with spaces", args: { console: { image: "rocketmq dashboard" } }, property: "console.image", reason: /not a valid image reference/ },
    { rule: "env entry without a name", args: { broker: { env: [{ value: "x" }] } }, property: "broker.env[0].name", reason: /every env entry needs a name/ },
    { rule: "env entry with an empty name", args: { broker: { env: [{ name: "", value: "x" }] } }, property: "broker.env[0].name", reason: /every env entry needs a name/ },
    { rule: "configMapKeyRef without a key", args: { broker: { env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm" } } }] } }, property: "broker.env[0].valueFrom.configMapKeyRef.key", reason: /must name the key/ },
    { rule: "secretKeyRef without a name", args: { broker: { env: [{ name: "A", valueFrom: { secretKeyRef: { key: "k" } } }] } }, property: "broker.env[0].valueFrom.secretKeyRef.name", reason: /must name the ConfigMap or Secret/ },
    { rule: "env the provider sets", args: { broker: { env: [{ name: "POD_IP", value: "1.2.3.4" }] } }, property: "broker.env[0].name", reason: /set by the provider from the downward API/ },
    { rule: "heap through env", args: { broker: { env: [{ name: "JAVA_OPT_EXT", value: "-Xmx1g" }] } }, property: "broker.env[0].name", reason: /use broker.jvmMemory/ },
    { rule: "brokerRole SLAVE", args: { broker: { brokerConfig: { brokerRole: "SLAVE" } } }, property: "broker.brokerConfig.brokerRole", reason: /SLAVE is set by the provider on replica brokers; replicas come from broker.replicaPerGroup/ },
    { rule: "brokerRole SLAVE among other keys", args: { broker: { brokerConfig: { properties: { brokerRole: "SLAVE" } } } }, property: "broker.brokerConfig.properties.brokerRole", reason: /replicas come from broker.replicaPerGroup/ },
    { rule: "brokerId", args: { broker: { brokerConfig: { brokerId: 1 } } }, property: "broker.brokerConfig.brokerId", reason: /brokerId is set by the provider.*replicas come from broker.replicaPerGroup/ },
    { rule: "brokerId among other keys", args: { broker: { brokerConfig: { properties: { brokerId: "1" } } } }, property: "broker.brokerConfig.properties.brokerId", reason: /brokerId is set by the provider/ },
    { rule: "brokerName", args: { broker: { brokerConfig: { properties: { brokerName: "b" } } } }, property: "broker.brokerConfig.properties.brokerName", reason: /brokerName is set by the provider for each group/ },
    { rule: "brokerClusterName", args: { broker: { brokerConfig: { brokerClusterName: "c" } } }, property: "broker.brokerConfig.brokerClusterName", reason: /set by the provider from the brokerClusterName input/ },
    { rule: "brokerIP1", args: { broker: { brokerConfig: { properties: { brokerIP1: "10.0.0.1" } } } }, property: "broker.brokerConfig.properties.brokerIP1", reason: /pod IP/ },
    { rule: "namesrvAddr", args: { broker: { brokerConfig: { properties: { namesrvAddr: "x:9876" } } } }, property: "broker.brokerConfig.properties.namesrvAddr", reason: /use other name servers set broker.nameServers/ },
    { rule: "typed key among other keys", args: { broker: { brokerConfig: { properties: { flushDiskType: "SYNC_FLUSH" } } } }, property: "broker.brokerConfig.properties.flushDiskType", reason: /set broker.brokerConfig.flushDiskType instead/ },
    { rule: "unknown brokerConfig key", args: { broker: { brokerConfig: { autoCreateTopicEnable: "false" } } }, property: "broker.brokerConfig.autoCreateTopicEnable", reason: /under broker.brokerConfig.properties/ },
    { rule: "SYNC_MASTER without a replica", args: { broker: { replicaPerGroup: 0, brokerConfig: { brokerRole: "SYNC_MASTER" } } }, property: "broker.brokerConfig.brokerRole", reason: /SYNC_MASTER.*broker\.replicaPerGroup is 0.*SLAVE_NOT_AVAILABLE/ },
    { rule: "bad deleteWhen", args: { broker: { brokerConfig: { deleteWhen: "4am" } } }, property: "broker.brokerConfig.deleteWhen", reason: /two-digit hours/ },
    { rule: "bad flushDiskType", args: { broker: { brokerConfig: { flushDiskType: "NEVER" } } }, property: "broker.brokerConfig.flushDiskType", reason: /one of ASYNC_FLUSH, SYNC_FLUSH/ },
    { rule: "ClusterFirst with hostNetwork", args: { nameServer: { hostNetwork: true, dnsPolicy: "ClusterFirst" } }, property: "nameServer.dnsPolicy", reason: /use ClusterFirstWithHostNet/ },
    { rule: "node resolver for brokers", args: { broker: { dnsPolicy: "Default" } }, property: "broker.dnsPolicy", reason: /cannot resolve/ },
    { rule: "unknown dnsPolicy", args: { broker: { dnsPolicy: "None" } }, property: "broker.dnsPolicy", reason: /one of ClusterFirst, ClusterFirstWithHostNet, Default/ },
    { rule: "heap not below the memory limit", args: { broker: { resources: { limits: { memory: "2Gi" } }, jvmMemory: { heap: "2g" } } }, property: "broker.jvmMemory.heap", reason: /does not fit in the memory limit 2Gi/ },
    { rule: "malformed heap size", args: { broker: { jvmMemory: { heap: "512mb" } } }, property: "broker.jvmMemory.heap", reason: /not a memory size/ },
    { rule: "young generation not below the heap", args: { broker: { jvmMemory: { heap: "1g", youngGeneration: "1g" } } }, property: "broker.jvmMemory.youngGeneration", reason: /smaller than the heap/ },
    { rule: "scalePodName of a missing group", args: { broker: { size: 2, scalePodName: "broker-2-master-0" } }, property: "broker.scalePodName", reason: /master pod of an existing group/ },
    { rule: "scalePodName of a replica", args: { broker: { scalePodName: "broker-0-replica-1-0" } }, property: "broker.scalePodName", reason: /master pod of an existing group/ },
    { rule: "scalePodName of a replica the group lacks, with a controller", args: { broker: { replicaPerGroup: 1, scalePodName: "broker-0-replica-2-0" }, controller: { mode: "standalone" } }, property: "broker.scalePodName", reason: /master pod of an existing group.*replica-<i>-0 with i from 1 to replicaPerGroup/ },
    { rule: "malformed nameServers", args: { broker: { nameServers: "10.0.0.5,10.0.0.6" } }, property: "broker.nameServers", reason: /host:port entries separated by ';'/ },
    { rule: "mount of an undeclared volume", args: { broker: { volumeMounts: [{ name: "extra", mountPath: "/extra" }] } }, property: "broker.volumeMounts[0].name", reason: /does not name a volume in broker.volumes/ },
    { rule: "mount over the store", args: { broker: { volumes: [{ name: "x", emptyDir: {} }], volumeMounts: [{ name: "x", mountPath: "/home/rocketmq/store" }] } }, property: "broker.volumeMounts[0].mountPath", reason: /used by the provider/ },
    { rule: "volume name the provider uses", args: { broker: { volumes: [{ name: "rocketmq-data", emptyDir: {} }] } }, property: "broker.volumes[0].name", reason: /used by the provider/ },
    { rule: "nodePort with ClusterIP", args: { console: { nodePort: 30000 } }, property: "console.nodePort", reason: /needs serviceType NodePort or LoadBalancer/ },
    { rule: "unknown serviceType", args: { console: { serviceType: "Ingress" } }, property: "console.serviceType", reason: /one of ClusterIP, NodePort, LoadBalancer/ },
    { rule: "bad namespace", args: { namespace: "My_Namespace" }, property: "namespace", reason: /lower-case letters, digits or '-'/ },
    { rule: "bad brokerClusterName", args: { brokerClusterName: "my cluster" }, property: "brokerClusterName", reason: /letters, digits, '_' or '-'/ },
    { rule: "label the provider sets", args: { labels: { "app.kubernetes.io/name": "x" } }, property: 'labels["app.kubernetes.io/name"]', reason: /set by the provider/ },
    { rule: "bad label key", args: { annotations: { "-bad": "x" } }, property: 'annotations["-bad"]', reason: /not a valid label or annotation key/ },
    { rule: "bad label value", args: { labels: { team: "a b" } }, property: "labels.team", reason: /not a valid label value/ },
    { rule: "misspelt input", args: { broker: { replicasPerGroup: 2 } }, property: "broker.replicasPerGroup", reason: /is not an input/ },
];

describe("RocketMQCluster input validation", () => {
    for (const bad of badInputs) {
        it(`refuses ${bad.rule}`, () => {
            const validation = validateClusterArgs(bad.args);
            assert.strictEqual(validation.ok, false, `${JSON.stringify(bad.args)} was accepted`);
            const failures = validation.ok ? [] : validation.failures;
            const failure = failures.find((candidate) => candidate.property === bad.property);
            assert.ok(failure, `no failure at ${bad.property}; got ${JSON.stringify(failures)}`);
            assert.match(failure.reason, bad.reason);
        });
    }

    it("reports every bad input of one spec together", () => {
        const validation = validateClusterArgs({
            nameServer: { size: -1 },
            broker: { replicaPerGroup: 9, brokerConfig: { brokerRole: "SLAVE", brokerId: 2 } },
            console: { serviceType: "Ingress" },
        });
        assert.ok(!validation.ok);
        assert.deepStrictEqual(validation.failures.map((failure) => failure.property).sort(), [
            "broker.brokerConfig.brokerId",
            "broker.brokerConfig.brokerRole",
            "broker.replicaPerGroup",
            "console.serviceType",
            "nameServer.size",
        ]);
    });

    it("accepts the good counterparts of those rules", () => {
        const validation = validateClusterArgs({
            nameServer: { size: 3, hostNetwork: true, storageMode: "HostPath", hostPath: "/data/ns" },
            broker: {
                size: 2,
                replicaPerGroup: 0,
                scalePodName: "broker-1-master-0",
                resources: { requests: { memory: "2Gi", cpu: "500m" }, limits: { memory: "4Gi", cpu: "1" } },
                jvmMemory: { heap: "2g", youngGeneration: "512Mi" },
                env: [{ name: "TZ", value: "UTC" }, { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } }],
                volumes: [{ name: "extra", emptyDir: {} }],
                volumeMounts: [{ name: "extra", mountPath: "/extra" }],
                brokerConfig: { brokerRole: "ASYNC_MASTER", properties: { autoCreateTopicEnable: "false" } },
                nameServers: "10.0.0.5:9876;mq-ns.example.com:9876",
            },
            console: { serviceType: "NodePort", nodePort: 30000 },
            labels: { team: "messaging" },
        });
        assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.failures));
        assert.strictEqual(validation.value.nameServer.dnsPolicy, undefined, "left to the hostNetwork default");
    });

    it("with a controller, accepts a replica's pod as scalePodName: any pod of a group may be its master", () => {
        for (const mode of ["standalone", "embedded"]) {
            const validation = validateClusterArgs({ broker: { size: 2, replicaPerGroup: 1, scalePodName: "broker-1-replica-1-0" }, controller: { mode } });
            assert.ok(validation.ok, `${mode}: ${JSON.stringify(!validation.ok && validation.failures)}`);
        }
    });

    it("accepts SYNC_MASTER when each master has a replica to wait for", () => {
        const validation = validateClusterArgs({ broker: { replicaPerGroup: 1, brokerConfig: { brokerRole: "SYNC_MASTER" } } });
        assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.failures));
    });

    it("accepts ClusterFirstWithHostNet without hostNetwork, as Kubernetes does, and warns naming the field", async () => {
        const args = { nameServer: { dnsPolicy: "ClusterFirstWithHostNet" }, broker: { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } };
        const validation = validateClusterArgs(args);
        assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.failures));
        const warnings = await warningsDuring(() => renderCluster(args));
        assert.deepStrictEqual(warnings, ["nameServer.dnsPolicy: ClusterFirstWithHostNet applies only with nameServer.hostNetwork true; without it Kubernetes uses ClusterFirst"]);
    });

    it("warns of ClusterFirstWithHostNet without hostNetwork when construct receives it, and not when hostNetwork is unknown", async () => {
        const known = await warningsDuring(() => constructCluster({ broker: { dnsPolicy: "ClusterFirstWithHostNet" } }));
        assert.ok(known.some((message) => /^broker\.dnsPolicy: ClusterFirstWithHostNet applies only with broker\.hostNetwork true/.test(message)), known.join("\n"));
        const unknown = await warningsDuring(() => constructCluster({ broker: { dnsPolicy: "ClusterFirstWithHostNet", hostNetwork: pulumi.output(pulumi.unknown) } }));
        assert.ok(!unknown.some((message) => message.includes("dnsPolicy")), unknown.join("\n"));
    });

    it("creates nothing when an input is bad, and names every failure in the error", async () => {
        const { error, count } = await registrationsDuring(() => new RocketMQCluster("bad", { broker: { replicaPerGroup: 7, storageMode: "HostPath" } } as any));
        assert.strictEqual(count, 0);
        assert.ok(pulumi.InputPropertiesError.isInstance(error), `threw ${String(error)}`);
        assert.deepStrictEqual(error.errors.map((detail) => detail.propertyPath).sort(), ["broker.hostPath", "broker.replicaPerGroup"]);
        assert.match(error.message, /broker\.replicaPerGroup: replicaPerGroup must be a whole number from 0 to 3/);
    });
});
