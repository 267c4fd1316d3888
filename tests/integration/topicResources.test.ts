// The Topic and ConsumerGroup resources' whole lifecycle, driven through their handlers as the engine
// drives them (check, diff, create, read, update, delete), against a real name server and three
// real brokers of one cluster (broker-a3 joins late), cross-checked and drifted with the real mqadmin.

import { strict as assert } from "node:assert";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { parseFastjson } from "../../provider/src/admin/fastjson";
import { getKvConfigEverywhere } from "../../provider/src/admin/transferOperations";
import { MANAGED_TOPIC_NAMESPACE } from "../../provider/src/ops/topics/managedTopics";
import { topicTransferHandler } from "../../provider/src/resources/topicTransfer";
import type { CustomResourceHandler } from "../../provider/src/handlers";
import { consumerGroupHandler } from "../../provider/src/resources/consumerGroup";
import { topicHandler } from "../../provider/src/resources/topic";
import { RocketMQTestBed } from "../support/rocketmq";

const cluster = "clusterA";

describe("Topic and ConsumerGroup against real RocketMQ", function () {
    let bed: RocketMQTestBed;
    let client: RocketMQAdminClient;
    const topics = topicHandler();
    const groups = consumerGroupHandler();

    before(async function () {
        this.timeout(900_000);
        bed = await RocketMQTestBed.start({
            brokers: [
                { cluster, brokerName: "broker-a1" },
                { cluster, brokerName: "broker-a2" },
                { cluster, brokerName: "broker-a3" },
            ],
            // Deleted groups stay deleted; the transfer tests cover brokers that re-create them.
            brokerConfig: { autoCreateSubscriptionGroup: "false" },
            readyTimeoutMs: 240_000,
        });
        client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 10_000 });
        // broker-a3 joins the cluster only after the topics and groups exist.
        await bed.stopBroker("broker-a3");
        await waitUntil(async () => !(await client.getClusterInfo()).clusters[cluster]?.includes("broker-a3"), "broker-a3 to leave the name server");
    });

    after(async () => {
        client?.close();
        await bed?.stop();
    });

    async function mqadmin(...args: string[]): Promise<string> {
        const result = await bed.mqadmin(args);
        assert.equal(result.code, 0, `mqadmin ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
        return result.stdout;
    }

    /** Queue data per broker group as the real mqadmin topicRoute prints it: [broker, read, write, perm]. */
    async function mqadminRoute(topic: string): Promise<Array<[string, number, number, number]>> {
        const run = await bed.mqadmin(["topicRoute", "-t", topic]);
        if (run.code !== 0 || !run.stdout.includes("queueDatas")) return [];
        const json = parseFastjson(run.stdout.slice(run.stdout.indexOf("{"), run.stdout.lastIndexOf("}") + 1)) as { queueDatas: Array<Record<string, number | string>> };
        return json.queueDatas
            .map((q) => [q.brokerName as string, q.readQueueNums as number, q.writeQueueNums as number, q.perm as number] as [string, number, number, number])
            .sort((a, b) => a[0].localeCompare(b[0]));
    }

    /** What `pulumi up` does for a resource: check the program's inputs, diff them with the stack, then create or update. */
    async function up(handler: CustomResourceHandler, state: Record<string, unknown> | undefined, program: Record<string, unknown>, id = "") {
        const checked = await handler.check("urn:pulumi:s::p::rocketmq:index:Topic::x", state ?? {}, program);
        assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
        if (!state) {
            const created = await handler.create("urn", checked.inputs);
            return { id: created.id, state: created.outs as Record<string, unknown> };
        }
        const diff = await handler.diff(id, state, checked.inputs);
        if (!diff.changes) return { id, state, unchanged: true };
        assert.deepEqual(diff.replaces, [], "an update in place");
        const updated = await handler.update(id, state, checked.inputs);
        return { id, state: updated.outs as Record<string, unknown> };
    }

    async function preview(handler: CustomResourceHandler, state: Record<string, unknown>, program: Record<string, unknown>, id = "") {
        const checked = await handler.check("urn", state, program);
        assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
        return handler.diff(id, state, checked.inputs);
    }

    async function refresh(handler: CustomResourceHandler, id: string, state: Record<string, unknown>) {
        const read = await handler.read(id, state);
        return { id: read.id as string, state: read.props as Record<string, unknown>, inputs: read.inputs as Record<string, unknown> };
    }

    async function produce(topic: string, count: number): Promise<void> {
        const run = await bed.javaProgram("TestProducer", [bed.nameServer, topic, String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
    }

    async function consume(group: string, topic: string, expected: number, timeoutSeconds = 90) {
        return bed.javaProgram("TestConsumer", [bed.nameServer, group, topic, String(expected), String(timeoutSeconds)], (timeoutSeconds + 60) * 1000);
    }

    describe("Topic", () => {
        const program = { name: "it-orders", clusterName: cluster, nameServerAddresses: "", readQueueNums: 4, writeQueueNums: 4, messageType: "FIFO" };
        let id = "";
        let state: Record<string, unknown>;

        before(() => {
            program.nameServerAddresses = bed.nameServer;
        });

        it("creates the topic on every master of the cluster, as mqadmin topicRoute shows", async () => {
            ({ id, state } = await up(topics, undefined, program));
            assert.equal(id, `${bed.nameServer}/cluster:${cluster}/it-orders`);
            assert.deepEqual(state.brokers, ["broker-a1", "broker-a2"]);
            assert.deepEqual(await mqadminRoute("it-orders"), [["broker-a1", 4, 4, 6], ["broker-a2", 4, 4, 6]]);
            const config = await client.getTopicConfig(bed.broker("broker-a1").address, "it-orders");
            assert.equal(config.attributes?.["message.type"], "FIFO");
        });

        it("shows no changes on the next preview", async () => {
            const refreshed = await refresh(topics, id, state);
            assert.equal((await preview(topics, refreshed.state, program, id)).changes, false);
        });

        it("refresh finds a permission changed with mqadmin on one broker group, and the update puts it back", async () => {
            await mqadmin("updateTopic", "-b", bed.broker("broker-a2").address, "-t", "it-orders", "-r", "4", "-w", "4", "-p", "4");
            const refreshed = await refresh(topics, id, state);
            assert.equal(refreshed.state.perm, 4);
            assert.equal(refreshed.inputs.perm, 4);
            const diff = await preview(topics, refreshed.state, program, id);
            assert.equal(diff.changes, true);
            ({ state } = await up(topics, refreshed.state, program, id));
            assert.deepEqual(await mqadminRoute("it-orders"), [["broker-a1", 4, 4, 6], ["broker-a2", 4, 4, 6]]);
        });

        it("refresh finds queues added with mqadmin; the preview refuses to take them away unless allowQueueDecrease", async () => {
            await mqadmin("updateTopic", "-b", bed.broker("broker-a1").address, "-t", "it-orders", "-r", "8", "-w", "8");
            const refreshed = await refresh(topics, id, state);
            assert.deepEqual([refreshed.state.readQueueNums, refreshed.state.writeQueueNums], [8, 8]);
            await assert.rejects(preview(topics, refreshed.state, program, id), /readQueueNums 8 -> 4, writeQueueNums 8 -> 4 is a decrease, refused.*allowQueueDecrease: true/);
            ({ state } = await up(topics, refreshed.state, { ...program, allowQueueDecrease: true }, id));
            assert.deepEqual(await mqadminRoute("it-orders"), [["broker-a1", 4, 4, 6], ["broker-a2", 4, 4, 6]]);
            ({ state } = await up(topics, state, program, id));
            assert.equal(state.allowQueueDecrease, false);
        });

        it("marks the topic as managed on the name servers, so a TopicTransfer of it is refused before it moves anything", async () => {
            const record = await getKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, "it-orders");
            assert.deepEqual(Object.values(record), [`cluster ${cluster}`]);
            const transfers = topicTransferHandler(undefined, () => ({ info: () => undefined, warn: () => undefined }));
            const checked = await transfers.check("urn", {}, { topic: "it-orders", sourceCluster: "broker-a1", targetCluster: "broker-a2", nameServerAddresses: bed.nameServer });
            await assert.rejects(transfers.create("urn", checked.inputs), /topic it-orders is managed by a Topic resource \(on cluster clusterA\).*change the Topic's clusterName or brokerNames instead/);
            assert.deepEqual((await mqadminRoute("it-orders")).map((q) => q[0]), ["broker-a1", "broker-a2"]);
        });

        it("updates settings in place: messages already stored stay", async () => {
            const normal = { ...program, readQueueNums: 6, writeQueueNums: 6, messageType: "NORMAL" };
            ({ state } = await up(topics, state, normal, id));
            assert.deepEqual(await mqadminRoute("it-orders"), [["broker-a1", 6, 6, 6], ["broker-a2", 6, 6, 6]]);
            const config = await client.getTopicConfig(bed.broker("broker-a2").address, "it-orders");
            assert.equal(config.attributes?.["message.type"], "NORMAL");
            await produce("it-orders", 20);
            assert.equal(await storedMessages(client, bed, "it-orders", ["broker-a1", "broker-a2"]), 20);
            ({ state } = await up(topics, state, { ...normal, order: true }, id));
            assert.equal((await client.getTopicConfig(bed.broker("broker-a1").address, "it-orders")).order, true);
            assert.equal(await storedMessages(client, bed, "it-orders", ["broker-a1", "broker-a2"]), 20, "an update in place keeps the messages");
        });

        it("a broker group that joins the cluster later is found missing by refresh and gets the topic on the next up", async () => {
            await bed.startBroker("broker-a3");
            const refreshed = await refresh(topics, id, state);
            assert.deepEqual(refreshed.state.missingFrom, ["broker-a3"]);
            const changed = { ...program, readQueueNums: 6, writeQueueNums: 6, messageType: "NORMAL", order: true };
            assert.equal((await preview(topics, refreshed.state, changed, id)).changes, true);
            ({ state } = await up(topics, refreshed.state, changed, id));
            assert.deepEqual(state.brokers, ["broker-a1", "broker-a2", "broker-a3"]);
            assert.deepEqual((await mqadminRoute("it-orders")).map((q) => q[0]), ["broker-a1", "broker-a2", "broker-a3"]);
            assert.equal((await preview(topics, (await refresh(topics, id, state)).state, changed, id)).changes, false);
        });

        it("refuses to delete while messages are unconsumed, naming where; deletes once they are consumed", async () => {
            const refusal = await topics.delete(id, state).then(() => assert.fail("the delete should be refused"), (e: Error) => e.message);
            assert.match(refusal, /^topic it-orders: refusing deleting it from cluster clusterA: (\d+) message\(s\) on broker-a1 that no consumer group has consumed; (\d+) message\(s\) on broker-a2 that no consumer group has consumed; .*allowDeleteWithUnconsumedMessages: true/);
            const counted = [...refusal.matchAll(/(\d+) message\(s\)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
            assert.equal(counted, 20, "the refusal counts every message produced");
            assert.equal((await mqadminRoute("it-orders")).length, 3, "the topic is still there");
            await mqadmin("updateSubGroup", "-c", cluster, "-g", "it-orders-reader");
            const run = await consume("it-orders-reader", "it-orders", 20);
            assert.equal(run.code, 0, `consumer failed:\n${run.stdout}\n${run.stderr}`);
            await topics.delete(id, state);
            assert.deepEqual(await mqadminRoute("it-orders"), []);
            for (const broker of ["broker-a1", "broker-a2", "broker-a3"]) {
                const all = await client.getAllTopicConfigs(bed.broker(broker).address);
                assert.equal(all.topics["it-orders"], undefined, `gone from ${broker}`);
            }
            assert.deepEqual(await getKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, "it-orders"), {}, "no longer marked as managed");
            const gone = await topics.read(id, state);
            assert.equal(gone.id, "", "refresh forgets a topic gone from every broker group");
        });

        it("deletes a topic with unconsumed messages when allowDeleteWithUnconsumedMessages is set", async () => {
            const kept = { name: "it-kept", brokerNames: ["broker-a1"], nameServerAddresses: bed.nameServer, readQueueNums: 2, writeQueueNums: 2 };
            let created = await up(topics, undefined, kept);
            await produce("it-kept", 5);
            await assert.rejects(topics.delete(created.id, created.state), /5 message\(s\) on broker-a1/);
            created = await up(topics, created.state, { ...kept, allowDeleteWithUnconsumedMessages: true }, created.id);
            await topics.delete(created.id, created.state);
            assert.deepEqual(await mqadminRoute("it-kept"), []);
        });

        it("a placement that leaves out a broker group moves the topic off it, refusing while messages no group consumes remain there", async () => {
            const both = { name: "it-placed", brokerNames: ["broker-a1", "broker-a2"], nameServerAddresses: bed.nameServer, readQueueNums: 2, writeQueueNums: 2 };
            let placed = await up(topics, undefined, both);
            assert.equal(placed.id, `${bed.nameServer}/brokers:broker-a1,broker-a2/it-placed`);
            await produce("it-placed", 12);
            const onA2 = await storedMessages(client, bed, "it-placed", ["broker-a2"]);
            assert.ok(onA2 > 0, "the producer spread messages over both groups");
            const one = { ...both, brokerNames: ["broker-a1"] };
            await assert.rejects(up(topics, placed.state, one, placed.id), new RegExp(`refusing to move it off broker-a2: ${onA2} message\\(s\\) on broker-a2 that no consumer group has consumed`));
            assert.deepEqual((await mqadminRoute("it-placed")).map((q) => q[0]), ["broker-a1", "broker-a2"], "nothing changed");
            placed = await up(topics, placed.state, { ...one, allowDeleteWithUnconsumedMessages: true }, placed.id);
            assert.deepEqual(placed.state.brokers, ["broker-a1"]);
            assert.equal((await client.getAllTopicConfigs(bed.broker("broker-a2").address)).topics["it-placed"], undefined);
            // broker-a1 keeps its route at once, not only at its next registration.
            assert.deepEqual(await mqadminRoute("it-placed"), [["broker-a1", 2, 2, 6]]);
            await topics.delete(placed.id, placed.state);
        });

        it("imports a topic made with mqadmin; the next preview of a program declaring it shows no changes", async () => {
            await mqadmin("updateTopic", "-c", cluster, "-t", "it-imported", "-r", "6", "-w", "3", "-p", "6", "-a", "+message.type=DELAY");
            const importId = `${bed.nameServer}/cluster:${cluster}/it-imported`;
            const imported = await topics.read(importId, {});
            assert.equal(imported.id, importId);
            assert.deepEqual(Object.values(await getKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, "it-imported")), [`cluster ${cluster}`], "recorded as managed at import");
            assert.deepEqual(imported.inputs, {
                name: "it-imported", clusterName: cluster, nameServerAddresses: bed.nameServer,
                readQueueNums: 6, writeQueueNums: 3, perm: 6, order: false, messageType: "DELAY",
            });
            const declared = { name: "it-imported", clusterName: cluster, nameServerAddresses: bed.nameServer, readQueueNums: 6, writeQueueNums: 3, messageType: "DELAY" };
            assert.equal((await preview(topics, imported.props, declared, importId)).changes, false);
            await topics.delete(importId, imported.props);
            assert.deepEqual(await mqadminRoute("it-imported"), []);
            assert.deepEqual(await getKvConfigEverywhere(client, MANAGED_TOPIC_NAMESPACE, "it-imported"), {}, "no longer managed once deleted");
        });

        it("refuses to create over a topic that exists with other settings, pointing to import", async () => {
            await mqadmin("updateTopic", "-c", cluster, "-t", "it-taken", "-r", "2", "-w", "2");
            const checked = await topics.check("urn", {}, { name: "it-taken", clusterName: cluster, nameServerAddresses: bed.nameServer });
            await assert.rejects(topics.create("urn", checked.inputs), /topic it-taken already exists on broker-a1, broker-a2, broker-a3 with other settings; import it \(pulumi import rocketmq:index:Topic <name> .*\/cluster:clusterA\/it-taken\)/);
        });

        it("an import id naming no existing topic fails, saying where it looked", async () => {
            await assert.rejects(topics.read(`${bed.nameServer}/brokers:broker-a1/it-nowhere`, {}), /cannot import topic it-nowhere: no broker group of broker groups broker-a1 holds it/);
        });
    });

    describe("ConsumerGroup", () => {
        const program = { name: "it-billing", clusterName: cluster, nameServerAddresses: "", retryMaxTimes: 5, consumeMessageOrderly: true };
        let id = "";
        let state: Record<string, unknown>;

        before(() => {
            program.nameServerAddresses = bed.nameServer;
        });

        it("creates the group on every master with the settings given and the broker's defaults for the rest", async () => {
            ({ id, state } = await up(groups, undefined, program));
            assert.deepEqual(state.brokers, ["broker-a1", "broker-a2", "broker-a3"]);
            for (const broker of ["broker-a1", "broker-a2", "broker-a3"]) {
                const config = (await client.getAllSubscriptionGroups(bed.broker(broker).address)).groups["it-billing"];
                assert.ok(config, `on ${broker}`);
                assert.deepEqual([config.retryMaxTimes, config.consumeMessageOrderly, config.retryQueueNums, config.consumeEnable], [5, true, 1, true]);
            }
            assert.equal((await preview(groups, (await refresh(groups, id, state)).state, program, id)).changes, false);
        });

        it("refresh finds settings changed with mqadmin on one broker group; the update puts them back in place", async () => {
            await mqadmin("updateSubGroup", "-b", bed.broker("broker-a2").address, "-g", "it-billing", "-r", "9", "-o", "true", "-s", "false");
            const refreshed = await refresh(groups, id, state);
            assert.deepEqual([refreshed.state.retryMaxTimes, refreshed.state.consumeEnable], [9, false]);
            assert.equal((await preview(groups, refreshed.state, program, id)).changes, true);
            ({ state } = await up(groups, refreshed.state, program, id));
            const config = (await client.getAllSubscriptionGroups(bed.broker("broker-a2").address)).groups["it-billing"];
            assert.deepEqual([config.retryMaxTimes, config.consumeEnable], [5, true]);
        });

        it("refresh finds the group deleted with mqadmin from one broker group, and the next up brings it back", async () => {
            await mqadmin("deleteSubGroup", "-b", bed.broker("broker-a3").address, "-g", "it-billing");
            const refreshed = await refresh(groups, id, state);
            assert.deepEqual(refreshed.state.missingFrom, ["broker-a3"]);
            ({ state } = await up(groups, refreshed.state, program, id));
            assert.ok((await client.getAllSubscriptionGroups(bed.broker("broker-a3").address)).groups["it-billing"]);
        });

        it("refuses to delete while a consumer of the group is online, naming it; deletes once it left", async () => {
            await topics.create("urn", (await topics.check("urn", {}, { name: "it-bills", clusterName: cluster, nameServerAddresses: bed.nameServer, readQueueNums: 2, writeQueueNums: 2 })).inputs);
            const consumer = consume("it-billing", "it-bills", 1_000_000, 40);
            await waitUntil(async () => (await client.getConsumerConnections(bed.broker("broker-a1").address, "it-billing")).length > 0, "the consumer to come online");
            await assert.rejects(groups.delete(id, state), /consumer group it-billing: refusing deleting it from cluster clusterA: 1 consumer\(s\) on broker-a1: .*@.* at 127\.0\.0\.1:\d+.*allowDeleteWithOnlineConsumers: true/);
            assert.ok((await client.getAllSubscriptionGroups(bed.broker("broker-a1").address)).groups["it-billing"], "still there");
            await consumer;
            await waitUntil(async () => (await client.getConsumerConnections(bed.broker("broker-a1").address, "it-billing")).length === 0, "the consumer to leave");
            await groups.delete(id, state);
            for (const broker of ["broker-a1", "broker-a2", "broker-a3"]) {
                assert.equal((await client.getAllSubscriptionGroups(bed.broker(broker).address)).groups["it-billing"], undefined, `gone from ${broker}`);
            }
            assert.equal((await groups.read(id, state)).id, "");
        });

        it("a placement that leaves out a broker group deletes the group there only", async () => {
            const both = { name: "it-placed-group", brokerNames: ["broker-a1", "broker-a2"], nameServerAddresses: bed.nameServer };
            let placed = await up(groups, undefined, both);
            placed = await up(groups, placed.state, { ...both, brokerNames: ["broker-a2"] }, placed.id);
            assert.deepEqual(placed.state.brokers, ["broker-a2"]);
            assert.equal((await client.getAllSubscriptionGroups(bed.broker("broker-a1").address)).groups["it-placed-group"], undefined);
            assert.ok((await client.getAllSubscriptionGroups(bed.broker("broker-a2").address)).groups["it-placed-group"]);
            await groups.delete(placed.id, placed.state);
        });

        it("imports a group made with mqadmin; the next preview of a program declaring it shows no changes", async () => {
            await mqadmin("updateSubGroup", "-c", cluster, "-g", "it-imported-group", "-r", "3", "-q", "2", "-m", "false");
            const importId = `${bed.nameServer}/cluster:${cluster}/it-imported-group`;
            const imported = await groups.read(importId, {});
            assert.deepEqual(imported.inputs, {
                name: "it-imported-group", clusterName: cluster, nameServerAddresses: bed.nameServer,
                consumeEnable: true, consumeFromMinEnable: false, consumeBroadcastEnable: false, consumeMessageOrderly: false,
                retryQueueNums: 2, retryMaxTimes: 3, brokerId: 0, whichBrokerWhenConsumeSlowly: 1,
                notifyConsumerIdsChangedEnable: true, consumeTimeoutMinute: 15,
            });
            // mqadmin's updateSubGroup turns broadcast off unless told: a program declaring the group says so.
            const declared = { name: "it-imported-group", clusterName: cluster, nameServerAddresses: bed.nameServer, retryMaxTimes: 3, retryQueueNums: 2, consumeFromMinEnable: false, consumeBroadcastEnable: false };
            assert.equal((await preview(groups, imported.props, declared, importId)).changes, false);
            const other = await preview(groups, imported.props, { ...declared, retryMaxTimes: 4 }, importId);
            assert.deepEqual([other.changes, other.replaces], [true, []]);
        });
    });
});

async function storedMessages(client: RocketMQAdminClient, bed: RocketMQTestBed, topic: string, brokers: string[]): Promise<number> {
    let total = 0;
    for (const broker of brokers) {
        const stats = await client.getTopicStats(bed.broker(broker).address, topic);
        total += stats.queues.reduce((sum, q) => sum + q.maxOffset - q.minOffset, 0);
    }
    return total;
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await condition().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}`);
}
