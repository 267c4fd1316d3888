// The seven steps, their order, and rollback, against an in-memory RocketMQ.
import { strict as assert } from "node:assert";
import { Perm } from "../src/admin/types";
import { PARKED_PULL_MAX_MS } from "../src/ops/groupSettle";
import { Clock } from "../src/ops/progressLog";
import { TopicTransferError, TopicTransferRefused, TopicTransferRequest, transferSteps, transferTopic } from "../src/ops/topicTransfer";
import { TransferRecord } from "../src/ops/transferRecord";
import { FakeRocketMQ, Injection } from "./fakeTransferAdmin";

const TOPIC = "orders";
const GROUPS = ["billing", "shipping"];

function world(): FakeRocketMQ {
    const mq = new FakeRocketMQ();
    const source = mq.addBroker("cluster-a", "broker-a");
    mq.addBroker("cluster-b", "broker-b");
    source.topics[TOPIC] = { topicName: TOPIC, readQueueNums: 8, writeQueueNums: 8, perm: Perm.READ_WRITE, attributes: { "message.type": "NORMAL" } };
    source.topics["%RETRY%billing"] = { topicName: "%RETRY%billing", readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE };
    source.topics.unrelated = { topicName: "unrelated", readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ_WRITE };
    source.messages[TOPIC] = 100;
    for (const group of GROUPS) {
        source.groups[group] = { groupName: group, retryMaxTimes: 5, consumeEnable: true };
        source.consumed[`${group} ${TOPIC}`] = 100;
    }
    source.groups.unrelated_group = { groupName: "unrelated_group" };
    return mq;
}

const request: TopicTransferRequest = { topic: TOPIC, sourceCluster: "cluster-a", targetCluster: "cluster-b", consumeTimeoutSeconds: 30 };

function collectingLog() {
    const lines: string[] = [];
    return { lines, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(`warning: ${m}`) };
}

/** A clock that advances only when the transfer sleeps. */
function fakeClock(): Clock & { slept: number } {
    let now = Date.UTC(2026, 0, 1);
    const clock = {
        slept: 0,
        now: () => now,
        sleep: async (ms: number) => {
            now += ms;
            clock.slept += ms;
        },
    };
    return clock;
}

async function failure(promise: Promise<unknown>): Promise<TopicTransferError> {
    const err = await promise.then(
        () => assert.fail("the transfer should have failed"),
        (e: unknown) => e,
    );
    assert.ok(err instanceof TopicTransferError, `a TopicTransferError, got ${String(err)}`);
    return err;
}

describe("topic transfer steps", () => {
    it("runs the seven steps in order and leaves the topic and groups only on the target", async () => {
        const mq = world();
        const log = collectingLog();
        const result = await transferTopic(mq, request, log, { clock: fakeClock() });

        assert.deepEqual(mq.changes, [
            "putGroups broker-b billing,shipping",
            `putTopic broker-b ${TOPIC} perm=6`,
            `putTopic broker-a ${TOPIC} perm=4`,
            `deleteTopic broker-a ${TOPIC}`,
            "deleteGroups broker-a billing,shipping",
            "putTopic broker-b %RETRY%billing perm=6",
            "putTopic broker-b %RETRY%shipping perm=6",
        ]);
        assert.deepEqual(result.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7]);
        assert.ok(result.steps.every((s) => s.finishedAt && s.startedAt <= s.finishedAt));
        assert.deepEqual(result.groupsMoved, GROUPS);
        assert.deepEqual(result.topicBrokers, ["broker-b"]);

        const target = mq.brokers["broker-b"];
        assert.deepEqual(target.topics[TOPIC], world().brokers["broker-a"].topics[TOPIC], "the source's config, perm included");
        assert.deepEqual(target.topics[TOPIC].attributes, { "message.type": "NORMAL" }, "same attributes as on the source");
        assert.equal(target.topics[TOPIC].readQueueNums, 8);
        assert.equal(target.topics["%RETRY%billing"].readQueueNums, 2, "a retry topic the source had keeps its queues");
        assert.equal(target.topics["%RETRY%shipping"].readQueueNums, 1);
        assert.deepEqual(Object.keys(target.groups).sort(), GROUPS);
        const source = mq.brokers["broker-a"];
        assert.equal(source.topics[TOPIC], undefined);
        assert.deepEqual(Object.keys(source.groups), ["unrelated_group"], "only the moved groups leave the source");
        assert.ok(source.topics.unrelated);
        assert.deepEqual(mq.records, {}, "the record lives only while the transfer runs");
        assert.ok(log.lines.some((l) => /step 4 of 7: wait until every consumer group/.test(l)));
    });

    it("discovers the groups that consume the topic when none are listed, and moves only those listed otherwise", async () => {
        const mq = world();
        await transferTopic(mq, { ...request, consumerGroups: ["billing"] }, collectingLog(), { clock: fakeClock() });
        assert.deepEqual(Object.keys(mq.brokers["broker-a"].groups).sort(), ["shipping", "unrelated_group"]);
        assert.deepEqual(Object.keys(mq.brokers["broker-b"].groups), ["billing"]);
    });

    it("leaves on the source a moved group that also consumes other topics there (its retry topic aside)", async () => {
        const mq = world();
        mq.brokers["broker-a"].consumed["billing unrelated"] = 4;
        mq.brokers["broker-a"].consumed["shipping %RETRY%shipping"] = 1;
        const result = await transferTopic(mq, request, collectingLog(), { clock: fakeClock() });
        assert.deepEqual(Object.keys(mq.brokers["broker-a"].groups).sort(), ["billing", "unrelated_group"]);
        assert.deepEqual(Object.keys(mq.brokers["broker-b"].groups).sort(), GROUPS, "both groups consume the topic on the target");
        assert.match(result.steps[5].note ?? "", /deleted shipping on the source .*kept billing, which also consume other topics there/);
    });

    it("deletes a group again that a broker re-creates during step 6's watch, and says so", async () => {
        const mq = world();
        const clock = fakeClock();
        const log = collectingLog();
        // A pull request parked by a consumer that has left wakes 5 s after the deletion.
        let deletedAt: number | undefined;
        const realDelete = mq.deleteGroups;
        mq.deleteGroups = async (...args) => {
            deletedAt ??= clock.now();
            return realDelete(...args);
        };
        const realGroups = mq.subscriptionGroups;
        let woke = false;
        mq.subscriptionGroups = async (...args) => {
            if (deletedAt !== undefined && !woke && clock.now() - deletedAt >= 5000) {
                woke = true;
                mq.brokers["broker-a"].groups.billing = { groupName: "billing" };
            }
            return realGroups(...args);
        };
        const result = await transferTopic(mq, request, log, { clock });
        assert.deepEqual(Object.keys(mq.brokers["broker-a"].groups), ["unrelated_group"]);
        assert.ok(woke);
        assert.match(result.steps[5].note ?? "", /deleted billing again after the brokers re-created them/);
        assert.ok(log.lines.some((l) => /broker-a created billing again for a parked request; deleting again/.test(l)), log.lines.join("\n"));
        assert.equal(clock.slept, PARKED_PULL_MAX_MS, "the watch lasts as long as a pull can stay parked");
    });

    it("does not watch a source whose brokers never create groups on demand (autoCreateSubscriptionGroup=false)", async () => {
        const mq = world();
        mq.brokers["broker-a"].noGroupsOnDemand = true;
        const clock = fakeClock();
        const log = collectingLog();
        await transferTopic(mq, request, log, { clock });
        assert.equal(clock.slept, 0);
        assert.ok(!log.lines.some((l) => /watching/.test(l)), log.lines.join("\n"));
        assert.deepEqual(Object.keys(mq.brokers["broker-a"].groups), ["unrelated_group"]);
    });

    it("waits for consumers in step 4, logging what is left, then goes on", async () => {
        const mq = world();
        mq.brokers["broker-a"].consumed[`billing ${TOPIC}`] = 40;
        const clock = fakeClock();
        const log = collectingLog();
        let polls = 0;
        const realLag = mq.lag;
        mq.lag = async (...args) => {
            if (args[1] === "billing" && ++polls === 5) mq.brokers["broker-a"].consumed[`billing ${TOPIC}`] = 100;
            return realLag(...args);
        };
        const result = await transferTopic(mq, request, log, { clock, pollIntervalMs: 1000, logIntervalMs: 2000 });
        assert.equal(result.consumerWaitMs, 4000);
        assert.equal(result.totalMs, 4000 + PARKED_PULL_MAX_MS, "with a fake clock the only time spent is the wait and step 6's watch");
        const waiting = log.lines.filter((l) => /waiting for consumers/.test(l));
        assert.equal(waiting.length, 2);
        assert.match(waiting[0], /60 messages left \(billing 60\)/);
    });

    it("refuses unknown clusters, a missing topic, shared brokers and a conflicting target topic before changing anything", async () => {
        const cases: Array<[Partial<TopicTransferRequest>, RegExp, (mq: FakeRocketMQ) => void]> = [
            [{ sourceCluster: "nowhere" }, /sourceCluster nowhere is neither a broker cluster nor a broker group/, () => undefined],
            [{ targetCluster: "nowhere" }, /targetCluster nowhere is neither/, () => undefined],
            [{ topic: "absent" }, /topic absent does not exist on cluster-a/, () => undefined],
            [{ targetCluster: "broker-a" }, /share broker groups broker-a/, () => undefined],
            [{ consumerGroups: ["billing", "ghost"] }, /consumer groups ghost do not exist on cluster-a/, () => undefined],
            [{}, /already exists on target broker group broker-b with other settings \(4 read \/ 4 write queues/, (mq) => {
                mq.brokers["broker-b"].topics[TOPIC] = { topicName: TOPIC, readQueueNums: 4, writeQueueNums: 4, perm: 6 };
            }],
        ];
        for (const [change, reason, prepare] of cases) {
            const mq = world();
            prepare(mq);
            await assert.rejects(transferTopic(mq, { ...request, ...change }, collectingLog(), { clock: fakeClock() }), (err: Error) => err instanceof TopicTransferRefused && reason.test(err.message));
            assert.deepEqual(mq.changes, [], `nothing changed for ${reason}`);
            assert.deepEqual(mq.records, {});
        }
    });

    it("treats a topic already only on the target, with no record, as moved (a crash after the last step)", async () => {
        const mq = world();
        await transferTopic(mq, request, collectingLog(), { clock: fakeClock() });
        const changesBefore = mq.changes.length;
        const log = collectingLog();
        const again = await transferTopic(mq, request, log, { clock: fakeClock() });
        assert.deepEqual(again.topicBrokers, ["broker-b"]);
        assert.equal(mq.changes.length, changesBefore);
        assert.match(log.lines.join("\n"), /already on cluster-b and no longer on cluster-a/);
    });

    it("moves a topic between two broker groups of one cluster", async () => {
        const mq = world();
        mq.addBroker("cluster-a", "broker-a2");
        await transferTopic(mq, { ...request, targetCluster: "broker-a2", sourceCluster: "broker-a" }, collectingLog(), { clock: fakeClock() });
        assert.ok(mq.brokers["broker-a2"].topics[TOPIC]);
        assert.equal(mq.brokers["broker-a"].topics[TOPIC], undefined);
    });
});

describe("topic transfer rollback", () => {
    /** Where a failure is injected to hit each step, and the changes its undo must make, in order. */
    const atStep: Record<number, { injection: Injection; undoChanges: string[] }> = {
        1: { injection: { method: "putGroups", mode: "after" }, undoChanges: ["deleteGroups broker-b billing,shipping"] },
        2: {
            injection: { method: "putTopic", mode: "after", when: ([brokers]) => (brokers as Array<{ brokerName: string }>)[0].brokerName === "broker-b" },
            undoChanges: [`deleteTopic broker-b ${TOPIC}`, "deleteGroups broker-b billing,shipping"],
        },
        3: {
            injection: { method: "putTopic", mode: "after", when: ([, config]) => (config as { perm: number }).perm === Perm.READ },
            undoChanges: [`putTopic broker-a ${TOPIC} perm=6`, `deleteTopic broker-b ${TOPIC}`, "deleteGroups broker-b billing,shipping"],
        },
        4: {
            injection: { method: "lag", mode: "before" },
            undoChanges: [`putTopic broker-a ${TOPIC} perm=6`, `deleteTopic broker-b ${TOPIC}`, "deleteGroups broker-b billing,shipping"],
        },
        5: {
            injection: { method: "deleteTopic", mode: "after" },
            undoChanges: [`putTopic broker-a ${TOPIC} perm=6`, `putTopic broker-a ${TOPIC} perm=6`, `deleteTopic broker-b ${TOPIC}`, "deleteGroups broker-b billing,shipping"],
        },
        6: {
            injection: { method: "deleteGroups", mode: "after" },
            undoChanges: [
                "putGroups broker-a billing,shipping",
                `putTopic broker-a ${TOPIC} perm=6`,
                `putTopic broker-a ${TOPIC} perm=6`,
                `deleteTopic broker-b ${TOPIC}`,
                "deleteGroups broker-b billing,shipping",
            ],
        },
        7: {
            injection: { method: "putTopic", mode: "after", when: ([, config]) => (config as { topicName: string }).topicName.startsWith("%RETRY%") },
            undoChanges: [
                "deleteTopic broker-b %RETRY%billing",
                "deleteTopic broker-b %RETRY%shipping",
                "putGroups broker-a billing,shipping",
                `putTopic broker-a ${TOPIC} perm=6`,
                `putTopic broker-a ${TOPIC} perm=6`,
                `deleteTopic broker-b ${TOPIC}`,
                "deleteGroups broker-b billing,shipping",
            ],
        },
    };

    for (const step of [1, 2, 3, 4, 5, 6, 7]) {
        it(`a failure at step ${step} undoes steps ${step}..1 in reverse and leaves the source as it was`, async () => {
            const mq = world();
            const sourceBefore = mq.snapshot("broker-a");
            const targetBefore = mq.snapshot("broker-b");
            mq.inject(atStep[step].injection);
            const err = await failure(transferTopic(mq, request, collectingLog(), { clock: fakeClock() }));

            assert.equal(err.step, step);
            assert.equal(err.stepName, transferSteps[step - 1].name);
            assert.match(err.message, new RegExp(`^transfer of topic orders from cluster-a to cluster-b: step ${step} of 7 \\(${transferSteps[step - 1].name}\\) failed: injected failure`));
            assert.deepEqual(err.undone.map((u) => Number(/^step (\d)/.exec(u)?.[1])), Array.from({ length: step }, (_, i) => step - i));
            assert.match(err.message, /Undone: step \d \(/);
            assert.match(err.message, /The source is as it was before the transfer\.$/);
            assert.deepEqual(err.undoFailures, []);

            const undoChanges = mq.changes.slice(mq.changes.length - atStep[step].undoChanges.length);
            assert.deepEqual(undoChanges, atStep[step].undoChanges, "undo changes, last step first");
            const sourceAfter = mq.snapshot("broker-a");
            if (step >= 5) {
                // Deleting a topic drops its stored messages; step 4 made sure every group had consumed them.
                delete sourceBefore.messages[TOPIC];
            }
            assert.deepEqual(sourceAfter, sourceBefore);
            assert.deepEqual(mq.snapshot("broker-b"), targetBefore);
            assert.deepEqual(mq.records, {});
        });
    }

    it("a group that never drains fails step 4 after the timeout, naming the group and what is left", async () => {
        const mq = world();
        mq.brokers["broker-a"].consumed[`shipping ${TOPIC}`] = 93;
        const clock = fakeClock();
        const err = await failure(transferTopic(mq, request, collectingLog(), { clock }));
        assert.equal(err.step, 4);
        assert.match(err.message, /did not consume every message of topic orders on the source within 30\.0 s; messages left: shipping 7/);
        assert.equal(clock.slept, 30_000 + PARKED_PULL_MAX_MS, "the wait, then the rollback's watch of the target's groups");
        assert.equal(mq.brokers["broker-a"].topics[TOPIC].perm, Perm.READ_WRITE);
        assert.equal(mq.brokers["broker-a"].messages[TOPIC], 100, "no message lost");
    });

    it("a rollback keeps the groups deleted on the target and removes the retry topics its brokers made on a consumer's heartbeat, unless messages went there", async () => {
        const mq = world();
        mq.brokers["broker-a"].consumed[`shipping ${TOPIC}`] = 93;
        const target = mq.brokers["broker-b"];
        // The consumers' heartbeats reach broker-b once step 1 added their groups there.
        const putGroups = mq.putGroups;
        mq.putGroups = async (brokers, configs) => {
            await putGroups(brokers, configs);
            if (!brokers.some((b) => b.brokerName === "broker-b")) return;
            for (const group of GROUPS) target.topics[`%RETRY%${group}`] = { topicName: `%RETRY%${group}`, readQueueNums: 1, writeQueueNums: 1, perm: Perm.READ_WRITE };
            target.messages["%RETRY%shipping"] = 2;
        };
        // A heartbeat of billing's consumer reaches broker-b right after the rollback deleted the group.
        const deleteGroups = mq.deleteGroups;
        let heartbeats = 1;
        mq.deleteGroups = async (brokers, names) => {
            await deleteGroups(brokers, names);
            if (brokers.some((b) => b.brokerName === "broker-b") && names.includes("billing") && heartbeats-- > 0) target.groups.billing = { groupName: "billing" };
        };
        const steps = collectingLog();
        const err = await failure(transferTopic(mq, request, steps, { clock: fakeClock() }));
        assert.equal(err.step, 4);
        assert.deepEqual(Object.keys(target.groups), [], "the group a heartbeat made again is deleted again");
        assert.equal(target.topics["%RETRY%billing"], undefined, "the empty retry topic the broker made is removed");
        assert.ok(target.topics["%RETRY%shipping"], "a retry topic holding messages stays");
        assert.ok(steps.lines.some((l) => l.includes("%RETRY%billing, which the brokers made for them when a consumer's heartbeat came")), steps.lines.join("\n"));
    });

    it("keeps the topic read-only on the target instead of deleting messages written there before step 3", async () => {
        const mq = world();
        mq.inject({ method: "lag", mode: "before" });
        const realPut = mq.putTopic;
        mq.putTopic = async (brokers, config) => {
            await realPut(brokers, config);
            if (brokers[0].brokerName === "broker-b" && config.topicName === TOPIC && config.perm === Perm.READ_WRITE) mq.brokers["broker-b"].messages[TOPIC] = 3;
        };
        const err = await failure(transferTopic(mq, request, collectingLog(), { clock: fakeClock() }));
        assert.match(err.message, /kept the topic on the target read-only: it holds 3 messages/);
        assert.match(err.message, /kept billing, shipping on the target/);
        assert.equal(mq.brokers["broker-b"].topics[TOPIC].perm, Perm.READ);
        assert.deepEqual(Object.keys(mq.brokers["broker-b"].groups).sort(), GROUPS);
        assert.equal(mq.brokers["broker-a"].topics[TOPIC].perm, Perm.READ_WRITE);
    });

    it("with the target down, restores the source, keeps the record, and the next run finishes the rollback then transfers", async () => {
        const mq = world();
        const sourceBefore = mq.snapshot("broker-a");
        mq.inject({
            method: "putTopic",
            mode: "before",
            when: ([, config]) => {
                if (!(config as { topicName: string }).topicName.startsWith("%RETRY%")) return false;
                mq.brokers["broker-b"].down = true;
                return true;
            },
        });
        const err = await failure(transferTopic(mq, request, collectingLog(), { clock: fakeClock() }));
        assert.equal(err.step, 7);
        assert.deepEqual(err.undone.map((u) => Number(/^step (\d)/.exec(u)?.[1])), [6, 5, 4, 3]);
        assert.equal(err.undoFailures.length, 3);
        assert.match(err.message, /Could not undo: step 7 \(add the retry topics to the target\): cannot connect/);
        assert.match(err.message, /the next run finishes the rollback/);
        const sourceAfter = mq.snapshot("broker-a");
        delete sourceBefore.messages[TOPIC];
        assert.deepEqual(sourceAfter, sourceBefore);
        const record = JSON.parse(mq.records[TOPIC]) as TransferRecord;
        assert.equal(record.phase, "rolling-back");

        mq.brokers["broker-b"].down = false;
        const log = collectingLog();
        const result = await transferTopic(mq, request, log, { clock: fakeClock() });
        assert.match(log.lines.join("\n"), /interrupted while rolling back; finishing its rollback first/);
        assert.equal(result.resumed, false);
        assert.deepEqual(result.topicBrokers, ["broker-b"]);
        assert.equal(mq.brokers["broker-a"].topics[TOPIC], undefined);
        assert.deepEqual(mq.records, {});
    });
});

describe("topic transfer progress that survives a crash", () => {
    it("a run that dies in step 4 is resumed by the next run from step 4, without redoing steps 1-3", async () => {
        const mq = world();
        mq.inject({ method: "lag", mode: "hang" });
        void transferTopic(mq, request, collectingLog(), { clock: fakeClock() }); // never settles: the process "died" here
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 10));
        const record = JSON.parse(mq.records[TOPIC]) as TransferRecord;
        assert.deepEqual(record.steps.map((s) => [s.step, Boolean(s.finishedAt)]), [[1, true], [2, true], [3, true], [4, false]]);
        assert.equal(record.sourceTopic["broker-a"].perm, Perm.READ_WRITE, "the record keeps the original config to restore");
        const changesBefore = mq.changes.length;

        const log = collectingLog();
        const result = await transferTopic(mq, { ...request, consumeTimeoutSeconds: 99 }, log, { clock: fakeClock() });
        assert.equal(result.resumed, true);
        assert.match(log.lines[0], /resuming the transfer recorded on the name servers \(steps done: 1, 2, 3\)/);
        assert.deepEqual(mq.changes.slice(changesBefore), [
            `deleteTopic broker-a ${TOPIC}`,
            "deleteGroups broker-a billing,shipping",
            "putTopic broker-b %RETRY%billing perm=6",
            "putTopic broker-b %RETRY%shipping perm=6",
        ]);
        assert.deepEqual(mq.records, {});
    });

    it("a resumed run that then fails still restores the source from the recorded original configs", async () => {
        const mq = world();
        mq.inject({ method: "lag", mode: "hang" });
        void transferTopic(mq, request, collectingLog(), { clock: fakeClock() });
        await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(mq.brokers["broker-a"].topics[TOPIC].perm, Perm.READ);
        mq.inject({ method: "deleteGroups", mode: "after" });
        const err = await failure(transferTopic(mq, request, collectingLog(), { clock: fakeClock() }));
        assert.equal(err.step, 6);
        assert.deepEqual(mq.brokers["broker-a"].topics[TOPIC], world().brokers["broker-a"].topics[TOPIC]);
        assert.deepEqual(Object.keys(mq.brokers["broker-a"].groups).sort(), ["billing", "shipping", "unrelated_group"]);
    });

    it("two transfers of different topics keep separate records; a second transfer of the same topic is refused", async () => {
        const mq = world();
        mq.brokers["broker-a"].topics.payments = { topicName: "payments", readQueueNums: 4, writeQueueNums: 4, perm: 6 };
        mq.inject({ method: "lag", mode: "hang", always: true });
        void transferTopic(mq, request, collectingLog(), { clock: fakeClock() });
        void transferTopic(mq, { ...request, topic: "payments", consumerGroups: ["billing"] }, collectingLog(), { clock: fakeClock() });
        await new Promise((resolve) => setTimeout(resolve, 10));
        assert.deepEqual(Object.keys(mq.records).sort(), ["orders", "payments"]);
        assert.deepEqual(JSON.parse(mq.records.payments).groups, ["billing"]);
        mq.addBroker("cluster-c", "broker-c");
        await assert.rejects(
            transferTopic(mq, { ...request, targetCluster: "cluster-c" }, collectingLog(), { clock: fakeClock() }),
            /topic orders is already being transferred from cluster-a to cluster-b/,
        );
    });

    it("refuses a topic a Topic resource manages, saying to change the Topic instead, and moves nothing", async () => {
        const mq = world();
        mq.managedTopics[TOPIC] = "cluster cluster-a";
        await assert.rejects(
            transferTopic(mq, request, collectingLog(), { clock: fakeClock() }),
            (err: Error) => err instanceof TopicTransferRefused && /topic orders is managed by a Topic resource \(on cluster cluster-a\).*change the Topic's clusterName or brokerNames instead/.test(err.message),
        );
        assert.deepEqual(await mq.topicConfigs(await mq.brokersNamed(["broker-b"]), [TOPIC]), { "broker-b": {} });
    });

    it("a Topic's own placement change moves its managed topic between the broker groups it names, and keeps it managed", async () => {
        const mq = world();
        mq.addBroker("cluster-b", "broker-b2");
        mq.managedTopics[TOPIC] = "cluster cluster-a";
        const result = await transferTopic(
            mq,
            {
                ...request,
                sourceCluster: "broker groups broker-a",
                targetCluster: "cluster cluster-b",
                sourceBrokerNames: ["broker-a"],
                targetBrokerNames: ["broker-b", "broker-b2"],
                byManagingTopic: true,
            },
            collectingLog(),
            { clock: fakeClock(), groupSettleMs: 0 },
        );
        assert.deepEqual(result.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7]);
        assert.deepEqual(result.topicBrokers, ["broker-b", "broker-b2"]);
        const everywhere = await mq.brokersNamed(["broker-a", "broker-b", "broker-b2"]);
        const held = await mq.topicConfigs(everywhere, [TOPIC]);
        assert.deepEqual(Object.keys(held).filter((b) => held[b][TOPIC]), ["broker-b", "broker-b2"]);
        assert.equal(mq.managedTopics[TOPIC], "cluster cluster-a", "the Topic resource, not the engine, records where it manages the topic");
    });
});
