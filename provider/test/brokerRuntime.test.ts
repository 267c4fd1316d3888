// How changes reach running brokers, with Pulumi's mocks and a fake admin client: the resources
// RocketMQCluster creates for it and their order in the graph, the rolling order of the broker
// StatefulSets, the run-time key split, what a push sends, the preview's warning for changes
// that wait for a restart, and the registration wait's progress and timeout.
import * as assert from "assert";
import type { RocketMQAdminClient } from "../src/admin/client";
import type { ClusterInfo } from "../src/admin/types";
import { ClientFailureCode } from "../src/admin/codes";
import { RocketMQAdminError } from "../src/admin/errors";
import { runtimeBrokerConfigKeys } from "../src/admin/runtimeConfigKeys";
import type { ClusterAccess } from "../src/connect/clusterConnection";
import { brokersOfCluster } from "../src/ops/scaling/brokerConfigPush";
import { waitForRegistrations } from "../src/ops/scaling/registrationWait";
import type { Clock, ProgressLog } from "../src/ops/progressLog";
import type { AdminClientFactory } from "../src/resources/adminClients";
import { brokerConfigPushHandler, settingsChange } from "../src/resources/brokerConfigPush";
import { nameServerRegistrationHandler } from "../src/resources/nameServerRegistration";
import { brokerRolloutHandler } from "../src/resources/brokerRollout";
import { rolloutPending } from "../src/ops/scaling/rolloutWait";
import { releaseOf } from "../src/inputs/imageChange";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { kind, renderCluster } from "./clusterHarness";

const pushType = "rocketmq:index:BrokerConfigPush";
const registrationType = "rocketmq:index:NameServerRegistration";
const ns = (i: number, namespace = "default") => `name-service-${i}.name-service.${namespace}.svc.cluster.local:9876`;

function confLines(text: string): Record<string, string> {
    return Object.fromEntries(text.trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
}

function collectingLog(): ProgressLog & { lines: string[] } {
    const lines: string[] = [];
    return { lines, info: (line) => void lines.push(`info: ${line}`), warn: (line) => void lines.push(`warn: ${line}`) };
}

/** A clock that moves only when the code under test sleeps. */
function fakeClock(): Clock {
    let now = 0;
    return { now: () => now, sleep: async (ms) => void (now += ms) };
}

function clusterInfo(cluster: string, groups: Record<string, Record<string, string>>): ClusterInfo {
    return {
        clusters: { [cluster]: Object.keys(groups) },
        brokers: Object.fromEntries(Object.entries(groups).map(([brokerName, addresses]) => [brokerName, { cluster, brokerName, addresses }])),
    };
}

/** A fake admin: cluster info per name server, broker configs per address, and every call recorded. */
function fakeAdmins(infoOf: (nameServer: string) => ClusterInfo | undefined) {
    const calls: string[] = [];
    const accesses: ClusterAccess[] = [];
    const configs = new Map<string, Record<string, string>>();
    const client = {
        async getClusterInfoFrom(nameServer: string) {
            calls.push(`getClusterInfoFrom ${nameServer}`);
            const info = infoOf(nameServer);
            if (!info) throw new Error(`connect ECONNREFUSED ${nameServer}`);
            return info;
        },
        async updateBrokerConfig(address: string, properties: Record<string, string>) {
            calls.push(`updateBrokerConfig ${address} ${JSON.stringify(properties)}`);
            configs.set(address, { ...configs.get(address), ...properties });
        },
        async getBrokerConfig(address: string) {
            return configs.get(address) ?? {};
        },
    } as unknown as RocketMQAdminClient;
    const factory: AdminClientFactory = {
        async open(access) {
            accesses.push(access);
            return { client, close() {} };
        },
    };
    return { factory, calls, accesses, client };
}

describe("RocketMQCluster carries changes to running brokers", () => {
    it("creates a BrokerConfigPush before the name servers and a NameServerRegistration after every broker", async () => {
        const rendered = await renderCluster({
            nameServer: { size: 3 },
            broker: { size: 2, replicaPerGroup: 1, brokerConfig: { deleteWhen: "04", flushDiskType: "SYNC_FLUSH", properties: { autoCreateTopicEnable: "false", traceTopicEnable: "true" } } },
            connection: "portForward",
        }, "runtime");
        const push = rendered.provided[pushType];
        const registrations = rendered.provided[registrationType];
        const list = [0, 1, 2].map((i) => ns(i)).join(";");
        assert.strictEqual(push.inputs.namesrvAddr, list);
        assert.strictEqual(push.inputs.connection, "portForward");
        assert.strictEqual(push.inputs.allowRestart, true);
        // Run-time keys with their values; the rest only as digests, compared to find what needs a restart.
        assert.deepStrictEqual(push.inputs.settings, { deleteWhen: "04", autoCreateTopicEnable: "false" });
        assert.deepStrictEqual(Object.keys(push.inputs.restartSettings).sort(), ["broker.env", "broker.image", "broker.jvmMemory", "broker.resources", "flushDiskType", "metrics.enabled", "traceTopicEnable"]);
        assert.ok(Object.values(push.inputs.restartSettings).every((value) => /^[0-9a-f]{64}$/.test(value as string)));
        assert.deepStrictEqual(registrations.inputs, { brokerClusterName: "DefaultCluster", namesrvAddr: list, brokers: { "broker-0": 2, "broker-1": 2 }, namespace: "default", connection: "portForward" });

        // The name servers change only after the push; the wait follows every StatefulSet.
        assert.ok(rendered.dependsOn.get("runtime-name-service")!.includes("runtime-broker-settings"));
        assert.deepStrictEqual([...rendered.dependsOn.get("runtime-registrations")!].sort(), [
            "runtime-broker-0-master", "runtime-broker-0-master-rollout", "runtime-broker-0-replica-1", "runtime-broker-0-replica-1-rollout",
            "runtime-broker-1-master", "runtime-broker-1-master-rollout", "runtime-broker-1-replica-1", "runtime-broker-1-replica-1-rollout", "runtime-name-service-rollout",
        ]);
        assert.deepStrictEqual(rendered.dependsOn.get("runtime-broker-settings") ?? [], []);
    });

    it("the kubeconfig reaches both resources as a secret", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
        const rendered = await renderCluster({ kubeconfig });
        for (const type of [pushType, registrationType]) {
            const value = rendered.provided[type].inputs.kubeconfig;
            assert.strictEqual(value?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", `${type} kubeconfig is secret`);
            assert.strictEqual(value.value, kubeconfig);
        }
    });

    it("allowRestart true: the broker StatefulSets form one chain, group by group, replicas before the master, each after the one before is rolled out", async () => {
        const rendered = await renderCluster({ broker: { size: 2, replicaPerGroup: 2, image: "apache/rocketmq:5.3.2" }, kubeconfig: "apiVersion: v1\nkind: Config\n" }, "chain");
        const chainOf = (name: string) => rendered.dependsOn.get(`chain-${name}`)!.filter((dependency) => /-(master|replica-\d)(-rollout)?$/.test(dependency));
        assert.deepStrictEqual(chainOf("broker-0-replica-1"), []);
        assert.deepStrictEqual(chainOf("broker-0-replica-1-rollout"), ["chain-broker-0-replica-1"]);
        assert.deepStrictEqual(chainOf("broker-0-replica-2"), ["chain-broker-0-replica-1-rollout"]);
        assert.deepStrictEqual(chainOf("broker-0-master"), ["chain-broker-0-replica-2-rollout"]);
        assert.deepStrictEqual(chainOf("broker-1-replica-1"), ["chain-broker-0-master-rollout"]);
        assert.deepStrictEqual(chainOf("broker-1-replica-2"), ["chain-broker-1-replica-1-rollout"]);
        assert.deepStrictEqual(chainOf("broker-1-master"), ["chain-broker-1-replica-2-rollout"]);
        assert.deepStrictEqual(chainOf("broker-1-master-rollout"), ["chain-broker-1-master"]);
        const rollouts = rendered.providedAll.filter((object) => object.type === "rocketmq:index:BrokerRollout");
        assert.deepStrictEqual(rollouts.map((object) => object.inputs.statefulSetName), [
            "name-service", "broker-0-replica-1", "broker-0-replica-2", "broker-0-master", "broker-1-replica-1", "broker-1-replica-2", "broker-1-master",
        ]);
        // The wait reruns whenever the StatefulSet's spec changes: its generation is an input. The mocks echo inputs, so none here.
        assert.ok(rollouts.every((object) => object.inputs.namespace === "default" && object.inputs.kubeconfig?.value === "apiVersion: v1\nkind: Config\n"));
        for (const name of ["broker-0-master", "broker-1-replica-1"]) {
            assert.strictEqual(rendered.object(kind.statefulSet, name).spec.updateStrategy.type, "RollingUpdate");
        }
        // Every broker StatefulSet still waits for the name servers to be rolled out and Ready.
        assert.ok(rendered.dependsOn.get("chain-broker-1-master")!.includes("chain-name-service-rollout"));
    });

    it("allowRestart false: no chain (nothing restarts), OnDelete, and no restart annotation", async () => {
        const rendered = await renderCluster({ broker: { size: 2, allowRestart: false } }, "nochain");
        // Only the name servers' wait: they roll whatever allowRestart says.
        assert.deepStrictEqual(rendered.providedAll.filter((object) => object.type === "rocketmq:index:BrokerRollout").map((object) => object.inputs.statefulSetName), ["name-service"]);
        for (const name of ["broker-0-master", "broker-0-replica-1", "broker-1-master", "broker-1-replica-1"]) {
            assert.deepStrictEqual(rendered.dependsOn.get(`nochain-${name}`)!.filter((dependency) => /-(master|replica-\d)(-rollout)?$/.test(dependency)), []);
            const statefulSet = rendered.object(kind.statefulSet, name);
            assert.strictEqual(statefulSet.spec.updateStrategy.type, "OnDelete");
            assert.strictEqual(statefulSet.spec.template.metadata.annotations?.["rocketmq/config-sha256"], undefined);
        }
        assert.strictEqual(rendered.provided[pushType].inputs.allowRestart, false);
    });

    it("renders updateNameServerAddrPeriod only for versions that read it (5.3.1 and later)", async () => {
        for (const [image, expected] of [
            ["apache/rocketmq:5.3.1", "10000"], ["apache/rocketmq:5.3.2", "10000"], ["apache/rocketmq:5.4.0", "10000"], ["apache/rocketmq:6.0.0", "10000"],
            ["apache/rocketmq:5.3.0", undefined], ["apache/rocketmq:5.2.9", undefined], ["apache/rocketmq:4.9.8", undefined], ["apache/rocketmq:latest", undefined],
        ] as const) {
            const rendered = await renderCluster({ broker: { image } });
            const conf = confLines(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]);
            assert.strictEqual(conf.updateNameServerAddrPeriod, expected, image);
        }
    });
});

describe("the run-time key list", () => {
    it("holds the keys the brokers read live, each with where it is read, and not the ones read at start", () => {
        for (const key of ["namesrvAddr", "brokerPermission", "deleteWhen", "fileReservedTime", "autoCreateTopicEnable", "autoCreateSubscriptionGroup", "diskMaxUsedSpaceRatio"]) {
            assert.ok(runtimeBrokerConfigKeys[key], key);
        }
        for (const key of ["flushDiskType", "brokerRole", "listenPort", "traceTopicEnable", "defaultTopicQueueNums", "updateNameServerAddrPeriod", "maxMessageSize"]) {
            assert.strictEqual(runtimeBrokerConfigKeys[key], undefined, key);
        }
    });
});

describe("BrokerConfigPush", () => {
    const base = {
        brokerClusterName: "DefaultCluster",
        namesrvAddr: ns(0),
        settings: { deleteWhen: "04" },
        restartSettings: { flushDiskType: "a", "broker.image": "b" },
        allowRestart: false,
        controllerMode: "none" as const,
        connection: "direct" as const,
    };

    it("a change pushes the new values of run-time keys and names what waits for a restart", () => {
        const change = settingsChange(base, {
            ...base,
            namesrvAddr: `${ns(0)};${ns(1)}`,
            settings: { deleteWhen: "04", fileReservedTime: "24" },
            restartSettings: { flushDiskType: "c", "broker.image": "b", traceTopicEnable: "d" },
        });
        assert.deepStrictEqual(change.push, { fileReservedTime: "24", namesrvAddr: `${ns(0)};${ns(1)}` });
        assert.deepStrictEqual(change.needRestart, ["flushDiskType", "traceTopicEnable"]);
        // A run-time key taken out keeps its value on the running brokers until they restart.
        assert.deepStrictEqual(settingsChange(base, { ...base, settings: {} }).needRestart, ["deleteWhen"]);
        assert.deepStrictEqual(settingsChange(base, base), { push: {}, needRestart: [] });
    });

    it("diff warns in preview, naming the keys, when allowRestart is false, and not when it is true", async () => {
        const logs: Record<string, ReturnType<typeof collectingLog>> = {};
        const handler = brokerConfigPushHandler(fakeAdmins(() => undefined).factory, (urn) => (logs[urn] ??= collectingLog()));
        const news = { ...base, restartSettings: { flushDiskType: "changed", "broker.image": "other" } };
        const diff = await handler.diff("id", base, news, "urn:a");
        assert.strictEqual(diff.changes, true);
        assert.strictEqual(logs["urn:a"].lines.length, 1);
        assert.match(logs["urn:a"].lines[0], /^warn: cluster DefaultCluster: broker\.image, flushDiskType changed and take effect only when the brokers restart; allowRestart is false/);
        await handler.diff("id", { ...base, allowRestart: true }, { ...news, allowRestart: true }, "urn:b");
        assert.strictEqual(logs["urn:b"], undefined);
        assert.strictEqual((await handler.diff("id", base, base, "urn:c")).changes, false);
    });

    it("create contacts nothing; update pushes only what changed to every broker, found through the name servers they know", async () => {
        const info = clusterInfo("DefaultCluster", { "broker-0": { "0": "10.0.0.1:10911", "1": "10.0.0.2:10911" }, "broker-1": { "0": "10.0.0.3:10911" } });
        const admins = fakeAdmins((nameServer) => (nameServer === ns(0) ? info : undefined));
        const log = collectingLog();
        const handler = brokerConfigPushHandler(admins.factory, () => log);
        await handler.create("urn", base);
        assert.strictEqual(admins.calls.length, 0, admins.calls.join("\n"));

        const news = { ...base, namesrvAddr: `${ns(0)};${ns(1)};${ns(2)}`, settings: { deleteWhen: "04", autoCreateTopicEnable: "false" } };
        await handler.update("id", base, news, "urn");
        const sent = JSON.stringify({ autoCreateTopicEnable: "false", namesrvAddr: news.namesrvAddr });
        assert.deepStrictEqual(admins.calls.filter((call) => call.startsWith("update")), [
            // Replicas before their master, group by group.
            `updateBrokerConfig 10.0.0.2:10911 ${sent}`,
            `updateBrokerConfig 10.0.0.1:10911 ${sent}`,
            `updateBrokerConfig 10.0.0.3:10911 ${sent}`,
        ]);
        // The brokers are found through the name server they know; the new ones may not run yet.
        assert.strictEqual(admins.accesses[0].nameServerAddresses, ns(0));
        assert.deepStrictEqual(admins.calls.filter((call) => call.startsWith("getClusterInfoFrom")), [`getClusterInfoFrom ${ns(0)}`]);
        assert.ok(log.lines.some((line) => line.includes("(3/3)")), log.lines.join("\n"));

        // Only the access changed: nothing is contacted.
        admins.calls.length = 0;
        await handler.update("id", news, { ...news, connection: "portForward" }, "urn");
        assert.strictEqual(admins.calls.length, 0, admins.calls.join("\n"));
    });

    it("a broker that does not take a value fails the update naming it and the brokers already done", async () => {
        const info = clusterInfo("DefaultCluster", { "broker-0": { "0": "10.0.0.1:10911" }, "broker-1": { "0": "10.0.0.3:10911" } });
        const admins = fakeAdmins(() => info);
        const client = admins.client as unknown as { updateBrokerConfig: (address: string) => Promise<void> };
        client.updateBrokerConfig = async (address) => {
            if (address === "10.0.0.3:10911") throw new Error("NO_PERMISSION: Can not update config in black list.");
        };
        (admins.client as unknown as { getBrokerConfig: () => Promise<Record<string, string>> }).getBrokerConfig = async () => ({ deleteWhen: "05" });
        const handler = brokerConfigPushHandler(admins.factory, () => collectingLog());
        await assert.rejects(handler.update("id", base, { ...base, settings: { deleteWhen: "05" } }, "urn"),
            /broker-1 broker 0 \(10\.0\.0\.3:10911\) did not take deleteWhen: NO_PERMISSION.*Brokers that have the new settings: broker-0 broker 0 \(10\.0\.0\.1:10911\)/);
    });

    it("orders brokers replicas first, merging what several name servers report", () => {
        const one = clusterInfo("C", { "b-10": { "0": "a:1" }, "b-2": { "0": "c:1", "1": "d:1" } });
        const two = clusterInfo("C", { "b-2": { "0": "c:1", "2": "e:1" } });
        assert.deepStrictEqual(brokersOfCluster([one, two], "C").map((broker) => `${broker.brokerName}/${broker.brokerId}`), ["b-2/2", "b-2/1", "b-2/0", "b-10/0"]);
    });
});

describe("a broker image change", () => {
    const handler = brokerConfigPushHandler(fakeAdmins(() => undefined).factory, () => collectingLog());
    const base = { brokerClusterName: "DefaultCluster", namesrvAddr: ns(0), connection: "direct" };
    const check = (from: string | undefined, to: unknown) =>
        handler.check("urn", from === undefined ? {} : { ...base, brokerImage: from }, { ...base, brokerImage: to });

    it("to an older major release is refused at check, naming the field, both images and why", async () => {
        const result = await check("apache/rocketmq:5.5.1", "apache/rocketmq:4.9.7");
        assert.deepStrictEqual(result.failures?.map((failure) => failure.property), ["brokerImage"]);
        assert.match(result.failures![0].reason,
            /^broker\.image apache\/rocketmq:5\.5\.1 -> apache\/rocketmq:4\.9\.7 is a downgrade RocketMQ does not support: a 4\.x broker .*topic attributes such as message\.type are lost/);
        assert.ok((await check("registry.example/mq/rocketmq:5.0.0-alpine", "apache/rocketmq:4.9.8")).failures?.length === 1);
    });

    it("up, within the 5.x line either way, on first deploy, to an image naming no release, or to a value not known yet is let through", async () => {
        for (const [from, to] of [
            ["apache/rocketmq:5.3.2", "apache/rocketmq:5.5.1"], ["apache/rocketmq:4.9.7", "apache/rocketmq:5.3.2"], ["apache/rocketmq:5.5.1", "apache/rocketmq:5.3.2"],
            [undefined, "apache/rocketmq:4.9.7"], ["apache/rocketmq:5.5.1", "apache/rocketmq:latest"], ["apache/rocketmq:5.5.1", "apache/rocketmq@sha256:" + "a".repeat(64)],
        ] as const) {
            const result = await check(from, to);
            assert.deepStrictEqual(result.failures ?? [], [], `${from} -> ${to}`);
            assert.strictEqual((result.inputs as { brokerImage?: string }).brokerImage, to);
        }
        const unknown = await check("apache/rocketmq:5.5.1", rpc.unknownValue);
        assert.deepStrictEqual(unknown.failures ?? [], []);
    });

    it("reaches the BrokerConfigPush from broker.image, so the state keeps the image the brokers were given", async () => {
        const rendered = await renderCluster({ broker: { image: "apache/rocketmq:5.3.2" } });
        assert.strictEqual(rendered.provided[pushType].inputs.brokerImage, "apache/rocketmq:5.3.2");
    });
});

describe("release of an image", () => {
    it("is read from the tag's leading version, and absent when the tag names none", () => {
        assert.deepStrictEqual(releaseOf("apache/rocketmq:5.3.2"), { major: 5, minor: 3, patch: 2 });
        assert.deepStrictEqual(releaseOf("my.registry:5000/rocketmq:4.9.7-alpine"), { major: 4, minor: 9, patch: 7 });
        for (const image of ["apache/rocketmq", "apache/rocketmq:latest", "apache/rocketmq:5.3", "apache/rocketmq:5.3.2.1", "apache/rocketmq@sha256:" + "b".repeat(64)]) {
            assert.strictEqual(releaseOf(image), undefined, image);
        }
    });
});

describe("NameServerRegistration", () => {
    it("waits until every name server lists every broker, with progress lines, and reports the time", async () => {
        const full = clusterInfo("DefaultCluster", { "broker-0": { "0": "m:1", "1": "r:1" } });
        const partial = clusterInfo("DefaultCluster", { "broker-0": { "0": "m:1" } });
        let polls = 0;
        const admins = fakeAdmins((nameServer) => (nameServer === ns(0) || polls++ > 20 ? full : polls > 10 ? partial : undefined));
        const log = collectingLog();
        const elapsed = await waitForRegistrations(admins.client, [ns(0), ns(1)], "DefaultCluster", { "broker-0": 2 }, log, { timeoutMs: 60_000, clock: fakeClock() });
        assert.ok(elapsed > 2000, String(elapsed));
        const progress = log.lines.filter((line) => line.includes("waiting for brokers to register"));
        assert.ok(progress.length >= 2, log.lines.join("\n"));
        assert.match(progress[0], /name-service-1\.name-service\.default\.svc\.cluster\.local:9876: not answering/);
        assert.ok(progress.some((line) => line.includes("lacks broker-0 broker 1")), log.lines.join("\n"));
        assert.match(log.lines[log.lines.length - 1], /all 2 broker\(s\) registered with all 2 name server\(s\)/);
    });

    it("times out naming each name server and the brokers it lacks", async () => {
        const admins = fakeAdmins((nameServer) => (nameServer === ns(0) ? clusterInfo("DefaultCluster", { "broker-0": { "0": "m:1" } }) : clusterInfo("DefaultCluster", {})));
        const handler = nameServerRegistrationHandler(admins.factory, () => collectingLog(), fakeClock());
        await assert.rejects(
            handler.create("urn", { brokerClusterName: "DefaultCluster", namesrvAddr: `${ns(0)};${ns(1)}`, brokers: { "broker-0": 1, "broker-1": 1 }, timeoutSeconds: 30 }),
            /after 30 s not every broker is registered with every name server \(name-service-0\.\S+: lacks broker-1 broker 0; name-service-1\.\S+: lacks broker-0 broker 0, broker-1 broker 0\)/,
        );
    });

    it("a connection the API server refuses ends the wait at once, naming the refusal", async () => {
        const refused = new RocketMQAdminError("cannot connect to name-service-0: port-forward was refused: the API server forbids u to get pods/portforward in namespace default", { code: ClientFailureCode.REFUSED });
        let polls = 0;
        const client = { async getClusterInfoFrom() { polls++; throw refused; } } as unknown as RocketMQAdminClient;
        const clock = fakeClock();
        await assert.rejects(
            waitForRegistrations(client, [ns(0), ns(1)], "DefaultCluster", { "broker-0": 1 }, collectingLog(), { timeoutMs: 300_000, clock }),
            /forbids u to get pods\/portforward/,
        );
        assert.strictEqual(clock.now(), 0, "no poll waited");
        assert.strictEqual(polls, 2, "each name server asked once");
    });

    it("takes no credentials, since the name servers and controllers it asks check no signatures: check names the field", async () => {
        const handler = nameServerRegistrationHandler(fakeAdmins(() => undefined).factory, () => collectingLog(), fakeClock());
        const inputs = { brokerClusterName: "C", namesrvAddr: ns(0), brokers: { "broker-0": 1 }, credentials: { accessKey: "admin", secretKey: "Sup3r-s3cret-pass" } };
        const { failures } = await handler.check("urn", {}, inputs);
        assert.deepStrictEqual(failures, [{ property: "credentials", reason: "is not an input of NameServerRegistration (check its spelling)" }]);
        // And the cluster, with auth on, gives it none.
        const rendered = await renderCluster({ broker: { image: "apache/rocketmq:5.3.2" }, auth: { enabled: true, superUserName: "admin", superUserPassword: "Sup3r-s3cret-pass" } });
        assert.strictEqual(rendered.provided[registrationType].inputs.credentials, undefined);
    });

    it("an update that changes only the access waits for nothing", async () => {
        const admins = fakeAdmins(() => undefined);
        const handler = nameServerRegistrationHandler(admins.factory, () => collectingLog(), fakeClock());
        const olds = { brokerClusterName: "C", namesrvAddr: ns(0), brokers: { "broker-0": 1 }, timeoutSeconds: 300, connection: "auto" };
        await handler.update("id", olds, { ...olds, connection: "direct" }, "urn");
        assert.deepStrictEqual(admins.calls, []);
        assert.strictEqual((await handler.diff("id", olds, { ...olds, brokers: { "broker-0": 1, "broker-1": 1 } })).changes, true);
    });
});

describe("BrokerConfigPush when the old name servers are gone", () => {
    it("finds the brokers through the new list, with a warning", async () => {
        const info = clusterInfo("C", { "broker-0": { "0": "10.0.0.1:10911" } });
        const admins = fakeAdmins((nameServer) => (nameServer === ns(1) ? info : undefined));
        const log = collectingLog();
        const olds = { brokerClusterName: "C", namesrvAddr: ns(0), settings: {}, restartSettings: {}, allowRestart: false, connection: "direct" };
        await brokerConfigPushHandler(admins.factory, () => log).update("id", olds, { ...olds, namesrvAddr: ns(1) }, "urn");
        assert.deepStrictEqual(admins.calls.filter((call) => call.startsWith("update")), [`updateBrokerConfig 10.0.0.1:10911 ${JSON.stringify({ namesrvAddr: ns(1) })}`]);
        assert.ok(log.lines.some((line) => /^warn: no name server answered.*asking name-service-1/.test(line)), log.lines.join("\n"));
    });
});

describe("BrokerRollout", () => {
    const rolledOut = { generation: 3, replicas: 1, updateStrategy: "RollingUpdate", status: { observedGeneration: 3, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: "r2", updateRevision: "r2" } };

    it("trusts the status only once the controller observed the generation, then waits for the new revision and readiness", () => {
        // The status of the previous generation says Ready: exactly what must not end the wait.
        assert.match(rolloutPending({ ...rolledOut, status: { ...rolledOut.status, observedGeneration: 2 } }, 3)!, /controller to take up generation 3/);
        assert.match(rolloutPending({ ...rolledOut, status: { ...rolledOut.status, updatedReplicas: 0, updateRevision: "r3" } }, 3)!, /pods to restart with the new spec \(0\/1 updated\)/);
        assert.match(rolloutPending({ ...rolledOut, status: { ...rolledOut.status, currentRevision: "r1" } }, 3)!, /new revision to become current/);
        assert.match(rolloutPending({ ...rolledOut, status: { ...rolledOut.status, readyReplicas: 0 } }, 3)!, /pods to be Ready \(0\/1 Ready\)/);
        assert.strictEqual(rolloutPending(rolledOut, 3), undefined);
    });

    it("update waits with progress lines until the rollout is done, through a silent API server; a timeout names what it waited for", async () => {
        const states = [
            { ...rolledOut, status: { ...rolledOut.status, observedGeneration: 2 } },
            { ...rolledOut, status: { ...rolledOut.status, updatedReplicas: 0, readyReplicas: 0, updateRevision: "r3" } },
            { ...rolledOut, status: { ...rolledOut.status, readyReplicas: 0, currentRevision: "r3", updateRevision: "r3" } },
        ];
        let reads = 0;
        const log = collectingLog();
        const handler = brokerRolloutHandler(async () => (reads++ < 18 ? states[Math.floor((reads - 1) / 6)] : rolledOut), () => log, fakeClock());
        const inputs = { namespace: "mq", statefulSetName: "broker-0-master", generation: 3 };
        await handler.update("id", { ...inputs, generation: 2 }, inputs, "urn");
        assert.ok(reads >= 19, String(reads));
        assert.ok(log.lines.some((line) => /StatefulSet mq\/broker-0-master: waiting for pods to restart with the new spec/.test(line)), log.lines.join("\n"));
        assert.match(log.lines[log.lines.length - 1], /rolled out and Ready after/);

        // The API server not answering for a while (it restarts): polled through; an answer that refuses ends the wait.
        let flaky = 0;
        const hangUp = Object.assign(new Error("request to https://127.0.0.1:16443/apis/apps/v1 failed, reason: socket hang up"), { code: "ECONNRESET" });
        await brokerRolloutHandler(async () => { if (flaky++ < 3) throw hangUp; return rolledOut; }, () => collectingLog(), fakeClock()).update("id", { ...inputs, generation: 2 }, inputs, "urn");
        assert.strictEqual(flaky, 4);
        const forbidden = Object.assign(new Error("HTTP-Code: 403 Message: statefulsets.apps is forbidden"), { code: 403 });
        await assert.rejects(brokerRolloutHandler(async () => { throw forbidden; }, () => collectingLog(), fakeClock()).update("id", { ...inputs, generation: 2 }, inputs, "urn"), /forbidden/);
        // A certificate that does not name the API server's address will not heal, though its code looks like a socket error's.
        let untrustedReads = 0;
        const untrusted = Object.assign(new Error("request to https://10.0.0.1:6443/apis/apps/v1 failed, reason: Hostname/IP does not match certificate's altnames"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
        await assert.rejects(brokerRolloutHandler(async () => { untrustedReads++; throw untrusted; }, () => collectingLog(), fakeClock()).update("id", { ...inputs, generation: 2 }, inputs, "urn"), /altnames/);
        assert.strictEqual(untrustedReads, 1);

        const stuck = brokerRolloutHandler(async () => states[2], () => collectingLog(), fakeClock());
        await assert.rejects(stuck.create("urn", { ...inputs, timeoutSeconds: 60 }), /broker-0-master: not rolled out after 60 s, waiting for pods to be Ready \(0\/1 Ready\)\. The StatefulSets after it in the rolling order were left as they were/);
    });
});
