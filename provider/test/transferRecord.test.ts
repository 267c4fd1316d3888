// The transfer record on the name servers: the newest copy wins, a bad copy is an error.
import { strict as assert } from "node:assert";
import { TransferRecord, TransferRecordStore } from "../src/ops/transferRecord";
import { FakeRocketMQ } from "./fakeTransferAdmin";

function record(revision: number, stepsDone: number): TransferRecord {
    return {
        format: 1,
        topic: "orders",
        source: "a",
        target: "b",
        sourceBrokers: ["a-0"],
        targetBrokers: ["b-0"],
        groups: [],
        groupsKeptOnSource: [],
        consumeTimeoutSeconds: 60,
        sourceTopic: {},
        sourceGroups: {},
        sourceRetryTopics: {},
        targetHad: { topic: false, groups: [], retryTopics: [] },
        phase: "running",
        steps: Array.from({ length: stepsDone }, (_, i) => ({ step: i + 1, name: `step ${i + 1}`, startedAt: "t", finishedAt: "t" })),
        startedAt: "t",
        revision,
    };
}

describe("transfer record store", () => {
    it("reads the newest copy when name servers disagree (one restarted, or missed a write)", async () => {
        const mq = new FakeRocketMQ();
        mq.readRecords = async () => [JSON.stringify(record(3, 2)), JSON.stringify(record(5, 3)), JSON.stringify(record(1, 0))];
        const newest = await new TransferRecordStore(mq).read("orders");
        assert.equal(newest?.revision, 5);
        assert.equal(newest?.steps.length, 3);
    });

    it("bumps the revision on every write and removes the record", async () => {
        const mq = new FakeRocketMQ();
        const store = new TransferRecordStore(mq);
        const r = record(0, 0);
        await store.write(r);
        await store.write(r);
        assert.equal(JSON.parse(mq.records.orders).revision, 2);
        await store.remove("orders");
        assert.equal(await store.read("orders"), undefined);
    });

    it("refuses to act on a copy it cannot read, rather than start over", async () => {
        const mq = new FakeRocketMQ();
        mq.records.orders = "{not json";
        await assert.rejects(new TransferRecordStore(mq).read("orders"), /transfer record of topic orders on the name servers is not readable JSON/);
        mq.records.orders = JSON.stringify({ ...record(1, 0), format: 2 });
        await assert.rejects(new TransferRecordStore(mq).read("orders"), /unknown format/);
    });
});
