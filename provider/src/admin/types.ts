// Typed shapes of what the admin operations take and return. Every Record keyed by a name a user
// or a peer chose (topic, group, broker, cluster) that the client returns is a null-prototype
// object (see nameMaps.ts), so __proto__ or constructor is an ordinary name.

/** Permission bits of a topic or broker (RocketMQ's PermName). */
export const Perm = {
  INHERIT: 1,
  READ: 4,
  WRITE: 2,
  READ_WRITE: 6,
} as const;

/** Broker id of a group's master; replicas have ids >= 1. */
export const MASTER_ID = "0";

export interface BrokerGroup {
  cluster: string;
  brokerName: string;
  /** Address by broker id ("0" is the master). */
  addresses: Record<string, string>;
}

export interface ClusterInfo {
  /** Broker group names by cluster name. */
  clusters: Record<string, string[]>;
  /** Broker groups by broker name. */
  brokers: Record<string, BrokerGroup>;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface TopicRoute {
  queues: QueueData[];
  brokers: BrokerGroup[];
  orderTopicConf?: string;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  order?: boolean;
  topicFilterType?: "SINGLE_TAG" | "MULTI_TAG";
  topicSysFlag?: number;
  /** Topic attributes as the broker stores them, e.g. { "message.type": "NORMAL" }. */
  attributes?: Record<string, string>;
}

/** A subscription (consumer) group. Fields the broker knows but we do not model are kept as they are. */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable?: boolean;
  consumeFromMinEnable?: boolean;
  consumeBroadcastEnable?: boolean;
  consumeMessageOrderly?: boolean;
  retryQueueNums?: number;
  retryMaxTimes?: number;
  brokerId?: number;
  whichBrokerWhenConsumeSlowly?: number;
  notifyConsumerIdsChangedEnable?: boolean;
  groupSysFlag?: number;
  consumeTimeoutMinute?: number;
  attributes?: Record<string, string>;
  [other: string]: unknown;
}

/** A client of a consumer group connected to a broker. */
export interface ConsumerClient {
  clientId: string;
  /** host:port the broker sees the client at. */
  clientAddress: string;
}

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface QueueConsumeProgress extends MessageQueue {
  /** Next offset the broker will write in this queue. */
  brokerOffset: number;
  /** Next offset the group will consume. */
  consumerOffset: number;
  pullOffset: number;
  /** Store time of the last consumed message, 0 when none. */
  lastTimestamp: number;
  /** brokerOffset - consumerOffset. */
  lag: number;
}

export interface ConsumeStats {
  queues: QueueConsumeProgress[];
  consumeTps: number;
  totalLag: number;
}

export interface QueueOffsets extends MessageQueue {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface TopicStats {
  queues: QueueOffsets[];
}

/** A broker's stored consumer offsets: per consumer group, per topic, the next offset of each queue id. */
export interface ConsumerOffsetTable {
  groups: Record<string, Record<string, Record<string, number>>>;
}

export interface TopicConfigTable {
  topics: Record<string, TopicConfig>;
  /** The broker's topic-config version; it changes on every update. */
  dataVersion?: { timestamp: number; counter: number };
}

export interface SubscriptionGroupTable {
  groups: Record<string, SubscriptionGroupConfig>;
  dataVersion?: { timestamp: number; counter: number };
}

/** One replica of a broker group as a RIP-44 controller knows it. */
export interface ReplicaIdentity {
  brokerId: number;
  brokerAddress: string;
  alive: boolean;
}

/** A broker group's master and sync state set, as the controller leader holds them. */
export interface ReplicasInfo {
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch?: number;
  inSyncReplicas: ReplicaIdentity[];
  notInSyncReplicas: ReplicaIdentity[];
}
