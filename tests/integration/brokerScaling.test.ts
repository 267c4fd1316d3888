// BrokerScaling's lifecycle driven through its handler as the engine drives it (check, diff,
// create, read, update), against a real name server and three real brokers of one cluster: the
// metadata copy to joining groups and its idempotency, what refresh reports after drift made with
// the real mqadmin (reported, not undone), and the drain of a leaving group, both timing out (write permission restored)
// and succeeding once a real Java consumer caught up.
import { strict as assert } from "node:assert";
import { MASTER_ID, Perm, RocketMQAdminClient, TopicConfig } from "../../provider/src/admin";
import type { CustomResourceHandler } from "../../provider/src/handlers";
import type { ProgressLog } from "../../provider/src/ops/progressLog";
import { brokerScalingHandler } from "../../provider/src/resources/brokerScaling";
import { RocketMQTestBed } from "../support/rocketmq";

const cluster = "scaleCluster";
const [source, joining, leaving] = ["scale-0", "scale-1", "scale-2"];
const topicCount = 100;
const groupCount = 10;

describe("BrokerScaling against real RocketMQ", function () {
    let bed: RocketMQTestBed;
    let client: RocketMQAdminClient;
    const lines: string[] = [];
    const log: ProgressLog = { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
    const handler = brokerScalingHandler(undefined, () => log);
    let state: Record<string, unknown>;
    let program: Record<string, unknown>;
    const counted = { produced: 0, consumed: 0 };

    before(async function () {
        this.timeout(900_000);
        bed = await RocketMQTestBed.start({ brokers: [source, joining, leaving].map((brokerName) => ({ cluster, brokerName })), readyTimeoutMs: 240_000 });
        client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 10_000 });
        // Topics of every shape the copy must keep, and subscription groups, on the source only.
        const topics: TopicConfig[] = Array.from({ length: topicCount }, (_, i) => ({
            topicName: `it-scale-${i}`,
            readQueueNums: 1 + (i % 8),
            writeQueueNums: 1 + (i % 8),
            perm: i % 10 === 9 ? Perm.READ : Perm.READ_WRITE,
            order: i % 7 === 0,
            ...(i % 5 === 0 ? { attributes: { "message.type": "FIFO" } } : {}),
        }));
        topics.push({ topicName: "drain-orders", readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ_WRITE });
        await client.createOrUpdateTopics(bed.broker(source).address, topics);
        await client.createOrUpdateSubscriptionGroups(bed.broker(source).address, [
            ...Array.from({ length: groupCount }, (_, i) => ({ groupName: `it-scale-group-${i}`, retryMaxTimes: i, consumeBroadcastEnable: i % 2 === 0 })),
            { groupName: "drain-billing" },
        ]);
    });

    after(async () => {
        client?.close();
        await bed?.stop();
    });

    /** What `pulumi up` does: check, then create, or diff and update. */
    async function up(news: Record<string, unknown>): Promise<{ changed: boolean }> {
        const checked = await handler.check("urn", state ?? {}, news);
        assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
        if (!state) {
            state = (await handler.create("urn", checked.inputs)).outs as Record<string, unknown>;
            return { changed: true };
        }
        const diff = await handler.diff(cluster, state, checked.inputs, "urn");
        if (!diff.changes) return { changed: false };
        assert.deepEqual(diff.replaces, []);
        state = (await handler.update(cluster, state, checked.inputs, "urn")).outs as Record<string, unknown>;
        return { changed: true };
    }

    async function refresh(): Promise<void> {
        state = (await handler.read(cluster, state, "urn")).props as Record<string, unknown>;
    }

    /** Topic configs and subscription groups of a broker, system ones aside, comparable as JSON. */
    async function metadataOf(brokerName: string) {
        const address = bed.broker(brokerName).address;
        const topics = Object.entries((await client.getAllTopicConfigs(address)).topics).filter(([name]) => name.startsWith("it-scale-") || name === "drain-orders");
        const groups = Object.entries((await client.getAllSubscriptionGroups(address)).groups).filter(([name]) => name.startsWith("it-scale-") || name === "drain-billing");
        const byName = ([a]: [string, unknown], [b]: [string, unknown]) => a.localeCompare(b);
        return { topics: Object.fromEntries(topics.sort(byName)), groups: Object.fromEntries(groups.sort(byName)) };
    }

    async function produce(count: number): Promise<void> {
        const run = await bed.javaProgram("TestProducer", [bed.nameServer, "drain-orders", String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        counted.produced += Number(/SENT (\d+)/.exec(run.stdout)?.[1]);
    }

    async function consume(expected: number): Promise<void> {
        const run = await bed.javaProgram("TestConsumer", [bed.nameServer, "drain-billing", "drain-orders", String(expected), "90"], 150_000);
        assert.equal(run.code, 0, `consumer did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        counted.consumed += Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
    }

    async function brokerPermission(brokerName: string): Promise<string> {
        return (await client.getBrokerConfig(bed.broker(brokerName).address)).brokerPermission;
    }

    it("create copies every topic config and subscription group of the source to the joining group, as the source has them", async () => {
        program = { clusterName: cluster, brokerNames: [source, joining], nameServerAddresses: bed.nameServer };
        const began = Date.now();
        await up(program);
        console.log(`      copied ${topicCount + 1} topics and ${groupCount + 1} groups in ${((Date.now() - began) / 1000).toFixed(2)} s`);
        assert.deepEqual(await metadataOf(joining), await metadataOf(source));
        assert.equal(Object.keys((await metadataOf(joining)).topics).length, topicCount + 1);
        assert.ok(lines.includes(`${joining}: copying ${topicCount + 1} topic(s) and ${groupCount + 1} subscription group(s) from ${source} (0 topic(s) and 0 group(s) already the same)`), lines.join("\n"));
        // The joining group registered the topics: producers see both groups.
        const route = await client.getTopicRoute("it-scale-3");
        assert.deepEqual(route.queues.map((q) => [q.brokerName, q.writeQueueNums]).sort(), [[source, 4], [joining, 4]]);
    });

    it("a second run sends nothing: the joining group's topic table keeps its version", async () => {
        const version = (await client.getAllTopicConfigs(bed.broker(joining).address)).dataVersion;
        lines.length = 0;
        assert.deepEqual(await up(program), { changed: false });
        // A create over groups that already hold everything (a stack that lost its state) sends nothing either.
        await handler.create("urn", (await handler.check("urn", {}, program)).inputs);
        assert.deepEqual(lines.filter((l) => l.includes("copying")), []);
        assert.ok(lines.includes(`${joining} already has every topic (${topicCount + 1}) and subscription group (${groupCount + 1}) of ${source}; nothing to copy`), lines.join("\n"));
        assert.deepEqual((await client.getAllTopicConfigs(bed.broker(joining).address)).dataVersion, version);
    });

    it("refresh reports what mqadmin took from the joining group and changes nothing; the next up copies nothing back", async () => {
        const address = bed.broker(joining).address;
        const deleted = await bed.mqadmin(["deleteSubGroup", "-b", address, "-g", "it-scale-group-3"]);
        assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
        const changed = await bed.mqadmin(["updateTopic", "-b", address, "-t", "it-scale-4", "-r", "2", "-w", "2"]);
        assert.equal(changed.code, 0, changed.stdout + changed.stderr);
        await client.deleteTopicInBroker(address, "it-scale-6");
        const placed = await metadataOf(joining);
        const before = state;
        lines.length = 0;
        await refresh();
        assert.deepEqual(state, before);
        assert.ok(lines.some((l) => l.startsWith(`${joining} lacks 2 topic(s) (it-scale-4, it-scale-6) and 1 subscription group(s) (it-scale-group-3) of ${source}`)), lines.join("\n"));
        // A topic on some groups only is a placement the copy does not undo.
        assert.deepEqual(await up(program), { changed: false });
        assert.deepEqual(await metadataOf(joining), placed);
    });

    it("a third group joins: the update copies to it; real messages then land on all three groups", async () => {
        program = { ...program, brokerNames: [source, joining, leaving] };
        const placed = await metadataOf(joining);
        assert.deepEqual(await up(program), { changed: true });
        assert.deepEqual(await metadataOf(leaving), await metadataOf(source));
        assert.deepEqual(await metadataOf(joining), placed, `${joining} was listed before: it gets nothing`);
        await produce(60);
        const stored = await Promise.all([source, joining, leaving].map(async (b) => (await client.getTopicStats(bed.broker(b).address, "drain-orders")).queues.reduce((sum, q) => sum + q.maxOffset, 0)));
        assert.ok(stored.every((count) => count > 0), `messages per group: ${stored.join(", ")}`);
        await consume(60);
    });

    it("scale-down with unconsumed messages: the drain times out, the group is writable again, the error names the consumer group and its lag", async () => {
        await produce(30);
        const lag = (await client.getConsumeStats(bed.broker(leaving).address, "drain-billing", "drain-orders")).totalLag;
        assert.ok(lag > 0, "messages left on the leaving group");
        const before = state;
        await assert.rejects(
            up({ ...program, brokerNames: [source, joining], drainTimeoutSeconds: 6 }),
            new RegExp(`scale-down of broker group\\(s\\) ${leaving} stopped: consumers did not consume every message within drainTimeoutSeconds \\(6\\.0 s\\): consumer group drain-billing lag ${lag} on ${leaving} \\(topic drain-orders\\), .*Write permission is restored .* nothing was removed`),
        );
        // The copied subscription groups have consumed nothing anywhere: their consumers may not have
        // started, so each counts for drain-orders with every message stored there.
        const stored = (await client.getTopicStats(bed.broker(leaving).address, "drain-orders")).queues.reduce((sum, q) => sum + q.maxOffset - q.minOffset, 0);
        const shown = lines.join("\n");
        for (let i = 0; i < groupCount; i++) assert.match(shown, new RegExp(`consumer group it-scale-group-${i} lag ${stored} on ${leaving} \\(topic drain-orders, nothing consumed yet\\)`));
        assert.ok(lines.some((l) => new RegExp(`draining ${leaving}: ${lag + groupCount * stored} message\\(s\\) not yet consumed`).test(l)), shown);
        assert.equal(state, before, "the stack keeps the group");
        assert.equal(await brokerPermission(leaving), String(Perm.READ_WRITE));
        const route = await client.getTopicRoute("drain-orders");
        assert.equal(route.queues.find((q) => q.brokerName === leaving)?.perm, Perm.READ_WRITE);
    });

    it("after a consumer caught up and the groups that read nothing were deleted, the drain succeeds: the group is read-only and every message produced was consumed", async () => {
        await consume(30);
        for (let i = 0; i < groupCount; i++) await client.deleteSubscriptionGroup(bed.broker(leaving).address, `it-scale-group-${i}`);
        const began = Date.now();
        assert.deepEqual(await up({ ...program, brokerNames: [source, joining] }), { changed: true });
        console.log(`      drain with every message consumed: ${((Date.now() - began) / 1000).toFixed(2)} s`);
        assert.deepEqual(state.brokerNames, [source, joining]);
        assert.equal(await brokerPermission(leaving), String(Perm.READ));
        const info = await client.getClusterInfo();
        assert.ok(info.brokers[leaving]?.addresses[MASTER_ID], "still registered: only deleting its objects takes it away");
        const route = await client.getTopicRoute("drain-orders");
        assert.equal(route.queues.find((q) => q.brokerName === leaving)?.perm, Perm.READ);
        assert.equal(counted.consumed, counted.produced);
    });
});
