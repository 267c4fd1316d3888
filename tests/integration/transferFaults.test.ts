// TopicTransfer through a faulty network: every admin connection to the real name server and
// brokers (each release of the matrix, tests/support/rocketmqJars.ts) goes through a loopback proxy that resets every Nth connection (half of
// those after the request reached the peer, its reply dropped), holds back replies, and stalls or
// cuts on demand. Real Java producers and consumers, which do not go through the proxy, count the
// messages. Transient faults are retried; a cut longer than the retry deadline rolls back.
import { strict as assert } from "node:assert";
import { AdminRetryEvent, describeRetry, isSystemGroup, isSystemTopic, RocketMQAdminClient } from "../../provider/src/admin";
import { brokerOwnTopics } from "../../provider/src/admin/systemNames";
import { canonicalJson, JsonValue } from "../../provider/src/admin/fastjson";
import { RemoteTransferAdmin } from "../../provider/src/ops/remoteTransferAdmin";
import { TopicTransferError, transferSteps, transferTopic } from "../../provider/src/ops/topicTransfer";
import { FaultProxy } from "../support/faultProxy";
import { RocketMQTestBed } from "../support/rocketmq";
import { rocketmqMatrix } from "../support/rocketmqJars";

for (const version of rocketmqMatrix()) describe(`TopicTransfer through a faulty network: RocketMQ ${version}`, function () {
    this.timeout(600_000);
    let bed: RocketMQTestBed;
    /** Talks to RocketMQ directly: sets the scene and checks the outcome. */
    let direct: RocketMQAdminClient;

    before(async () => {
        bed = await RocketMQTestBed.start({
            version,
            brokers: [
                { cluster: "cluster-a", brokerName: "broker-a" },
                { cluster: "cluster-b", brokerName: "broker-b" },
            ],
            brokerHeap: "256m",
        });
        direct = new RocketMQAdminClient({ nameServers: bed.nameServer });
    });

    after(async () => {
        direct?.close();
        await bed?.stop();
    });

    const address = (broker: string) => bed.broker(broker).address;

    /** A transfer admin whose every connection goes through the proxy, counting retries. */
    function throughProxy(proxy: FaultProxy, retry: { deadlineMs: number; maxDelayMs?: number; maxAttempts?: number }, callTimeoutMs: number, onRetry: (event: AdminRetryEvent) => void = () => undefined) {
        const retries: AdminRetryEvent[] = [];
        const client = new RocketMQAdminClient({
            nameServers: bed.nameServer,
            connector: proxy,
            timeoutMs: callTimeoutMs,
            connectTimeoutMs: callTimeoutMs,
            retry,
            onRetry: (event) => {
                retries.push(event);
                onRetry(event);
            },
        });
        return { admin: new RemoteTransferAdmin(client), client, retries };
    }

    async function setUp(topic: string, group: string): Promise<void> {
        await direct.createOrUpdateTopic(address("broker-a"), { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
        await direct.createOrUpdateSubscriptionGroup(address("broker-a"), { groupName: group, retryMaxTimes: 7, consumeEnable: true });
    }

    async function produce(topic: string, count: number): Promise<number> {
        const run = await bed.javaProgram("TestProducer", [bed.nameServer, topic, String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        return Number(/SENT (\d+)/.exec(run.stdout)?.[1]);
    }

    async function consume(group: string, topic: string, expected: number): Promise<number> {
        const run = await bed.javaProgram("TestConsumer", [bed.nameServer, group, topic, String(expected), "120"]);
        assert.equal(run.code, 0, `consumer did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        return Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
    }

    /** Resolves once the record on the name servers says `step` has started. */
    async function stepStarted(topic: string, step: number): Promise<void> {
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline) {
            const [text] = await new RemoteTransferAdmin(direct).readRecords(topic);
            if (text !== undefined && JSON.parse(text).steps.some((s: { step: number }) => s.step === step)) return;
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`step ${step} did not start within 120 s`);
    }

    async function sourceState(topic: string, group: string): Promise<string> {
        const [topics, groups, route] = await Promise.all([
            direct.getAllTopicConfigs(address("broker-a")),
            direct.getAllSubscriptionGroups(address("broker-a")),
            direct.getTopicRoute(topic),
        ]);
        return canonicalJson({ topic: topics.topics[topic] ?? null, group: groups.groups[group] ?? null, route: route.queues } as unknown as JsonValue);
    }

    it("a fresh broker holds only what admin/systemNames.ts lists as the brokers' own topics and groups", async () => {
        const [topics, groups, config] = await Promise.all([
            direct.getAllTopicConfigs(address("broker-b")),
            direct.getAllSubscriptionGroups(address("broker-b")),
            direct.getBrokerConfig(address("broker-b")),
        ]);
        const own = brokerOwnTopics(config.brokerClusterName, config.brokerName);
        assert.deepEqual(Object.keys(topics.topics).filter((t) => !isSystemTopic(t, own)), []);
        assert.deepEqual(Object.keys(groups.groups).filter((g) => !isSystemGroup(g)), []);
    });

    it("the deletes a retry may repeat answer success for what is already gone", async () => {
        // A retried delete whose first try landed (its reply lost) meets nothing to delete.
        await direct.deleteTopicInBroker(address("broker-a"), "never_created_topic");
        await direct.deleteTopicInNameServers("never_created_topic", "cluster-a");
        await direct.deleteSubscriptionGroup(address("broker-a"), "never_created_group", false);
        await new RemoteTransferAdmin(direct).deleteRecord("never_created_topic");
    });

    it("completes while every 3rd connection is reset and replies are delayed; each step's first broker request is replayed after the broker acted; a stalled poll in step 4 rolls nothing back", async () => {
        const topic = "faulty_orders";
        const group = "faulty_orders_group";
        await setUp(topic, group);
        const produced = await produce(topic, 200);
        const proxy = new FaultProxy({ resetEvery: 3, delayMs: [0, 40] });
        // Which step each retry happened in, read from the progress lines as they come.
        let currentStep = 0;
        const retriesByStep = new Map<number, Set<string>>();
        const lines: string[] = [];
        const log = {
            info: (m: string) => {
                lines.push(m);
                const started = /: step (\d) of 7: /.exec(m);
                if (!started) return;
                currentStep = Number(started[1]);
                // The step's first request to a broker goes over a fresh connection that is reset once
                // the broker has the request: the broker acts, the reply is lost, the client retries.
                const broker = [1, 2, 7].includes(currentStep) ? "broker-b" : "broker-a";
                proxy.resetAll();
                proxy.dropReplyNext(address(broker), 1);
            },
            warn: (m: string) => void lines.push(`warning: ${m}`),
        };
        const { admin, client, retries } = throughProxy(proxy, { deadlineMs: 20_000 }, 1_500, (event) => {
            if (!retriesByStep.has(currentStep)) retriesByStep.set(currentStep, new Set());
            retriesByStep.get(currentStep)!.add(event.request);
        });
        const began = Date.now();
        try {
            const transfer = transferTopic(
                admin,
                { topic, sourceCluster: "cluster-a", targetCluster: "cluster-b", consumerGroups: [group], consumeTimeoutSeconds: 120 },
                log,
                { pollIntervalMs: 200 },
            );
            // The group has read nothing: step 4 polls its lag until the consumer below drains the source.
            await stepStarted(topic, 4);
            proxy.stallNext(2);
            const consumedBefore = await consume(group, topic, produced);
            const result = await transfer;
            const elapsedMs = Date.now() - began;

            assert.deepEqual(result.steps.map((s) => [s.step, Boolean(s.finishedAt), s.undoneAt]), transferSteps.map((s) => [s.number, true, undefined]));
            assert.equal(result.resumed, false);
            assert.deepEqual((await direct.getTopicRoute(topic)).queues.map((q) => q.brokerName), ["broker-b"]);
            assert.equal((await direct.getAllSubscriptionGroups(address("broker-a"))).groups[group], undefined, "the group left the source");
            assert.ok((await direct.getAllSubscriptionGroups(address("broker-b"))).groups[group], "the group is on the target");

            const producedAfter = await produce(topic, 50);
            const consumedAfter = await consume(group, topic, producedAfter);
            assert.equal(consumedBefore + consumedAfter, produced + producedAfter, "count produced = count consumed");

            assert.deepEqual([...retriesByStep.keys()].filter((s) => s > 0).sort(), [1, 2, 3, 4, 5, 6, 7], "every step met a fault and retried");
            assert.ok(proxy.counts.resetAtOnce > 0, `connections were reset at accept: ${JSON.stringify(proxy.counts)}`);
            assert.ok(proxy.counts.resetAfterRequest >= 7, `a reply was dropped in every step: ${JSON.stringify(proxy.counts)}`);
            assert.ok(proxy.counts.stalled > 0, "a connection stalled during step 4");
            assert.ok(retries.some((r) => /within 1500 ms/.test(String((r.error as Error).message))), "a call that timed out was retried");
            assert.ok(lines.every((l) => !/undid step/.test(l)), "nothing was rolled back");
            const byRequest: Record<string, number> = {};
            for (const r of retries) byRequest[r.request] = (byRequest[r.request] ?? 0) + 1;
            const faults = proxy.counts.resetAtOnce + proxy.counts.resetAfterRequest + proxy.counts.stalled;
            console.log(
                `      faults injected: ${faults} (${proxy.counts.resetAtOnce} connections reset at once, ${proxy.counts.resetAfterRequest} reset after the request reached the peer, ` +
                    `${proxy.counts.stalled} stalled; of ${proxy.counts.connections} connections), plus ${proxy.counts.delayedReplies} replies delayed 0-40 ms; ` +
                    `retries made: ${retries.length} ${JSON.stringify(byRequest)}; outcome: transfer complete, nothing rolled back, ` +
                    `${produced + producedAfter} produced = ${consumedBefore + consumedAfter} consumed; time ${(elapsedMs / 1000).toFixed(1)} s ` +
                    `(of which step 4 waited ${(result.consumerWaitMs / 1000).toFixed(1)} s for the consumer)`,
            );
            console.log(`      e.g. ${describeRetry(retries[0])}`);
        } finally {
            client.close();
            await proxy.close();
        }
    });

    it("a cut longer than the retry deadline during step 4 rolls back, naming the cause; the source is as before", async () => {
        const topic = "cut_orders";
        const group = "cut_orders_group";
        await setUp(topic, group);
        await produce(topic, 20); // nobody consumes them: step 4 keeps polling
        const before = await sourceState(topic, group);
        const proxy = new FaultProxy({ resetEvery: 0, delayMs: [0, 0] });
        // Waits of at most 300 ms and no attempt limit: the step gives up within 300 ms of the deadline,
        // while the cut lasts, and the rollback's own requests, retried for another deadline, outlast the cut.
        const deadlineMs = 3_000;
        const cutMs = 4_000;
        const { admin, client, retries } = throughProxy(proxy, { deadlineMs, maxDelayMs: 300, maxAttempts: 1000 }, 1_000);
        const lines: string[] = [];
        const log = { info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(`warning: ${m}`) };
        try {
            const began = Date.now();
            const transfer = transferTopic(admin, { topic, sourceCluster: "cluster-a", targetCluster: "cluster-b", consumerGroups: [group], consumeTimeoutSeconds: 120 }, log, {
                pollIntervalMs: 200,
            }).then(
                () => assert.fail("the transfer should have rolled back"),
                (e: unknown) => e,
            );
            await stepStarted(topic, 4);
            const cutAt = Date.now();
            proxy.cut();
            setTimeout(() => proxy.restore(), cutMs);
            const err = await transfer;
            const elapsedMs = Date.now() - began;
            assert.ok(err instanceof TopicTransferError, String(err));
            assert.equal(err.step, 4);
            assert.match(err.message, /step 4 of 7 \(wait until every consumer group has consumed the topic on the source\) failed: /);
            assert.match(err.message, /failed: (GET|PUT)_[A-Z_]+[: ]/, `names the request that gave up: ${err.message}`);
            assert.match(err.message, /ECONNRESET|closed|reset/, "the cause: connections reset");
            assert.match(err.message, /tried \d+ times over \d+\.\d s; the retry deadline passed/);
            assert.deepEqual(err.undone.map((u) => Number(/^step (\d)/.exec(u)?.[1])), [4, 3, 2, 1]);
            assert.deepEqual(err.undoFailures, []);
            assert.match(err.message, /The source is as it was before the transfer/);
            assert.equal(await sourceState(topic, group), before, "topic, group and route on the source as before");
            assert.deepEqual((await direct.getTopicRoute(topic)).queues.map((q) => [q.brokerName, q.perm]), [["broker-a", 6]]);
            assert.deepEqual(await new RemoteTransferAdmin(direct).readRecords(topic), [], "no record left behind");
            const failedAfterMs = retries.length > 0 ? Date.now() - cutAt : 0;
            console.log(
                `      cut ${cutMs / 1000} s against a ${deadlineMs / 1000} s retry deadline: ${proxy.counts.cutOff} connections cut off, ${retries.length} retries; ` +
                    `outcome: rolled back steps 4-1 after the cut healed, source as before; time ${(elapsedMs / 1000).toFixed(1)} s (the rollback ended ${(failedAfterMs / 1000).toFixed(1)} s after the cut began)`,
            );
            console.log(`      error: ${err.message.split(". ")[0]}`);
        } finally {
            client.close();
            await proxy.close();
        }
    });
});
