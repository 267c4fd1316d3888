import { strict as assert } from "node:assert";
import { brokerOwnTopics, isGroupTopic, isSystemGroup, isSystemTopic, SYSTEM_GROUPS, SYSTEM_TOPICS } from "../../src/admin/systemNames";
import { validateTopicTransferArgs } from "../../src/inputs/topicTransfer";

const transferOf = (topic: string) => validateTopicTransferArgs({ topic, sourceCluster: "a", targetCluster: "b", nameServerAddresses: "ns:9876" });

describe("system topics and groups (one list for validation, copy and transfer)", () => {
  it("every system topic, and every rmq_sys_ topic, is refused as a transfer's topic", () => {
    for (const topic of [...SYSTEM_TOPICS, "rmq_sys_wheel_timer", "%RETRY%billing", "%DLQ%billing"]) {
      const result = transferOf(topic);
      assert.ok(!result.ok && result.failures.some((f) => f.property === "topic" && /brokers keep for themselves/.test(f.reason)), topic);
    }
  });

  it("CHECKPOINT_TOPIC (the RocksDB store's checkpoint) is a system topic everywhere", () => {
    assert.ok(isSystemTopic("CHECKPOINT_TOPIC"));
    assert.equal(transferOf("CHECKPOINT_TOPIC").ok, false);
  });

  it("user topics pass; a broker's own cluster and group topics are system topics for that broker", () => {
    for (const topic of ["orders", "RMQ_orders", "TBW1020", "rmq_orders"]) {
      assert.equal(isSystemTopic(topic), false, topic);
      assert.equal(transferOf(topic).ok, true, topic);
    }
    const own = brokerOwnTopics("DefaultCluster", "broker-a");
    assert.deepEqual([...own].sort(), ["DefaultCluster", "DefaultCluster_REPLY_TOPIC", "broker-a"]);
    assert.ok(isSystemTopic("DefaultCluster_REPLY_TOPIC", own));
    assert.equal(isSystemTopic("DefaultCluster_REPLY_TOPIC"), false, "only for a broker of that cluster");
    assert.ok(isGroupTopic("%RETRY%g") && isGroupTopic("%DLQ%g") && !isGroupTopic("g"));
  });

  it("the groups a broker makes for itself, and CID_RMQ_SYS_ groups, are system groups", () => {
    for (const group of [...SYSTEM_GROUPS, "CID_RMQ_SYS_TRANS"]) assert.ok(isSystemGroup(group), group);
    assert.equal(isSystemGroup("billing"), false);
  });
});
