// Unknown and secret inputs keep their nature through RocketMQCluster: each test runs the
// provider's construct as the engine does, with values that are unknown (a preview before the
// resource they come from exists) or secret, at every nesting level, in the three forms the engine
// sends them (Output values, bare unknowns and secrets, and secrets hoisted to an enclosing value).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { constructCluster, ConstructedCluster, kind, useMocks } from "./clusterHarness";

const secretText = "s3cr3t-access-key";

function unknownOutput(): pulumi.Output<any> {
    return pulumi.output(pulumi.unknown) as pulumi.Output<any>;
}

/** A secret as the engine sends it without output values: a signature object around the value. */
function rpcSecret(value: unknown): unknown {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

function isSecretWrapper(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

function isUnknownValue(value: unknown): boolean {
    return pulumi.isUnknown(value) || value === rpc.unknownValue;
}

/** Paths where `text` appears in a value that is not wrapped as secret. */
function plaintextPaths(value: unknown, text: string, path = ""): string[] {
    if (isSecretWrapper(value)) {
        return [];
    }
    if (typeof value === "string") {
        return value.includes(text) ? [path] : [];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, element]) => plaintextPaths(element, text, `${path}.${key}`));
    }
    return [];
}

/** The value with secret wrappers removed, for reading what a secret field holds. */
function unwrapped(value: any): any {
    if (isSecretWrapper(value)) {
        return unwrapped(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapped);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, unwrapped(element)]));
    }
    return value;
}

async function nature(output: pulumi.Output<unknown>): Promise<{ known: boolean; secret: boolean }> {
    const state = output as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean> };
    return { known: await state.isKnown, secret: await state.isSecret };
}

function assertNoPlaintext(cluster: ConstructedCluster, text: string) {
    for (const object of [...cluster.objects, ...Object.values(cluster.provided)]) {
        assert.deepStrictEqual(plaintextPaths(object.inputs, text), [], `${object.name} holds the secret in plain text`);
    }
}

describe("RocketMQCluster keeps unknown inputs unknown (preview)", () => {
    before(() => useMocks("preview"));
    after(() => useMocks("up"));

    it("an unknown namespace: every object's namespace and every address is computed, the objects are the same", async () => {
        const cluster = await constructCluster({ namespace: unknownOutput() });
        assert.deepStrictEqual(cluster.names(), [
            "ConfigMap broker-0-config", "Deployment console", "PodDisruptionBudget broker-0", "PodDisruptionBudget name-service",
            "Service broker-0", "Service broker-metrics", "Service console-service", "Service name-service",
            "StatefulSet broker-0-master", "StatefulSet broker-0-replica-1", "StatefulSet name-service",
        ]);
        for (const object of cluster.objects) {
            assert.ok(isUnknownValue(object.inputs.metadata.namespace), `${object.name} namespace is ${object.inputs.metadata.namespace}, not computed`);
        }
        // broker.conf names the name servers by their DNS names, which hold the namespace.
        assert.ok(isUnknownValue(cluster.object(kind.configMap, "broker-0-config").data["master.conf"]));
        for (const output of ["namespace", "nameServerAddresses", "nameServerAddressList", "consoleUrl"]) {
            assert.deepStrictEqual(await nature(cluster.state[output]), { known: false, secret: false }, output);
        }
        assert.deepStrictEqual(await nature(cluster.state.brokerClusterName), { known: true, secret: false });
    });

    it("an unknown name server count: the StatefulSet's replicas and the brokers' name server list are computed", async () => {
        const cluster = await constructCluster({ nameServer: { size: rpc.unknownValue } });
        assert.ok(isUnknownValue(cluster.object(kind.statefulSet, "name-service").spec.replicas));
        assert.ok(isUnknownValue(cluster.object(kind.configMap, "broker-0-config").data["master.conf"]));
        assert.strictEqual(cluster.object(kind.statefulSet, "broker-0-master").metadata.namespace, "default");
    });

    it("unknown leaves deep in the broker spec: only what derives from them is computed", async () => {
        const cluster = await constructCluster({
            broker: {
                image: unknownOutput(),
                env: [{ name: "TZ", value: "UTC" }, { name: "TOKEN", value: pulumi.unknown }],
                brokerConfig: { fileReservedTime: unknownOutput(), properties: { autoCreateTopicEnable: "false" } },
                resources: { limits: { memory: unknownOutput() } },
                storageMode: unknownOutput(),
            },
            labels: { team: unknownOutput() },
        });
        const master = cluster.object(kind.statefulSet, "broker-0-master");
        const container = master.spec.template.spec.containers[0];
        assert.ok(isUnknownValue(container.image), "image");
        assert.ok(isUnknownValue(master.metadata.labels), "labels hold the version of an unknown image and an unknown team");
        assert.ok(isUnknownValue(master.spec.template.spec.volumes), "volumes depend on storageMode");
        // The env list depends on storageMode too (POD_NAME for host paths); the JVM flags on the memory limit.
        assert.ok(isUnknownValue(container.env), "env");
        assert.ok(isUnknownValue(cluster.object(kind.configMap, "broker-0-config").data["master.conf"]), "fileReservedTime is part of broker.conf");
        // The name servers depend on none of these.
        const nameServer = cluster.object(kind.statefulSet, "name-service");
        assert.strictEqual(nameServer.spec.template.spec.containers[0].image, "apache/rocketmq:5.5.1");
        assert.strictEqual(nameServer.spec.replicas, 1);
    });

    it("an unknown env value alone leaves the rest of the env list as it is", async () => {
        const cluster = await constructCluster({ broker: { env: [{ name: "TZ", value: "UTC" }, { name: "TOKEN", value: unknownOutput() }] } });
        const env = cluster.object(kind.statefulSet, "broker-0-master").spec.template.spec.containers[0].env;
        assert.deepStrictEqual(env.find((entry: any) => entry.name === "TZ"), { name: "TZ", value: "UTC" });
        assert.ok(isUnknownValue(env.find((entry: any) => entry.name === "TOKEN").value));
    });

    it("an unknown broker group count: the groups are not shown as a plan up would not run, and brokerGroups is computed", async () => {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        pulumi.log.warn = (message: string) => { warnings.push(message); return Promise.resolve(); };
        try {
            const cluster = await constructCluster({ broker: { size: unknownOutput() } });
            assert.deepStrictEqual(cluster.names(), ["Deployment console", "PodDisruptionBudget name-service", "Service console-service", "Service name-service", "StatefulSet name-service"]);
            assert.deepStrictEqual(await nature(cluster.state.brokerGroups), { known: false, secret: false });
            assert.ok(warnings.some((message) => /broker\.size.*not all known until pulumi up.*broker groups/.test(message)), warnings.join("\n"));
        } finally {
            pulumi.log.warn = warn;
        }
    });

    it("a whole unknown section: its objects wait for up, the others are planned", async () => {
        const cluster = await constructCluster({ console: rpc.unknownValue, broker: { size: 2 } });
        assert.deepStrictEqual(cluster.names().filter((name) => name.includes("console")), []);
        assert.ok(cluster.names().includes("StatefulSet broker-1-master"));
        assert.deepStrictEqual(await nature(cluster.state.consoleUrl), { known: false, secret: false });
    });

    it("a known value of the wrong type is refused with its rule beside an unknown one", async () => {
        await assert.rejects(constructCluster({ namespace: null, broker: { image: unknownOutput() } }), (error: any) => {
            assert.deepStrictEqual(error.errors.map((detail: any) => [detail.propertyPath, detail.reason]), [["namespace", "must be a string"]]);
            return true;
        });
    });

    it("validation checks what is known and leaves rules about unknown values to up", async () => {
        await assert.rejects(constructCluster({ namespace: unknownOutput(), broker: { replicaPerGroup: 9 } }), (error: any) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(error));
            assert.deepStrictEqual(error.errors.map((detail: any) => detail.propertyPath), ["broker.replicaPerGroup"]);
            assert.match(error.errors[0].reason, /replicaPerGroup must be a whole number from 0 to 3/);
            return true;
        });
        // Rules that need the unknown value (hostPath required, scalePodName below size) wait for it.
        const cluster = await constructCluster({
            broker: { storageMode: "HostPath", hostPath: unknownOutput(), size: unknownOutput(), scalePodName: "broker-3-master-0" },
            nameServer: { hostNetwork: unknownOutput(), dnsPolicy: "ClusterFirst" },
        });
        assert.ok(isUnknownValue(cluster.object(kind.statefulSet, "name-service").spec.template.spec.hostNetwork));
        assert.ok(isUnknownValue(cluster.object(kind.statefulSet, "name-service").spec.template.spec.dnsPolicy));
    });
});

describe("RocketMQCluster keeps secret inputs secret", () => {
    it("a secret broker setting goes to the group's Secret, which the pods mount beside the ConfigMap", async () => {
        const cluster = await constructCluster({
            broker: { brokerConfig: { properties: { accessKey: pulumi.secret(secretText), autoCreateTopicEnable: "false" } } },
        });
        assertNoPlaintext(cluster, secretText);
        const configMap = cluster.object(kind.configMap, "broker-0-config");
        assert.match(configMap.data["master.conf"], /^autoCreateTopicEnable=false$/m);
        assert.doesNotMatch(JSON.stringify(configMap), /accessKey/);
        const secret = cluster.object(kind.secret, "broker-0-secret");
        assert.ok(isSecretWrapper(secret.stringData), "the Secret's data is stored secret");
        assert.deepStrictEqual(unwrapped(secret.stringData), { "master.conf": `accessKey=${secretText}\n`, "replica-1.conf": `accessKey=${secretText}\n` });
        for (const [name, key] of [["broker-0-master", "master.conf"], ["broker-0-replica-1", "replica-1.conf"]]) {
            const pod = unwrapped(cluster.object(kind.statefulSet, name).spec.template);
            const configVolume = pod.spec.volumes.find((volume: any) => volume.name === "rocketmq-config");
            assert.deepStrictEqual(configVolume.projected.sources, [
                { configMap: { name: "broker-0-config", items: [{ key, path: "broker.conf" }] } },
                { secret: { name: "broker-0-secret", items: [{ key, path: "secret.conf" }] } },
            ]);
            assert.strictEqual(pod.metadata.annotations["rocketmq/secret-version"], "1", "a new Secret version rolls the pods");
            assert.match(pod.spec.containers[0].command[2], /cat \/etc\/rocketmq\/secret\.conf >> \/home\/rocketmq\/conf\/broker\.conf/);
        }
    });

    it("a secret env value is read from the group's Secret, never written into the pod spec", async () => {
        const cluster = await constructCluster({
            broker: { size: 2, env: [{ name: "TZ", value: "UTC" }, rpcSecret({ name: "ACCESS_KEY", value: secretText })] },
        });
        assertNoPlaintext(cluster, secretText);
        for (const group of [0, 1]) {
            const env = unwrapped(cluster.object(kind.statefulSet, `broker-${group}-master`)).spec.template.spec.containers[0].env;
            assert.deepStrictEqual(env.find((entry: any) => entry.name === "TZ"), { name: "TZ", value: "UTC" });
            assert.deepStrictEqual(env.find((entry: any) => entry.name === "ACCESS_KEY"),
                { name: "ACCESS_KEY", valueFrom: { secretKeyRef: { name: `broker-${group}-secret`, key: "env-1" } } });
            assert.deepStrictEqual(unwrapped(cluster.object(kind.secret, `broker-${group}-secret`).stringData), { "env-1": secretText });
        }
    });

    it("a secret typed setting and a whole secret properties map land in the Secret too", async () => {
        const cluster = await constructCluster({
            broker: { replicaPerGroup: 0, brokerConfig: rpcSecret({ fileReservedTime: 72, properties: { secretKey: secretText } }) },
        });
        assertNoPlaintext(cluster, secretText);
        assert.deepStrictEqual(unwrapped(cluster.object(kind.secret, "broker-0-secret").stringData),
            { "master.conf": `fileReservedTime=72\nsecretKey=${secretText}\n` });
        assert.doesNotMatch(cluster.object(kind.configMap, "broker-0-config").data["master.conf"], /fileReservedTime|secretKey/);
    });

    it("no Secret and no projected volume when nothing is secret", async () => {
        const cluster = await constructCluster({ broker: { brokerConfig: { properties: { autoCreateTopicEnable: "false" } } } });
        assert.ok(!cluster.names().some((name) => name.startsWith("Secret")));
        const volumes = cluster.object(kind.statefulSet, "broker-0-master").spec.template.spec.volumes;
        assert.deepStrictEqual(volumes[0], { name: "rocketmq-config", configMap: { name: "broker-0-config", items: [{ key: "master.conf", path: "broker.conf" }] } });
    });

    it("a secret namespace keeps every object's namespace and every output that holds it secret", async () => {
        const cluster = await constructCluster({ namespace: pulumi.secret("hidden-ns") });
        assertNoPlaintext(cluster, "hidden-ns");
        for (const output of ["namespace", "nameServerAddresses", "nameServerAddressList", "consoleUrl"]) {
            assert.deepStrictEqual(await nature(cluster.state[output]), { known: true, secret: true }, output);
        }
        assert.deepStrictEqual(await nature(cluster.state.brokerClusterName), { known: true, secret: false });
    });

    it("secret labels, images and pod settings stay secret in every object that carries them", async () => {
        const cluster = await constructCluster({
            labels: { team: pulumi.secret("team-hidden") },
            serviceAccountName: pulumi.secret("sa-hidden"),
            nameServer: { image: pulumi.secret("registry.example/hidden/rocketmq:5.3.2") },
            console: { resources: { limits: { cpu: pulumi.secret("1") } } },
        });
        for (const text of ["team-hidden", "sa-hidden", "registry.example/hidden"]) {
            assertNoPlaintext(cluster, text);
        }
        assert.ok(isSecretWrapper(cluster.object(kind.statefulSet, "name-service").spec), "the name server spec carries a secret");
    });

    it("a refused secret value is not quoted in the error", async () => {
        await assert.rejects(constructCluster({ namespace: pulumi.secret("Hidden_NS") }), (error: any) => {
            assert.deepStrictEqual(error.errors.map((detail: any) => detail.propertyPath), ["namespace"]);
            assert.doesNotMatch(error.message, /Hidden_NS/);
            assert.match(error.errors[0].reason, /"\[secret\]" must be 1-63 lower-case letters/);
            return true;
        });
    });

    it("a secret count is used as a count: object names and numbers cannot be secret", async () => {
        const cluster = await constructCluster({ broker: { size: pulumi.secret(2), replicaPerGroup: 0 } });
        assert.ok(cluster.names().includes("StatefulSet broker-1-master"));
    });
});
