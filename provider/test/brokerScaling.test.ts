// BrokerScaling: schema.json and the zod schema agree; bad inputs are refused at check; diff says
// what an update will copy and drain and never replaces; nothing but create, update and read
// contacts RocketMQ, and destroy leaves the brokers alone. RocketMQCluster wires one per cluster.
import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { brokerScalingArgsSchema } from "../src/inputs/brokerScaling";
import { brokerScalingHandler, brokerScalingToken, describeMissing } from "../src/resources/brokerScaling";
import { AdminClientFactory } from "../src/resources/adminClients";
import type { RocketMQAdminClient } from "../src/admin/client";
import type { BrokerGroup } from "../src/admin/types";
import type { Clock, ProgressLog } from "../src/ops/progressLog";
import { drainGroups } from "../src/ops/scaling/drain";
import { kind, renderCluster } from "./clusterHarness";
import { inputDifferences, loadSchema } from "./schemaDrift";

const noAdmin: AdminClientFactory = {
    open: () => {
        throw new Error("this must not contact RocketMQ");
    },
};
const ns = "127.0.0.1:9876";
const base = { clusterName: "DefaultCluster", brokerNames: ["broker-0", "broker-1"], nameServerAddresses: ns };
const state = { ...base, connection: "auto", drainTimeoutSeconds: 600, allowDroppingUnreadMessages: false };

function collectingLog(): { lines: string[]; logFor: (urn: string) => ProgressLog } {
    const lines: string[] = [];
    return { lines, logFor: () => ({ info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) }) };
}

describe("schema.json BrokerScaling", () => {
    it("is a custom resource with the zod schema's inputs as its properties, every property described", () => {
        const schema = loadSchema();
        const resource = schema.resources[brokerScalingToken];
        assert.strictEqual((resource as { isComponent?: boolean }).isComponent, undefined);
        assert.deepStrictEqual(inputDifferences(schema, brokerScalingToken, brokerScalingArgsSchema), []);
        assert.deepStrictEqual(Object.keys(resource.properties).sort(), Object.keys(resource.inputProperties).sort());
        assert.strictEqual(resource.inputProperties.kubeconfig.secret, true);
        for (const [name, property] of Object.entries<any>(resource.properties)) {
            assert.ok(typeof property.description === "string" && property.description.length >= 20, `${name} is described`);
        }
    });
});

describe("BrokerScaling check", () => {
    const cases: { rule: string; news: Record<string, unknown>; property: string; reason: RegExp }[] = [
        { rule: "no groups", news: { ...base, brokerNames: [] }, property: "brokerNames", reason: /at least one broker group/ },
        { rule: "a group twice", news: { ...base, brokerNames: ["broker-0", "broker-0"] }, property: "brokerNames", reason: /twice/ },
        { rule: "source not listed", news: { ...base, sourceBrokerName: "broker-7" }, property: "sourceBrokerName", reason: /must be one of brokerNames \(broker-0, broker-1\)/ },
        { rule: "zero timeout", news: { ...base, drainTimeoutSeconds: 0 }, property: "drainTimeoutSeconds", reason: /whole number from 1 to 86400/ },
        { rule: "allowDroppingUnreadMessages not a boolean", news: { ...base, allowDroppingUnreadMessages: "yes" }, property: "allowDroppingUnreadMessages", reason: /true or false/ },
        { rule: "bad connection", news: { ...base, connection: "ssh" }, property: "connection", reason: /auto, direct or portForward/ },
        { rule: "no cluster", news: { ...base, clusterName: undefined }, property: "clusterName", reason: /broker cluster or broker group name/ },
        { rule: "bad addresses", news: { ...base, nameServerAddresses: "ns" }, property: "nameServerAddresses", reason: /host:port/ },
    ];
    for (const { rule, news, property, reason } of cases) {
        it(`refuses ${rule}, naming ${property}`, async () => {
            const result = await brokerScalingHandler(noAdmin).check("urn", {}, news);
            const failure = result.failures?.find((f) => f.property === property);
            assert.ok(failure, JSON.stringify(result.failures));
            assert.match(failure.reason, reason);
        });
    }

    it("fills in the defaults", async () => {
        const result = await brokerScalingHandler(noAdmin).check("urn", {}, base);
        assert.deepStrictEqual(result.inputs, { ...base, connection: "auto", drainTimeoutSeconds: 600, allowDroppingUnreadMessages: false });
    });
});

describe("BrokerScaling diff (what preview shows)", () => {
    it("the same groups: no change", async () => {
        const diff = await brokerScalingHandler(noAdmin).diff("DefaultCluster", state, base, "urn");
        assert.strictEqual(diff.changes, false);
    });

    it("groups added: an update (never a replacement) that says it copies to them", async () => {
        const { lines, logFor } = collectingLog();
        const diff = await brokerScalingHandler(noAdmin, logFor).diff("DefaultCluster", state, { ...base, brokerNames: ["broker-0", "broker-1", "broker-2"] }, "urn");
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
        assert.deepStrictEqual(lines, ["the update copies every topic and subscription group of broker-0 to broker-2 once their masters are registered"]);
    });

    it("a group removed: an update that says it drains the group before its objects are deleted", async () => {
        const { lines, logFor } = collectingLog();
        const diff = await brokerScalingHandler(noAdmin, logFor).diff("DefaultCluster", state, { ...base, brokerNames: ["broker-0"] }, "urn");
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
        assert.match(lines.join("\n"), /the update drains broker-1 \(read-only, then waits until every consumer group has consumed every message there\) before their objects are deleted/);
    });

    it("a state that still holds a refresh's missingMetadata: no change, nothing said", async () => {
        const { lines, logFor } = collectingLog();
        const lacking = { ...state, missingMetadata: [{ brokerName: "broker-1", topics: 3, subscriptionGroups: 1 }] };
        const diff = await brokerScalingHandler(noAdmin, logFor).diff("DefaultCluster", lacking, base, "urn");
        assert.strictEqual(diff.changes, false);
        assert.deepStrictEqual(lines, []);
    });

    it("unknown groups (preview): a change", async () => {
        const diff = await brokerScalingHandler(noAdmin).diff("DefaultCluster", state, { ...base, brokerNames: rpc.unknownValue });
        assert.strictEqual(diff.changes, true);
    });
});

describe("BrokerScaling operations that need no RocketMQ", () => {
    it("create with one group copies nothing and contacts nothing", async () => {
        const created = await brokerScalingHandler(noAdmin).create("urn", { ...base, brokerNames: ["broker-0"], connection: "auto", drainTimeoutSeconds: 600 });
        assert.deepStrictEqual(created.outs, { ...state, brokerNames: ["broker-0"] });
        assert.strictEqual(created.id, "DefaultCluster");
    });

    it("an update of only the connection, the kubeconfig, the name server list or the drain timeout contacts nothing", async () => {
        const news = { ...base, connection: "portForward", nameServerAddresses: "127.0.0.2:9876", drainTimeoutSeconds: 30 };
        const updated = await brokerScalingHandler(noAdmin).update("DefaultCluster", state, news, "urn");
        assert.strictEqual(updated.outs?.connection, "portForward");
    });

    it("an update that changes only the source or the order of the groups copies nothing and contacts nothing", async () => {
        await brokerScalingHandler(noAdmin).update("DefaultCluster", state, { ...base, sourceBrokerName: "broker-1" }, "urn");
        await brokerScalingHandler(noAdmin).update("DefaultCluster", state, { ...base, brokerNames: ["broker-1", "broker-0"] }, "urn");
    });

    it("a refresh's report names what a group lacks, cut short after five names, and says nothing is copied", () => {
        const topics = ["t1", "t2", "t3", "t4", "t5", "t6"];
        assert.strictEqual(
            describeMissing({ brokerName: "broker-1", topics, subscriptionGroups: ["g1"] }, "broker-0"),
            "broker-1 lacks 6 topic(s) (t1, t2, t3, t4, t5, ...) and 1 subscription group(s) (g1) of broker-0, or has them with other settings; nothing is copied: a group gets the source's metadata when it joins, and afterwards a topic on some groups only is a placement (create it everywhere with a Topic on the cluster or mqadmin updateTopic -c)",
        );
    });

    it("delete (as destroy runs it) leaves the brokers alone and returns at once, even with groups holding messages", async () => {
        await brokerScalingHandler(noAdmin).delete("DefaultCluster", state, "urn");
    });

    it("the kubeconfig is kept secret in the state", async () => {
        const created = await brokerScalingHandler(noAdmin).create("urn", { ...base, brokerNames: ["broker-0"], kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n", connection: "auto", drainTimeoutSeconds: 600 });
        assert.ok(rpc.isRpcSecret(created.outs?.kubeconfig));
    });
});

describe("RocketMQCluster's BrokerScaling", () => {
    it("lists every group, copies from scalePodName's group, and passes the drain's settings, connection and kubeconfig (as a secret)", async () => {
        const rendered = await renderCluster({
            namespace: "mq",
            broker: { size: 3, scalePodName: "broker-1-master-0", drainTimeoutSeconds: 120, allowDroppingUnreadMessages: true },
            connection: "portForward",
            kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n",
        });
        const inputs = rendered.provided[brokerScalingToken]?.inputs;
        assert.ok(inputs, "a BrokerScaling is registered");
        assert.deepStrictEqual(
            { ...inputs, kubeconfig: undefined },
            {
                clusterName: "DefaultCluster",
                brokerNames: ["broker-0", "broker-1", "broker-2"],
                sourceBrokerName: "broker-1",
                nameServerAddresses: "name-service-0.name-service.mq.svc.cluster.local:9876",
                connection: "portForward",
                drainTimeoutSeconds: 120,
                allowDroppingUnreadMessages: true,
                kubeconfig: undefined,
            },
        );
        assert.ok(rpc.isRpcSecret(inputs.kubeconfig), "the kubeconfig reaches the child as a secret");
    });

    it("with a controller, a replica's pod as scalePodName copies from that pod's group (from whichever pod is its master now)", async () => {
        const rendered = await renderCluster({ broker: { size: 3, replicaPerGroup: 1, scalePodName: "broker-1-replica-1-0" }, controller: { mode: "standalone" } });
        assert.strictEqual(rendered.provided[brokerScalingToken]?.inputs.sourceBrokerName, "broker-1");
    });

    it("a removed group's claims stay: the broker StatefulSets leave Kubernetes' Retain default for deleted StatefulSets", async () => {
        const rendered = await renderCluster({
            broker: {
                size: 2,
                storageMode: "StorageClass",
                volumeClaimTemplates: [{ metadata: { name: "broker-storage" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } } }],
            },
        });
        const spec = rendered.object(kind.statefulSet, "broker-1-master").spec;
        assert.strictEqual(spec.volumeClaimTemplates.length, 1);
        assert.strictEqual(spec.persistentVolumeClaimRetentionPolicy, undefined);
    });

    it("defaults: the first group is the source, connection auto, 600 s to drain, unread messages refused, the ambient kubeconfig", async () => {
        const inputs = (await renderCluster({ broker: { size: 2 } })).provided[brokerScalingToken]?.inputs;
        assert.deepStrictEqual(
            [inputs.sourceBrokerName, inputs.connection, inputs.drainTimeoutSeconds, inputs.allowDroppingUnreadMessages, inputs.kubeconfig],
            ["broker-0", "auto", 600, false, undefined],
        );
    });
});

describe("drainGroups (a fake broker, a fake clock)", () => {
    const leaving: BrokerGroup = { cluster: "c", brokerName: "broker-2", addresses: { "0": "10.0.0.2:10911", "1": "10.0.0.3:10911" } };
    const staying: BrokerGroup = { cluster: "c", brokerName: "broker-0", addresses: { "0": "10.0.0.1:10911" } };

    interface FakeTopic {
        /** Messages stored on broker-2's master, in one queue whose oldest kept offset is `minOffset`. */
        stored: number;
        minOffset?: number;
        /** Per consumer group that consumes it (queryTopicConsumeByWho on broker-0): its offset on broker-2, and how far each poll moves it. */
        consumers?: Record<string, { offset: number; perPoll: number }>;
    }

    /**
     * broker-2's master with `topics`; `subscriptionGroups` exist on it (and on broker-0), `offsetsElsewhere`
     * are groups with offsets on broker-0 only. getConsumeStats answers as the broker does: offset 0 for
     * a group without one.
     */
    function fakeBroker(topics: Record<string, FakeTopic>, subscriptionGroups: string[] = [], offsetsElsewhere: string[] = []) {
        const permissions: string[] = [];
        const client = {
            updateBrokerConfig: async (address: string, properties: Record<string, string>) => void permissions.push(`${address}=${properties.brokerPermission}`),
            getAllTopicConfigs: async () => ({ topics: Object.fromEntries([...Object.keys(topics), "TBW102", "broker-2"].map((t) => [t, {}])) }),
            getTopicStats: async (_address: string, topic: string) => ({ queues: [{ topic, queueId: 0, minOffset: topics[topic]?.minOffset ?? 0, maxOffset: topics[topic]?.stored ?? 0 }] }),
            queryTopicConsumeByWho: async (address: string, topic: string) => (address === staying.addresses["0"] ? [...Object.keys(topics[topic]?.consumers ?? {}), "TOOLS_CONSUMER"] : []),
            getAllSubscriptionGroups: async () => ({ groups: Object.fromEntries([...subscriptionGroups, "TOOLS_CONSUMER"].map((g) => [g, {}])) }),
            getAllConsumerOffsets: async (address: string) => ({
                groups: Object.fromEntries(address === staying.addresses["0"] ? offsetsElsewhere.map((g) => [g, { other: { 0: 1 } }]) : []),
            }),
            getConsumeStats: async (_address: string, group: string, topic: string) => {
                const consumer = topics[topic].consumers?.[group];
                const consumerOffset = consumer?.offset ?? 0;
                if (consumer) consumer.offset = Math.min(topics[topic].stored, consumer.offset + consumer.perPoll);
                return { queues: [{ topic, queueId: 0, brokerOffset: topics[topic].stored, consumerOffset }] };
            },
        };
        return { client: client as unknown as RocketMQAdminClient, permissions };
    }

    function fakeClock(): Clock {
        let now = 0;
        return { now: () => now, sleep: async (ms) => void (now += ms) };
    }

    const drain = (client: RocketMQAdminClient, logFor: (urn: string) => ProgressLog, options: { timeoutMs: number; logIntervalMs?: number; allowDroppingUnreadMessages?: boolean }) =>
        drainGroups(client, [leaving], [staying, leaving], logFor(""), fakeClock(), options);

    it("turns master and replicas read-only and waits, with progress, until the consumer group's lag is 0", async () => {
        const { client, permissions } = fakeBroker({ orders: { stored: 40, consumers: { billing: { offset: 0, perPoll: 10 } } } });
        const { lines, logFor } = collectingLog();
        const waited = await drain(client, logFor, { timeoutMs: 60_000, logIntervalMs: 0 });
        assert.strictEqual(waited, 4000);
        assert.deepStrictEqual(permissions, ["10.0.0.2:10911=4", "10.0.0.3:10911=4"]);
        assert.match(lines[1], /draining broker-2: 40 message\(s\) not yet consumed \(consumer group billing lag 40 on broker-2 \(topic orders\)\), 0\.0 s of 60\.0 s/);
        assert.match(lines[lines.length - 1], /every consumer group has consumed every message after 4\.0 s/);
    });

    it("on timeout gives write permission back to master and replicas and fails naming the consumer group and its lag", async () => {
        const { client, permissions } = fakeBroker({ orders: { stored: 40, consumers: { billing: { offset: 0, perPoll: 0 } } } });
        const { logFor } = collectingLog();
        await assert.rejects(
            drain(client, logFor, { timeoutMs: 5000 }),
            /scale-down of broker group\(s\) broker-2 stopped: consumers did not consume every message within drainTimeoutSeconds \(5\.0 s\): consumer group billing lag 40 on broker-2 \(topic orders\)\. Write permission is restored \(brokerPermission=6 on broker-2 master 10\.0\.0\.2:10911, replica 1 10\.0\.0\.3:10911\) and nothing was removed; consume the messages left, or raise drainTimeoutSeconds/,
        );
        assert.deepStrictEqual(permissions, ["10.0.0.2:10911=4", "10.0.0.3:10911=4", "10.0.0.2:10911=6", "10.0.0.3:10911=6"]);
    });

    it("subscription groups whose consumers have not started count for every topic: the drain waits for them and names them with their lag", async () => {
        // g1 and g2 were made ahead of their consumers: no offset anywhere, no consumer online.
        const { client, permissions } = fakeBroker({ orders: { stored: 671 } }, ["g1", "g2"]);
        const { logFor } = collectingLog();
        await assert.rejects(
            drain(client, logFor, { timeoutMs: 5000 }),
            /within drainTimeoutSeconds \(5\.0 s\): consumer group g1 lag 671 on broker-2 \(topic orders, nothing consumed yet\), consumer group g2 lag 671 on broker-2 \(topic orders, nothing consumed yet\)\. Write permission is restored/,
        );
        assert.deepStrictEqual(permissions.slice(-2), ["10.0.0.2:10911=6", "10.0.0.3:10911=6"]);
    });

    it("a group without an offset owes only the messages still stored: lag counts from the oldest kept offset", async () => {
        const { client } = fakeBroker({ orders: { stored: 100, minOffset: 70 } }, ["g1"]);
        const { logFor } = collectingLog();
        await assert.rejects(drain(client, logFor, { timeoutMs: 1000 }), /consumer group g1 lag 30 on broker-2 \(topic orders, nothing consumed yet\)/);
    });

    it("a group that has consumed elsewhere counts only for the topics it consumes", async () => {
        // billing reads payments (offsets on broker-0); it does not read orders, which audit has consumed to the end.
        const { client } = fakeBroker({ orders: { stored: 40, consumers: { audit: { offset: 40, perPoll: 0 } } } }, ["billing", "audit"], ["billing"]);
        const { logFor } = collectingLog();
        assert.strictEqual(await drain(client, logFor, { timeoutMs: 5000 }), 0);
    });

    it("a topic with messages that no consumer group reads is refused at once, naming the topic and the count; write permission comes back", async () => {
        const { client, permissions } = fakeBroker({ orders: { stored: 40, consumers: { billing: { offset: 40, perPoll: 0 } } }, audit: { stored: 12 } }, ["billing"], ["billing"]);
        const { logFor } = collectingLog();
        await assert.rejects(
            drain(client, logFor, { timeoutMs: 600_000 }),
            /scale-down of broker group\(s\) broker-2 stopped: topic audit holds 12 message\(s\) on broker-2 that no consumer group has read .* Write permission is restored .* nothing was removed; consume them with a consumer group \(or delete the topic\), or set allowDroppingUnreadMessages \(broker\.allowDroppingUnreadMessages of a RocketMQCluster\)/,
        );
        assert.deepStrictEqual(permissions, ["10.0.0.2:10911=4", "10.0.0.3:10911=4", "10.0.0.2:10911=6", "10.0.0.3:10911=6"]);
    });

    it("with allowDroppingUnreadMessages the unread topic goes with a warning naming it, once; read topics still hold the drain", async () => {
        const { client } = fakeBroker({ orders: { stored: 40, consumers: { billing: { offset: 0, perPoll: 20 } } }, audit: { stored: 12 } }, ["billing"], ["billing"]);
        const { lines, logFor } = collectingLog();
        assert.strictEqual(await drain(client, logFor, { timeoutMs: 60_000, allowDroppingUnreadMessages: true }), 2000);
        const warnings = lines.filter((l) => l.startsWith("warning: "));
        assert.deepStrictEqual(warnings, [
            "warning: topic audit holds 12 message(s) on broker-2 that no consumer group has read (none consumes it or holds an offset for it, and no subscription group there still waits for its first consumer): they will go with the group once it is drained, as allowDroppingUnreadMessages allows",
        ]);
    });

    it("a retry topic is read by the groups consuming it only, not by groups that have consumed nothing", async () => {
        const { client } = fakeBroker({ "%RETRY%billing": { stored: 3, consumers: { billing: { offset: 3, perPoll: 0 } } } }, ["billing", "g1"], ["billing"]);
        const { logFor } = collectingLog();
        assert.strictEqual(await drain(client, logFor, { timeoutMs: 5000 }), 0);
    });
});
