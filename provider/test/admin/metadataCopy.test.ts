import { strict as assert } from "node:assert";
import { copyMetadata, mastersOfCluster, RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { RequestCode } from "../../src/admin/codes";
import { fakeBroker, topic } from "./fakeBroker";

describe("metadata copy (fake brokers)", () => {
  it("sends only what differs, in batches, and leaves system and broker-own topics alone", async () => {
    const sourceTopics: Record<string, object> = { TBW102: topic("TBW102"), "cluster-src": topic("cluster-src"), "cluster-src_REPLY_TOPIC": topic("cluster-src_REPLY_TOPIC"), src: topic("src"), rmq_sys_x: topic("rmq_sys_x") };
    for (let i = 0; i < 5; i++) sourceTopics[`t${i}`] = topic(`t${i}`, i + 1);
    const source = await fakeBroker("src", sourceTopics, { g1: { groupName: "g1", retryMaxTimes: 3 }, CID_RMQ_SYS_X: { groupName: "CID_RMQ_SYS_X" } });
    // The target already has t0 exactly and t1 with other queue counts.
    const target = await fakeBroker("dst", { t0: topic("t0", 1), t1: topic("t1", 9) }, {});
    const client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
    try {
      const result = await copyMetadata(client, source.peer.address, target.peer.address, { topicBatchSize: 2 });
      assert.deepEqual(result, { topicsCopied: 4, topicsAlreadyEqual: 1, groupsCopied: 1, groupsAlreadyEqual: 0 });
      const topicBatches = target.batches.filter((b) => b.code === RequestCode.UPDATE_AND_CREATE_TOPIC_LIST).map((b) => b.names);
      assert.deepEqual(topicBatches.flat().sort(), ["t1", "t2", "t3", "t4"]);
      assert.ok(topicBatches.every((b) => b.length <= 2), JSON.stringify(topicBatches));
      assert.ok(!topicBatches.flat().includes("t0"), "an unchanged topic would make the broker skip the batch");
      const again = await copyMetadata(client, source.peer.address, target.peer.address);
      assert.deepEqual(again, { topicsCopied: 0, topicsAlreadyEqual: 5, groupsCopied: 0, groupsAlreadyEqual: 1 });
    } finally {
      client.close();
      await source.peer.stop();
      await target.peer.stop();
    }
  });

  it("a topic batch that fails after the broker applied part of it is retried by diffing again, not replayed", async () => {
    const sourceTopics: Record<string, object> = {};
    for (let i = 0; i < 4; i++) sourceTopics[`t${i}`] = topic(`t${i}`);
    const source = await fakeBroker("src", sourceTopics, {});
    const targetTopics: Record<string, object> = {};
    let faults = 0;
    const target = await fakeBroker("dst", targetTopics, {}, (list, socket) => {
      if (faults++ > 0) return false;
      targetTopics[list[0].topicName] = list[0]; // the broker applied the first topic, then the connection broke
      socket.resetAndDestroy();
      return true;
    });
    const retried: string[] = [];
    const client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: { initialDelayMs: 10 }, onRetry: (e) => retried.push(e.request) });
    try {
      const result = await copyMetadata(client, source.peer.address, target.peer.address);
      assert.deepEqual(result, { topicsCopied: 4, topicsAlreadyEqual: 0, groupsCopied: 0, groupsAlreadyEqual: 0 }, "counts of the first round");
      assert.deepEqual(Object.keys(targetTopics).sort(), ["t0", "t1", "t2", "t3"]);
      const resent = target.batches.filter((b) => b.code === RequestCode.UPDATE_AND_CREATE_TOPIC_LIST).map((b) => b.names);
      assert.deepEqual(resent, [["t1", "t2", "t3"]], "the second round sent only what the target still lacked");
      assert.deepEqual(retried, ["UPDATE_AND_CREATE_TOPIC_LIST"]);
    } finally {
      client.close();
      await source.peer.stop();
      await target.peer.stop();
    }
  });

  it("finds a cluster's masters and refuses an unknown cluster as not found", () => {
    const info = {
      clusters: { a: ["b1", "b2"] },
      brokers: {
        b1: { cluster: "a", brokerName: "b1", addresses: { "0": "10.0.0.1:10911", "1": "10.0.0.2:10911" } },
        b2: { cluster: "a", brokerName: "b2", addresses: { "1": "10.0.0.3:10911" } },
      },
    };
    assert.deepEqual(mastersOfCluster(info, "a"), [{ brokerName: "b1", address: "10.0.0.1:10911" }]);
    assert.throws(() => mastersOfCluster(info, "z"), (e: RocketMQAdminError) => e.isNotFound() && /cluster z is not registered/.test(e.message));
  });
});
