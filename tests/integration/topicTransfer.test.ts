// TopicTransfer against real RocketMQ, once per release of the matrix (tests/support/rocketmqJars.ts,
// one test bed per release): one name server, cluster-a with broker groups broker-a and broker-a2,
// cluster-b with broker-b. Real Java producers and consumers count messages, the
// real mqadmin reads routes, and failures are injected at each of the seven steps.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { canonicalJson, JsonValue } from "../../provider/src/admin/fastjson";
import { RemoteTransferAdmin } from "../../provider/src/ops/remoteTransferAdmin";
import { topicHandler } from "../../provider/src/resources/topic";
import { topicTransferHandler } from "../../provider/src/resources/topicTransfer";
import { PARKED_PULL_MAX_MS } from "../../provider/src/ops/groupSettle";
import { TopicTransferError, TopicTransferRefused, TopicTransferRequest, transferSteps, transferTopic } from "../../provider/src/ops/topicTransfer";
import type { TransferAdmin } from "../../provider/src/ops/transferAdmin";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { startPlugin, unary } from "../support/plugin";
import { RocketMQTestBed } from "../support/rocketmq";
import { rocketmqMatrix } from "../support/rocketmqJars";

const quietLog = { lines: [] as string[], info(m: string) { this.lines.push(m); }, warn(m: string) { this.lines.push(`warning: ${m}`); } };

for (const version of rocketmqMatrix()) describe(`TopicTransfer against real brokers: RocketMQ ${version}`, function () {
    this.timeout(600_000);
    let bed: RocketMQTestBed;
    let client: RocketMQAdminClient;
    let admin: RemoteTransferAdmin;

    before(async () => {
        bed = await RocketMQTestBed.start({
            version,
            brokers: [
                { cluster: "cluster-a", brokerName: "broker-a" },
                { cluster: "cluster-a", brokerName: "broker-a2" },
                { cluster: "cluster-b", brokerName: "broker-b" },
            ],
            brokerHeap: "256m",
        });
        client = new RocketMQAdminClient({ nameServers: bed.nameServer });
        admin = new RemoteTransferAdmin(client);
    });

    after(async () => {
        client?.close();
        await bed?.stop();
    });

    const address = (broker: string) => bed.broker(broker).address;

    /** Creates the topic on a broker and waits until the name server routes it there, as producers need. */
    async function createTopic(broker: string, topic: string): Promise<void> {
        await client.createOrUpdateTopic(address(broker), { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
        // A 4.x broker registers a new topic with a request that can time out inside it on a loaded
        // machine; its next registration (every 30 s) brings the route then.
        const deadline = Date.now() + 45_000;
        while (!(await client.getTopicRoute(topic).then((r) => r.queues.some((q) => q.brokerName === broker), () => false))) {
            assert.ok(Date.now() < deadline, `the name server routes ${topic} to ${broker} within 45 s`);
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }

    async function createGroups(broker: string, groups: string[]): Promise<void> {
        for (const groupName of groups) await client.createOrUpdateSubscriptionGroup(address(broker), { groupName, retryMaxTimes: 7, consumeEnable: true });
    }

    async function produce(topic: string, count: number): Promise<number> {
        let run = await bed.javaProgram("TestProducer", [bed.nameServer, topic, String(count)]);
        // On a loaded machine the producer's very first route lookup can time out; nothing was sent then.
        if (run.code !== 0 && /tryToFindTopicPublishInfo/.test(run.stderr) && /RemotingTimeoutException/.test(run.stderr)) {
            run = await bed.javaProgram("TestProducer", [bed.nameServer, topic, String(count)]);
        }
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        return Number(/SENT (\d+)/.exec(run.stdout)?.[1]);
    }

    async function consume(group: string, topic: string, expected: number): Promise<number> {
        const run = await bed.javaProgram("TestConsumer", [bed.nameServer, group, topic, String(expected), "90"]);
        assert.equal(run.code, 0, `consumer did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        return Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
    }

    /** The broker groups the real mqadmin topicRoute lists for a topic. */
    async function mqadminRoute(topic: string): Promise<string[]> {
        const run = await bed.mqadmin(["topicRoute", "-t", topic]);
        if (run.code !== 0 && /No topic route info|TOPIC_NOT_EXIST|not exist/i.test(run.stdout + run.stderr)) return [];
        assert.equal(run.code, 0, `mqadmin topicRoute failed:\n${run.stdout}\n${run.stderr}`);
        return [...new Set([...run.stdout.matchAll(/"brokerName"\s*:\s*"([^"]+)"/g)].map((m) => m[1]))].sort();
    }

    async function messagesOn(broker: string, topic: string): Promise<number> {
        const stats = await client.getTopicStats(address(broker), topic);
        return stats.queues.reduce((sum, q) => sum + q.maxOffset, 0);
    }

    /** Everything a user would compare on the source: topic config, route permission, groups, stored messages. */
    async function sourceState(brokers: string[], topic: string, groups: string[]): Promise<string> {
        const route = await client.getTopicRoute(topic).catch(() => undefined);
        const state: Record<string, unknown> = {};
        for (const broker of brokers) {
            const [topics, subscriptionGroups] = await Promise.all([client.getAllTopicConfigs(address(broker)), client.getAllSubscriptionGroups(address(broker))]);
            state[broker] = {
                topic: topics.topics[topic] ?? null,
                routePerm: route?.queues.find((q) => q.brokerName === broker)?.perm ?? null,
                groups: Object.fromEntries(groups.map((g) => [g, subscriptionGroups.groups[g] ?? null])),
                messages: topics.topics[topic] ? await messagesOn(broker, topic) : null,
            };
        }
        return canonicalJson(state as JsonValue);
    }

    async function targetHolds(broker: string, topic: string, groups: string[]): Promise<string[]> {
        const [topics, subscriptionGroups] = await Promise.all([client.getAllTopicConfigs(address(broker)), client.getAllSubscriptionGroups(address(broker))]);
        return [topic, ...groups.map((g) => `%RETRY%${g}`)].filter((t) => topics.topics[t]).concat(groups.filter((g) => subscriptionGroups.groups[g]));
    }

    // For groups no consumer has ever pulled: no pull request of theirs can be parked on a source
    // broker, so step 6 need not watch for one (groupSettle.ts).
    const noConsumerEverPulled = { pollIntervalMs: 200, groupSettleMs: 0 };

    function request(topic: string, sourceCluster: string, targetCluster: string, extra: Partial<TopicTransferRequest> = {}): TopicTransferRequest {
        return { topic, sourceCluster, targetCluster, consumeTimeoutSeconds: 60, ...extra };
    }

    it("moves a topic between clusters: messages before and after are all consumed, mqadmin routes it only to the target", async () => {
        const topic = "orders_move";
        await createTopic("broker-a", topic);
        const producedBefore = await produce(topic, 200);
        const consumedBefore = await consume("orders_group", topic, producedBefore);
        assert.equal(await messagesOn("broker-a", topic), 200);

        const result = await transferTopic(admin, request(topic, "cluster-a", "cluster-b"), quietLog, { pollIntervalMs: 200 });
        assert.deepEqual(result.steps.map((s) => [s.step, s.name, Boolean(s.finishedAt)]), transferSteps.map((s) => [s.number, s.name, true]));
        assert.deepEqual(result.groupsMoved, ["orders_group"]);
        assert.deepEqual(result.topicBrokers, ["broker-b"]);

        assert.deepEqual(await mqadminRoute(topic), ["broker-b"]);
        assert.deepEqual(await targetHolds("broker-b", topic, ["orders_group"]), [topic, "%RETRY%orders_group", "orders_group"]);
        const sourceGroups = await client.getAllSubscriptionGroups(address("broker-a"));
        assert.equal(sourceGroups.groups.orders_group, undefined, "the group is gone from the source");

        const producedAfter = await produce(topic, 50);
        assert.equal(await messagesOn("broker-b", topic), 50, "new messages go to the target");
        const consumedAfter = await consume("orders_group", topic, producedAfter);
        assert.equal(consumedBefore + consumedAfter, producedBefore + producedAfter, "count produced = count consumed");
    });

    it("why step 6 watches the source: without the watch, pull requests the departed consumer left parked bring its group back", async () => {
        const topic = "parked_pulls";
        await createTopic("broker-a", topic);
        assert.equal(await consume("parked_group", topic, await produce(topic, 20)), 20);
        await transferTopic(admin, request(topic, "cluster-a", "cluster-b"), quietLog, { pollIntervalMs: 200, groupSettleMs: 0 });
        const deletedAt = Date.now();
        let cameBackAfterMs: number | undefined;
        while (cameBackAfterMs === undefined && Date.now() - deletedAt < PARKED_PULL_MAX_MS + 5_000) {
            if ((await client.getAllSubscriptionGroups(address("broker-a"))).groups.parked_group) cameBackAfterMs = Date.now() - deletedAt;
            else await new Promise((resolve) => setTimeout(resolve, 500));
        }
        assert.ok(cameBackAfterMs !== undefined, `parked_group did not come back within ${PARKED_PULL_MAX_MS + 5_000} ms`);
        assert.ok(cameBackAfterMs < PARKED_PULL_MAX_MS, `it came back after ${cameBackAfterMs} ms, later than step 6 watches`);
    });

    it("moves a topic between two broker groups of one cluster (the operator's broker-0 -> broker-1)", async () => {
        const topic = "group_move";
        await createTopic("broker-a", topic);
        await createGroups("broker-a", ["group_move_consumer"]);
        await transferTopic(admin, request(topic, "broker-a", "broker-a2", { consumerGroups: ["group_move_consumer"] }), quietLog, noConsumerEverPulled);
        // The name servers delete routes per cluster; broker-a2's route must survive broker-a's deletion.
        assert.deepEqual(await mqadminRoute(topic), ["broker-a2"]);
        assert.equal(await produce(topic, 20), 20);
        assert.equal(await messagesOn("broker-a2", topic), 20, "new messages go to the target group");
        assert.equal((await client.getAllTopicConfigs(address("broker-a"))).topics[topic], undefined);
    });

    it("refuses an unknown cluster, a missing topic and overlapping sides before changing anything", async () => {
        await createTopic("broker-a", "refused_topic");
        const before = await sourceState(["broker-a"], "refused_topic", []);
        await assert.rejects(transferTopic(admin, request("refused_topic", "cluster-a", "cluster-z"), quietLog), (err: Error) => err instanceof TopicTransferRefused && /targetCluster cluster-z is neither/.test(err.message));
        await assert.rejects(transferTopic(admin, request("no_such_topic", "cluster-a", "cluster-b"), quietLog), /topic no_such_topic does not exist on cluster-a/);
        await assert.rejects(transferTopic(admin, request("refused_topic", "cluster-a", "broker-a2"), quietLog), /share broker groups broker-a2/);
        assert.equal(await sourceState(["broker-a"], "refused_topic", []), before);
        assert.deepEqual(await targetHolds("broker-b", "refused_topic", []), []);
    });

    it("the resource handler, as the engine drives it: check, create, refresh (read) after someone moved the topic back", async () => {
        const topic = "resource_topic";
        await createTopic("broker-a", topic);
        await createGroups("broker-a", ["resource_group"]);
        const lines: string[] = [];
        const handler = topicTransferHandler(undefined, () => ({ info: (m) => void lines.push(m), warn: (m) => void lines.push(m) }), noConsumerEverPulled);
        const news = { topic, sourceCluster: "cluster-a", targetCluster: "cluster-b", nameServerAddresses: bed.nameServer, consumerGroups: ["resource_group"] };
        const urn = "urn:pulumi:it::p::rocketmq:index:TopicTransfer::move";
        const checked = await handler.check(urn, {}, news);
        assert.equal(checked.failures, undefined);
        const created = await handler.create(urn, checked.inputs);
        assert.equal(created.outs.location, "target");
        assert.deepEqual(created.outs.groupsMoved, ["resource_group"]);
        assert.ok(lines.some((l) => /step 7 of 7/.test(l)));
        assert.deepEqual((await handler.read(created.id, created.outs, urn)).props.topicBrokers, ["broker-b"]);

        await createTopic("broker-a", topic); // someone recreates it on the source behind Pulumi's back
        const refreshed = await handler.read(created.id, created.outs, urn);
        assert.equal(refreshed.props.location, "source and target");
        assert.deepEqual(refreshed.props.topicBrokers, ["broker-a", "broker-b"]);

        await handler.delete(created.id, created.outs);
        assert.deepEqual((await client.getTopicRoute(topic)).queues.map((q) => q.brokerName).sort(), ["broker-a", "broker-b"], "delete moved nothing");
    });

    it("the plugin executable runs a transfer over gRPC: progress on stderr, stdout only the port", async () => {
        const topic = "plugin_topic";
        await createTopic("broker-a", topic);
        await createGroups("broker-a", ["plugin_group"]);
        const plugin = await startPlugin();
        let stdoutAfterPort = "";
        let stderr = "";
        plugin.process.stdout!.on("data", (d) => (stdoutAfterPort += d));
        plugin.process.stderr!.on("data", (d) => (stderr += d));
        try {
            const urn = "urn:pulumi:it::p::rocketmq:index:TopicTransfer::plugin-move";
            const news = { topic, sourceCluster: "broker-a", targetCluster: "cluster-b", nameServerAddresses: bed.nameServer, consumerGroups: ["plugin_group"] };
            const check = new providerProto.CheckRequest();
            check.setUrn(urn);
            check.setType("rocketmq:index:TopicTransfer");
            check.setOlds(Struct.fromJavaScript({}));
            check.setNews(Struct.fromJavaScript(news));
            const checked = await unary<providerProto.CheckRequest, providerProto.CheckResponse>(plugin.client.check.bind(plugin.client), check);
            assert.deepEqual(checked.getFailuresList(), []);
            const create = new providerProto.CreateRequest();
            create.setUrn(urn);
            create.setType("rocketmq:index:TopicTransfer");
            create.setProperties(checked.getInputs());
            const created = await unary<providerProto.CreateRequest, providerProto.CreateResponse>(plugin.client.create.bind(plugin.client), create);
            const outs = created.getProperties()!.toJavaScript() as Record<string, any>;
            assert.equal(created.getId(), `${topic}:broker-a->cluster-b`);
            assert.deepEqual(outs.steps.map((s: { step: number }) => s.step), [1, 2, 3, 4, 5, 6, 7]);
            assert.equal(outs.location, "target");
            assert.equal(outs.consumeTimeoutSeconds, 600);
            assert.deepEqual((await client.getTopicRoute(topic)).queues.map((q) => q.brokerName), ["broker-b"]);
            assert.match(stderr, /step 4 of 7: wait until every consumer group has consumed the topic on the source/);
            assert.equal(stdoutAfterPort, "", "stdout carries only the port handshake");
        } finally {
            await plugin.stop();
        }
    });

    describe("a failure at each step leaves the source exactly as before", () => {
        const failures: Array<{ step: number; how: string; method?: keyof TransferAdmin }> = [
            { step: 1, how: "adding the groups on the target fails after the first broker took them", method: "putGroups" },
            { step: 2, how: "creating the topic on the target fails after the broker took it", method: "putTopic" },
            { step: 3, how: "making the source read-only fails after the broker took it", method: "putTopic" },
            { step: 4, how: "a consumer group never drains the source" },
            { step: 5, how: "deleting the topic on the source fails after the broker and name servers deleted it", method: "deleteTopic" },
            { step: 6, how: "deleting the groups on the source fails after the broker deleted them", method: "deleteGroups" },
            { step: 7, how: "adding the retry topics to the target fails after the broker took the first", method: "putTopic" },
        ];
        for (const failure of failures) {
            it(`step ${failure.step}: ${failure.how}`, async () => {
                const topic = `fail_step_${failure.step}`;
                const groups = [`fail_${failure.step}_g1`, `fail_${failure.step}_g2`];
                await createTopic("broker-a", topic);
                await createGroups("broker-a", groups);
                let failing: TransferAdmin = admin;
                let timeout = 60;
                if (failure.method) {
                    failing = failAfter(admin, failure.step, failure.method);
                } else {
                    await produce(topic, 10); // nobody consumes them: lag 10 for both groups
                    timeout = 3;
                }
                const before = await sourceState(["broker-a"], topic, groups);

                const err = await transferTopic(failing, request(topic, "cluster-a", "cluster-b", { consumerGroups: groups, consumeTimeoutSeconds: timeout }), quietLog, noConsumerEverPulled).then(
                    () => assert.fail("the transfer should have failed"),
                    (e: unknown) => e,
                );
                assert.ok(err instanceof TopicTransferError, String(err));
                assert.equal(err.step, failure.step);
                assert.match(err.message, new RegExp(`step ${failure.step} of 7 \\(${escape(transferSteps[failure.step - 1].name)}\\) failed`));
                assert.deepEqual(err.undone.map((u) => Number(/^step (\d)/.exec(u)?.[1])), range(failure.step, 1), err.message);
                assert.deepEqual(err.undoFailures, []);
                assert.match(err.message, /The source is as it was before the transfer/);

                assert.equal(await sourceState(["broker-a"], topic, groups), before, "topic config, route permission, groups and messages as before");
                assert.deepEqual((await client.getTopicRoute(topic)).queues.map((q) => [q.brokerName, q.perm]), [["broker-a", 6]], "routed only to the source, writable");
                assert.deepEqual(await targetHolds("broker-b", topic, groups), [], "the target holds nothing of the transfer");
                assert.deepEqual(await admin.readRecords(topic), [], "no record left behind");
            });
        }

        it("the source takes writes again after a rollback (a real producer sends to it)", async () => {
            assert.equal(await produce("fail_step_5", 15), 15);
            assert.equal(await messagesOn("broker-a", "fail_step_5"), 15);
        });
    });

    it("the target broker dies at step 7: the source is restored, and the next run finishes the rollback and completes", async () => {
        const topic = "target_dies";
        const groups = ["target_dies_g"];
        await createTopic("broker-a", topic);
        await createGroups("broker-a", groups);
        const before = await sourceState(["broker-a"], topic, groups);
        const killing = beforeStep(admin, 7, () => bed.stopBroker("broker-b"));
        const err = await transferTopic(killing, request(topic, "cluster-a", "cluster-b", { consumerGroups: groups }), quietLog, noConsumerEverPulled).then(
            () => assert.fail("the transfer should have failed"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof TopicTransferError, String(err));
        assert.equal(err.step, 7);
        assert.deepEqual(err.undone.map((u) => Number(/^step (\d)/.exec(u)?.[1])), [6, 5, 4, 3], err.message);
        assert.match(err.message, /Could not undo: step 7 .*step 2 .*step 1 /);
        assert.match(err.message, /the next run finishes the rollback/);
        assert.equal(await sourceState(["broker-a"], topic, groups), before);
        assert.equal((await admin.readRecords(topic)).length, 1, "the record stays for the next run");

        await bed.startBroker("broker-b");
        const result = await transferTopic(admin, request(topic, "cluster-a", "cluster-b", { consumerGroups: groups }), quietLog, noConsumerEverPulled);
        assert.equal(result.resumed, false, "the interrupted rollback was finished, then a fresh transfer ran");
        assert.deepEqual(await mqadminRoute(topic), ["broker-b"]);
        assert.deepEqual(await admin.readRecords(topic), []);
    });

    it("the provider process is killed during step 4; the next run resumes from the record and completes", async () => {
        const topic = "crash_topic";
        await createTopic("broker-a", topic);
        const produced = await produce(topic, 30);
        // A group that has read nothing yet: its lag is 30, so step 4 waits for it.
        await createGroups("broker-a", ["crash_group"]);
        const script = path.join(__dirname, "support", "transferProcess.ts");
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, bed.nameServer, topic, "cluster-a", "cluster-b", "600", "crash_group"], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        let childOutput = "";
        child.stdout.on("data", (d) => (childOutput += d));
        child.stderr.on("data", (d) => (childOutput += d));
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        try {
            await waitUntil(async () => {
                const [text] = await admin.readRecords(topic);
                return text !== undefined && JSON.parse(text).steps.some((s: { step: number }) => s.step === 4);
            }, 120_000, () => childOutput);
        } finally {
            child.kill("SIGKILL");
            await exited;
        }
        const [recordText] = await admin.readRecords(topic);
        const record = JSON.parse(recordText);
        assert.deepEqual(record.steps.filter((s: { finishedAt?: string }) => s.finishedAt).map((s: { step: number }) => s.step), [1, 2, 3]);
        assert.deepEqual(record.groups, ["crash_group"]);
        assert.equal((await client.getTopicRoute(topic)).queues.find((q) => q.brokerName === "broker-a")?.perm, 4, "the source is read-only, as step 3 left it");

        const groups = { consumerGroups: ["crash_group"] };
        await assert.rejects(transferTopic(admin, request(topic, "cluster-a", "broker-a2", groups), quietLog), (e: Error) => e instanceof TopicTransferRefused && /already being transferred from cluster-a to cluster-b/.test(e.message));

        const consumed = await consume("crash_group", topic, produced);
        const result = await transferTopic(admin, request(topic, "cluster-a", "cluster-b", groups), quietLog, { pollIntervalMs: 200 });
        assert.equal(result.resumed, true);
        assert.deepEqual(result.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7]);
        assert.equal(result.steps[0].startedAt, record.steps[0].startedAt, "steps 1-3 were not run again");
        assert.deepEqual(await mqadminRoute(topic), ["broker-b"]);
        assert.deepEqual(await admin.readRecords(topic), []);
        assert.equal(consumed, produced);
    });

    describe("a Topic's placement change moves the topic through the same seven steps", () => {
        const topics = topicHandler(undefined, () => quietLog, { pollIntervalMs: 200 });

        /** What `pulumi up` does with a changed program: check, diff (an update in place), update. */
        async function upTopic(state: Record<string, unknown> | undefined, program: Record<string, unknown>) {
            const checked = await topics.check("urn", state ?? {}, program);
            assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
            if (!state) return (await topics.create("urn", checked.inputs)).outs as Record<string, unknown>;
            const diff = await topics.diff("id", state, checked.inputs);
            assert.deepEqual([diff.changes, diff.replaces], [true, []], "a move is an update, not a replacement");
            return (await topics.update("id", state, checked.inputs, "urn")).outs as Record<string, unknown>;
        }

        it("a new clusterName moves the topic with a consumer running: every message sent is received", async () => {
            const topic = "topic_moving";
            const group = "topic_moving_group";
            const program = { name: topic, clusterName: "cluster-a", nameServerAddresses: bed.nameServer, readQueueNums: 4, writeQueueNums: 4 };
            let state = await upTopic(undefined, program);
            assert.deepEqual(state.brokers, ["broker-a", "broker-a2"]);
            const consumer = bed.javaProgram("TestConsumer", [bed.nameServer, group, topic, "200", "240"], 300_000);
            const sentBefore = await produce(topic, 100);
            await waitUntil(async () => (await admin.consumerGroupsOf(await admin.brokersNamed(["broker-a", "broker-a2"]), topic)).includes(group), 60_000, () => "");

            state = await upTopic(state, { ...program, clusterName: "cluster-b" });
            assert.deepEqual(state.brokers, ["broker-b"]);
            assert.deepEqual(await mqadminRoute(topic), ["broker-b"], "mqadmin routes the topic only to the new cluster");
            assert.equal((await admin.managedTopicPlacement(topic)), "cluster cluster-b", "still managed, now on its new placement");
            assert.deepEqual(await admin.readRecords(topic), [], "no transfer record left behind");
            const sentAfter = await produce(topic, 100);

            const run = await consumer;
            assert.equal(run.code, 0, `the consumer did not get every message:\n${run.stdout}\n${run.stderr}`);
            const received = Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
            console.log(`      Topic move with a consumer running: sent ${sentBefore + sentAfter} (${sentBefore} before, ${sentAfter} after), received ${received}`);
            assert.equal(received, sentBefore + sentAfter);
        });

        it("a move whose step 4 times out rolls back: the topic stays on its broker groups, writable; the next up with the consumer back completes", async () => {
            const topic = "topic_move_fails";
            const group = "topic_move_fails_group";
            const program = { name: topic, brokerNames: ["broker-a"], nameServerAddresses: bed.nameServer, readQueueNums: 4, writeQueueNums: 4, consumeTimeoutSeconds: 3 };
            const state = await upTopic(undefined, program);
            const first = await produce(topic, 20);
            assert.equal(await consume(group, topic, first), first);
            const left = await produce(topic, 30); // lag 30 for the group, and no consumer online to drain it
            const before = await sourceState(["broker-a"], topic, [group]);
            // A 4.x consumer's heartbeat goes to every broker it knows and makes each create its
            // group and retry topic: broker-b may hold them before the move.
            const targetBefore = await targetHolds("broker-b", topic, [group]);
            assert.ok(!targetBefore.includes(topic), "the topic is not on broker-b before the move");

            const moved = { ...program, brokerNames: ["broker-b"] };
            const err: Error = await upTopic(state, moved).then(
                () => assert.fail("the move should have failed"),
                (e: Error) => e,
            );
            assert.match(err.message, /step 4 of 7 \(wait until every consumer group has consumed the topic on the source\) failed/);
            assert.match(err.message, new RegExp(`messages left: ${group} ${left}`));
            assert.match(err.message, /The source is as it was before the transfer/);
            assert.equal(await sourceState(["broker-a"], topic, [group]), before, "topic config, route permission, group and messages as before");
            assert.deepEqual((await client.getTopicRoute(topic)).queues.map((q) => [q.brokerName, q.perm]), [["broker-a", 6]], "routed only to broker-a, writable");
            assert.deepEqual(await targetHolds("broker-b", topic, [group]), targetBefore, "broker-b holds nothing of the move");
            assert.deepEqual(await admin.readRecords(topic), [], "no record left behind");

            // The engine kept the stack's state (the update failed): the next up diffs the same change again.
            const consumer = consume(group, topic, left);
            const done = await upTopic(state, { ...moved, consumeTimeoutSeconds: 120 });
            assert.equal(await consumer, left);
            assert.deepEqual(done.brokers, ["broker-b"]);
            assert.deepEqual(await mqadminRoute(topic), ["broker-b"]);
        });

        it("the plugin is killed during a move's step 4; the next up finds the record on the name servers, resumes the move and completes", async () => {
            const topic = "topic_move_crash";
            const group = "topic_move_crash_group";
            const program = { name: topic, brokerNames: ["broker-a"], nameServerAddresses: bed.nameServer, readQueueNums: 4, writeQueueNums: 4 };
            const state = await upTopic(undefined, program);
            assert.equal(await consume(group, topic, await produce(topic, 20)), 20);
            const left = await produce(topic, 30); // the group's lag: step 4 waits for it

            const moved = { ...program, brokerNames: ["broker-b"] };
            const urn = "urn:pulumi:it::p::rocketmq:index:Topic::moving";
            const plugin = await startPlugin();
            try {
                const check = new providerProto.CheckRequest();
                check.setUrn(urn);
                check.setType("rocketmq:index:Topic");
                check.setOlds(Struct.fromJavaScript(state as never));
                check.setNews(Struct.fromJavaScript(moved));
                const checked = await unary<providerProto.CheckRequest, providerProto.CheckResponse>(plugin.client.check.bind(plugin.client), check);
                const update = new providerProto.UpdateRequest();
                update.setId(`${bed.nameServer}/brokers:broker-a/${topic}`);
                update.setUrn(urn);
                update.setType("rocketmq:index:Topic");
                update.setOlds(Struct.fromJavaScript(state as never));
                update.setNews(checked.getInputs());
                const updating = unary(plugin.client.update.bind(plugin.client), update).then(
                    () => "finished",
                    () => "cut off",
                );
                await waitUntil(async () => {
                    const [text] = await admin.readRecords(topic);
                    return text !== undefined && JSON.parse(text).steps.some((s: { step: number }) => s.step === 4);
                }, 120_000, () => "");
                plugin.process.kill("SIGKILL");
                assert.equal(await updating, "cut off");
            } finally {
                await plugin.stop();
            }
            const [recordText] = await admin.readRecords(topic);
            const record = JSON.parse(recordText);
            assert.deepEqual(record.steps.filter((s: { finishedAt?: string }) => s.finishedAt).map((s: { step: number }) => s.step), [1, 2, 3]);
            assert.equal((await client.getTopicRoute(topic)).queues.find((q) => q.brokerName === "broker-a")?.perm, 4, "broker-a is read-only, as step 3 left it");

            // The stack still holds the old placement (the update never answered): the next up runs the same update.
            quietLog.lines.length = 0;
            const consumer = consume(group, topic, left);
            const done = await upTopic(state, moved);
            assert.equal(await consumer, left);
            assert.match(quietLog.lines.join("\n"), /topic topic_move_crash: resuming the transfer recorded on the name servers \(steps done: 1, 2, 3\)/);
            assert.deepEqual(done.brokers, ["broker-b"]);
            assert.deepEqual(await mqadminRoute(topic), ["broker-b"]);
            assert.deepEqual(await admin.readRecords(topic), [], "the record is gone once the move completed");
        });
    });

    it("reports the transfer's own overhead for a topic with 10 consumer groups", async () => {
        const runs: Array<{ overheadMs: number; perStep: string }> = [];
        for (let run = 0; run < 3; run++) {
            const topic = `overhead_topic_${run}`;
            const groups = Array.from({ length: 10 }, (_, i) => `overhead_${run}_group_${i}`);
            await createTopic("broker-a", topic);
            await createGroups("broker-a", groups);
            const result = await transferTopic(admin, request(topic, "cluster-a", "cluster-b", { consumerGroups: groups }), quietLog, noConsumerEverPulled);
            const perStep = result.steps.map((s) => `${s.step}:${Date.parse(s.finishedAt!) - Date.parse(s.startedAt)}`).join(" ");
            runs.push({ overheadMs: result.totalMs - result.consumerWaitMs, perStep });
            assert.deepEqual((await client.getTopicRoute(topic)).queues.map((q) => q.brokerName), ["broker-b"]);
            assert.equal((await targetHolds("broker-b", topic, groups)).length, 21, "topic, 10 retry topics and 10 groups on the target");
        }
        const median = [...runs].sort((a, b) => a.overheadMs - b.overheadMs)[1];
        console.log(`      TopicTransfer with 10 groups, own overhead (total minus consumer wait, without step 6's ${PARKED_PULL_MAX_MS / 1000} s watch): ${runs.map((r) => `${r.overheadMs} ms`).join(", ")}; median ${median.overheadMs} ms, per step (ms) ${median.perStep}`);
    });
});

/** An admin whose `method` fails (after doing its work) the first time it is called during `step`. */
function failAfter(admin: TransferAdmin, step: number, method: keyof TransferAdmin): TransferAdmin {
    let fired = false;
    return watchingSteps(admin, (current, name, call) => {
        if (name !== method || current !== step || fired) return call();
        fired = true;
        return call().then(() => {
            throw new Error(`injected failure: ${method} at step ${step}`);
        });
    });
}

/** An admin that runs `action` once, when the transfer records that `step` has started. */
function beforeStep(admin: TransferAdmin, step: number, action: () => Promise<void>): TransferAdmin {
    let done = false;
    return watchingSteps(admin, async (current, name, call) => {
        const result = await call();
        if (name === "writeRecord" && current === step && !done) {
            done = true;
            await action();
        }
        return result;
    });
}

/** Wraps every admin method, telling the wrapper which step the transfer's record says is running. */
function watchingSteps(admin: TransferAdmin, wrap: (step: number, method: string, call: () => Promise<unknown>) => Promise<unknown>): TransferAdmin {
    let current = 0;
    return new Proxy(admin, {
        get(target, property: string) {
            const real = (target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[property].bind(target);
            return (...args: unknown[]) => {
                if (property === "writeRecord") {
                    const record = JSON.parse(args[1] as string);
                    const running = record.steps.filter((s: { finishedAt?: string }) => !s.finishedAt);
                    current = record.phase === "running" && running.length > 0 ? running[running.length - 1].step : 0;
                }
                return wrap(current, property, () => real(...args));
            };
        },
    });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await condition()) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`condition not met in ${timeoutMs} ms; process output:\n${context()}`);
}

function range(from: number, to: number): number[] {
    return Array.from({ length: from - to + 1 }, (_, i) => from - i);
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
