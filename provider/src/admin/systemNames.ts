// Topics and consumer groups RocketMQ keeps for itself, as its sources name them (TopicValidator
// and MixAll, 5.x). The one list: input validation refuses them, metadata copy and the transfer skip them.

/** TopicValidator's system topic set. */
export const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  "TBW102", // AUTO_CREATE_TOPIC_KEY_TOPIC: the template autoCreateTopicEnable copies
  "SCHEDULE_TOPIC_XXXX", // delayed messages wait here
  "BenchmarkTest",
  "RMQ_SYS_TRANS_HALF_TOPIC", // transactional messages before commit
  "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  "RMQ_SYS_TRACE_TOPIC",
  "TRANS_CHECK_MAX_TIME_TOPIC",
  "SELF_TEST_TOPIC",
  "OFFSET_MOVED_EVENT",
  "CHECKPOINT_TOPIC", // RMQ_SYS_ROCKSDB_OFFSET_TOPIC: the RocksDB consume queue's checkpoint
  "RMQ_SYS_ROCKSDB_TRANS_HALF_TOPIC", // transactional messages on the RocksDB store (5.4)
  "RMQ_SYS_ROCKSDB_TRANS_OP_HALF_TOPIC",
]);

/** TopicValidator.SYSTEM_TOPIC_PREFIX: timer, sync and pop topics (rmq_sys_wheel_timer, ...). */
export const SYSTEM_TOPIC_PREFIX = "rmq_sys_";
/** MixAll's prefixes of the topics a consumer group owns: redelivery and dead letters. */
export const RETRY_TOPIC_PREFIX = "%RETRY%";
export const DEAD_LETTER_TOPIC_PREFIX = "%DLQ%";

/** Groups every broker creates for itself at start (SubscriptionGroupManager, MixAll names). */
export const SYSTEM_GROUPS: ReadonlySet<string> = new Set([
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PULL",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
]);

/** MixAll.CID_RMQ_SYS_PREFIX: the broker's internal groups (transaction checks, ...). */
export const SYSTEM_GROUP_PREFIX = "CID_RMQ_SYS_";

/** MixAll.REPLY_TOPIC_POSTFIX: each broker makes `<cluster>_REPLY_TOPIC` for request-reply messages. */
export const REPLY_TOPIC_POSTFIX = "_REPLY_TOPIC";

/**
 * Topics a broker makes at start and registers as system topics: one named after its cluster, one
 * after its group, and its cluster's reply topic.
 */
export function brokerOwnTopics(cluster: string | undefined, brokerName: string | undefined): Set<string> {
  const own = new Set<string>();
  if (cluster) own.add(cluster).add(`${cluster}${REPLY_TOPIC_POSTFIX}`);
  if (brokerName) own.add(brokerName);
  return own;
}

/** A topic the brokers keep for themselves; `brokerOwnTopics` adds those of particular brokers. */
export function isSystemTopic(topic: string, brokerOwnTopics: ReadonlySet<string> = new Set()): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX) || brokerOwnTopics.has(topic);
}

/** A retry or dead-letter topic: it belongs to a consumer group, not to producers. */
export function isGroupTopic(topic: string): boolean {
  return topic.startsWith(RETRY_TOPIC_PREFIX) || topic.startsWith(DEAD_LETTER_TOPIC_PREFIX);
}

export function isSystemGroup(group: string): boolean {
  return SYSTEM_GROUPS.has(group) || group.startsWith(SYSTEM_GROUP_PREFIX);
}
