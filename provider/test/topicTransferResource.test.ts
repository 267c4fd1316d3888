// rocketmq:index:TopicTransfer as the engine drives it: check at preview, diff, create, read,
// update and delete, with RocketMQ replaced by the in-memory one.
import { strict as assert } from "node:assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { Perm } from "../src/admin/types";
import type { ClusterAccess } from "../src/connect";
import { describeConnections } from "../src/resources/adminClients";
import { topicTransferHandler, topicTransferOutputNames } from "../src/resources/topicTransfer";
import { FakeRocketMQ } from "./fakeTransferAdmin";

function fakeWorld(): FakeRocketMQ {
    const mq = new FakeRocketMQ();
    const source = mq.addBroker("broker", "broker-0");
    mq.addBroker("broker", "broker-1");
    source.topics.orders = { topicName: "orders", readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ_WRITE };
    source.groups.billing = { groupName: "billing" };
    source.consumed["billing orders"] = 0;
    return mq;
}

function handlerOver(mq: FakeRocketMQ) {
    const opened: string[] = [];
    const accesses: ClusterAccess[] = [];
    const lines: string[] = [];
    const handler = topicTransferHandler(
        {
            async open(access) {
                opened.push(access.nameServerAddresses);
                accesses.push(access);
                return { admin: mq, close: () => undefined };
            },
        },
        () => ({ info: (m) => void lines.push(m), warn: (m) => void lines.push(m) }),
        { groupSettleMs: 0 }, // the fake brokers never re-create a group
    );
    return { handler, opened, accesses, lines };
}

const urn = "urn:pulumi:dev::p::rocketmq:index:TopicTransfer::t";

const inputs = {
    topic: "orders",
    sourceCluster: "broker-0",
    targetCluster: "broker-1",
    nameServerAddresses: "name-service-0.ns.rocketmq.svc.cluster.local:9876;name-service-1.ns.rocketmq.svc.cluster.local:9876",
};

describe("TopicTransfer resource", () => {
    describe("check", () => {
        const { handler } = handlerOver(fakeWorld());
        const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
            ["source equal to target", { targetCluster: "broker-0" }, "targetCluster", /target must differ from the source \(both are broker-0\)/],
            ["topic with a space", { topic: "my orders" }, "topic", /only letters, digits, _, -, % and \|/],
            ["empty topic", { topic: "" }, "topic", /must be a topic name/],
            ["topic too long", { topic: "t".repeat(128) }, "topic", /at most 127 characters/],
            ["a retry topic", { topic: "%RETRY%billing" }, "topic", /brokers keep for themselves/],
            ["a system topic", { topic: "TBW102" }, "topic", /brokers keep for themselves/],
            ["cluster name with a slash", { sourceCluster: "broker/0" }, "sourceCluster", /only letters, digits/],
            ["cluster name starting with a dash", { targetCluster: "-b" }, "targetCluster", /starts with a letter or digit/],
            ["address without a port", { nameServerAddresses: "ns-0" }, "nameServerAddresses", /host:port;host:port/],
            ["port out of range", { nameServerAddresses: "ns-0:98760" }, "nameServerAddresses", /host:port/],
            ["empty group list", { consumerGroups: [] }, "consumerGroups", /leave consumerGroups out/],
            ["malformed group", { consumerGroups: ["ok", "not ok"] }, "consumerGroups[1]", /consumer group name has only/],
            ["timeout of zero", { consumeTimeoutSeconds: 0 }, "consumeTimeoutSeconds", /whole number from 1 to 86400/],
            ["fractional timeout", { consumeTimeoutSeconds: 1.5 }, "consumeTimeoutSeconds", /whole number from 1 to 86400/],
            ["misspelt input", { consumerGroup: ["billing"] }, "consumerGroup", /not an input of TopicTransfer/],
            ["unknown connection mode", { connection: "tunnel" }, "connection", /must be auto, direct or portForward/],
            ["kubeconfig path that does not exist", { kubeconfig: "/nonexistent/kubeconfig" }, "kubeconfig", /names no file on this machine/],
            ["empty kubeconfig", { kubeconfig: "" }, "kubeconfig", /leave it out to use the ambient kubeconfig/],
        ];
        for (const [rule, change, property, reason] of bad) {
            it(`refuses ${rule}`, async () => {
                const result = await handler.check(urn, {}, { ...inputs, ...change });
                const failure = result.failures?.find((f) => f.property === property);
                assert.ok(failure, `a failure on ${property}: ${JSON.stringify(result.failures)}`);
                assert.match(failure.reason, reason);
            });
        }

        it("refuses a missing topic and clusters, each by name", async () => {
            const result = await handler.check(urn, {}, { nameServerAddresses: "127.0.0.1:9876" });
            assert.deepEqual(result.failures?.map((f) => f.property).sort(), ["sourceCluster", "targetCluster", "topic"]);
        });

        it("accepts good inputs and fills in the default timeout", async () => {
            const result = await handler.check(urn, {}, { ...inputs, consumerGroups: ["billing", "%RETRY%x|y"] });
            assert.equal(result.failures, undefined);
            assert.equal(result.inputs.consumeTimeoutSeconds, 600);
        });

        it("lets inputs not known yet through at preview, still checking the known ones", async () => {
            const pending = await handler.check(urn, {}, { ...inputs, nameServerAddresses: rpc.unknownValue });
            assert.equal(pending.failures, undefined);
            const stillBad = await handler.check(urn, {}, { ...inputs, topic: "bad topic", nameServerAddresses: rpc.unknownValue });
            assert.deepEqual(stillBad.failures?.map((f) => f.property), ["topic"]);
        });
    });

    describe("check announces the plan", () => {
        it("prints the seven steps of a new transfer, as preview shows them", async () => {
            const { handler, lines } = handlerOver(fakeWorld());
            await handler.check(urn, {}, { ...inputs, consumerGroups: ["billing"] });
            const plan = lines.join("\n");
            assert.match(plan, /^moves topic orders from broker-0 to broker-1; any failure undoes the steps done so far:/);
            assert.equal((plan.match(/step \d of 7/g) ?? []).length, 7, plan);
            assert.match(plan, /step 1 of 7: add billing to broker-1/);
            assert.match(plan, /step 4 of 7: wait up to 600 s /);
            assert.match(plan, /step 7 of 7: add %RETRY%billing to broker-1/);
        });

        it("says nothing for a transfer already done, and nothing for bad inputs", async () => {
            const { handler, lines } = handlerOver(fakeWorld());
            await handler.check(urn, { ...inputs, consumeTimeoutSeconds: 600 }, { ...inputs, consumeTimeoutSeconds: 60 });
            await handler.check(urn, {}, { ...inputs, targetCluster: "broker-0" });
            assert.deepEqual(lines, []);
        });
    });

    describe("diff", () => {
        const { handler } = handlerOver(fakeWorld());
        const olds = { ...inputs, consumeTimeoutSeconds: 600, steps: [], groupsMoved: ["billing"] };

        it("shows another topic, cluster or group list as a replacement", async () => {
            for (const key of ["topic", "sourceCluster", "targetCluster"]) {
                const diff = await handler.diff("id", olds, { ...olds, [key]: "other" });
                assert.deepEqual(diff.replaces, [key]);
                assert.equal(diff.changes, true);
            }
            const groups = await handler.diff("id", olds, { ...olds, consumerGroups: ["billing"] });
            assert.deepEqual(groups.replaces, ["consumerGroups"]);
        });

        it("shows a new timeout or name server list as an update that moves nothing", async () => {
            const diff = await handler.diff("id", olds, { ...olds, consumeTimeoutSeconds: 60, nameServerAddresses: "10.0.0.1:9876" });
            assert.deepEqual(diff.replaces, []);
            assert.equal(diff.changes, true);
        });

        it("shows no change when nothing changed, and an unknown cluster as a replacement", async () => {
            assert.equal((await handler.diff("id", olds, { ...inputs, consumeTimeoutSeconds: 600 })).changes, false);
            const unknown = await handler.diff("id", olds, { ...olds, targetCluster: rpc.unknownValue });
            assert.deepEqual(unknown.replaces, ["targetCluster"]);
        });
    });

    it("create runs the transfer and returns its steps, groups and where the topic is", async () => {
        const mq = fakeWorld();
        const { handler, opened, lines } = handlerOver(mq);
        const checked = await handler.check(urn, {}, inputs);
        const created = await handler.create("urn:pulumi:dev::p::rocketmq:index:TopicTransfer::t", checked.inputs);
        assert.equal(created.id, "orders:broker-0->broker-1");
        assert.deepEqual(opened, [inputs.nameServerAddresses]);
        assert.deepEqual(created.outs.steps.map((s: { step: number }) => s.step), [1, 2, 3, 4, 5, 6, 7]);
        assert.deepEqual(created.outs.groupsMoved, ["billing"]);
        assert.deepEqual(created.outs.topicBrokers, ["broker-1"]);
        assert.equal(created.outs.location, "target");
        assert.deepEqual(Object.keys(created.outs).filter((k) => !(k in checked.inputs)).sort(), [...topicTransferOutputNames].sort());
        assert.ok(mq.brokers["broker-1"].topics.orders);
        assert.ok(lines.some((l) => /step 7 of 7/.test(l)));

        // read (refresh) reports where the topic really is, even when someone moved it since.
        const read = await handler.read(created.id, created.outs, urn);
        assert.deepEqual(read.props.topicBrokers, ["broker-1"]);
        mq.brokers["broker-0"].topics.orders = { topicName: "orders", readQueueNums: 4, writeQueueNums: 4, perm: 6 };
        const drifted = await handler.read(created.id, created.outs, urn);
        assert.equal(drifted.props.location, "source and target");

        // update with a new timeout moves nothing and keeps the outputs.
        const changesBefore = mq.changes.length;
        const updated = await handler.update(created.id, created.outs, { ...checked.inputs, consumeTimeoutSeconds: 30 });
        assert.equal(updated.outs.consumeTimeoutSeconds, 30);
        assert.deepEqual(updated.outs.steps, created.outs.steps);
        assert.equal(mq.changes.length, changesBefore);

        // delete does not move the topic back.
        await handler.delete(created.id, created.outs);
        assert.equal(mq.changes.length, changesBefore);
        assert.ok(mq.brokers["broker-1"].topics.orders);
    });

    it("reaches the cluster with connection auto and the ambient kubeconfig unless told otherwise", async () => {
        const { handler, accesses } = handlerOver(fakeWorld());
        const checked = await handler.check(urn, {}, inputs);
        assert.equal(checked.inputs.connection, "auto");
        await handler.create(urn, checked.inputs);
        assert.equal(accesses[0].connection, "auto");
        assert.equal(accesses[0].kubeconfig, undefined);
    });

    it("keeps a kubeconfig secret from check through the state, and hands the plain value to the connection", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\n";
        const secret = { [rpc.specialSigKey]: rpc.specialSecretSig, value: kubeconfig };
        const { handler, accesses } = handlerOver(fakeWorld());
        const checked = await handler.check(urn, {}, { ...inputs, kubeconfig: secret, connection: "portForward" });
        assert.equal(checked.failures, undefined);
        assert.deepEqual(checked.inputs.kubeconfig, secret);
        const created = await handler.create(urn, checked.inputs);
        assert.equal(accesses[0].kubeconfig, kubeconfig);
        assert.equal(accesses[0].connection, "portForward");
        assert.deepEqual(created.outs.kubeconfig, secret, "the state keeps it as a secret");
        assert.ok(!JSON.stringify({ ...created.outs, kubeconfig: undefined }).includes("kind: Config"));
        // The same kubeconfig, still secret in the old state, is no change.
        assert.equal((await handler.diff(created.id, created.outs, { ...checked.inputs })).changes, false);
        const read = await handler.read(created.id, created.outs, urn);
        assert.deepEqual(read.props.kubeconfig, secret);
        assert.equal(accesses[1].kubeconfig, kubeconfig);
    });

    it("logs how many connections an operation opened, by path and address", () => {
        const opened = new Map([["name-service-0.ns.mq.svc.cluster.local:9876", 1], ["10.0.0.7:10911", 3]]);
        assert.equal(
            describeConnections({ path: "portForward", opened }),
            "opened 4 port-forward streams: name-service-0.ns.mq.svc.cluster.local:9876 x1, 10.0.0.7:10911 x3",
        );
        assert.equal(describeConnections({ path: "direct", opened: new Map() }), "opened 0 direct TCP connections");
    });

    it("a new connection mode or kubeconfig is an update that moves nothing", async () => {
        const { handler } = handlerOver(fakeWorld());
        const olds = { ...inputs, connection: "auto", consumeTimeoutSeconds: 600 };
        for (const change of [{ connection: "direct" }, { kubeconfig: "apiVersion: v1\nkind: Config\n" }]) {
            const diff = await handler.diff("id", olds, { ...olds, ...change });
            assert.equal(diff.changes, true);
            assert.deepEqual(diff.replaces, []);
        }
    });

    it("create refuses an unknown cluster before changing anything", async () => {
        const mq = fakeWorld();
        const { handler } = handlerOver(mq);
        const checked = await handler.check(urn, {}, { ...inputs, targetCluster: "broker-9" });
        await assert.rejects(handler.create("urn", checked.inputs), /targetCluster broker-9 is neither a broker cluster nor a broker group/);
        assert.deepEqual(mq.changes, []);
    });
});

describe("TopicTransfer through the provider's dispatch", () => {
    it("routes the token to the TopicTransfer handler, which refuses a source equal to the target at preview", async () => {
        const { RocketMQProvider } = await import("../src/provider");
        const provider = new RocketMQProvider("0.1.0");
        const result = await provider.check("urn:pulumi:dev::p::rocketmq:index:TopicTransfer::move", {}, { ...inputs, targetCluster: "broker-0" });
        assert.deepEqual(result.failures?.map((f) => f.property), ["targetCluster"]);
    });
});
