// Decoders of reply bodies into typed values, and encoders of request bodies.
// Replies are fastjson text (see fastjson.ts); a body of the wrong shape is a BadReplyError.

import { JsonValue, objectKey, parseFastjson } from "./fastjson";
import type {
  BrokerGroup,
  ClusterInfo,
  ConsumeStats,
  MessageQueue,
  QueueConsumeProgress,
  QueueData,
  QueueOffsets,
  SubscriptionGroupConfig,
  SubscriptionGroupTable,
  TopicConfig,
  TopicConfigTable,
  TopicRoute,
  TopicStats,
} from "./types";

export class BadReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadReplyError";
  }
}

type JsonObject = { [key: string]: JsonValue };

export function parseBody(body: Buffer | undefined, what: string): JsonValue {
  if (!body || body.length === 0) throw new BadReplyError(`${what}: reply has no body`);
  try {
    return parseFastjson(body.toString("utf8"));
  } catch (err) {
    throw new BadReplyError(`${what}: body is not readable JSON: ${(err as Error).message}`);
  }
}

function asObject(value: JsonValue | undefined, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new BadReplyError(`${what} is not an object`);
  return value;
}

function optionalObject(value: JsonValue | undefined, what: string): JsonObject {
  return value === undefined || value === null ? {} : asObject(value, what);
}

function asArray(value: JsonValue | undefined, what: string): JsonValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadReplyError(`${what} is not an array`);
  return value;
}

function asString(value: JsonValue | undefined, what: string): string {
  if (typeof value !== "string") throw new BadReplyError(`${what} is not a string`);
  return value;
}

function asNumber(value: JsonValue | undefined, what: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number") throw new BadReplyError(`${what} is not a number`);
  return value;
}

function stringMap(value: JsonValue | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(optionalObject(value, what))) out[k] = String(v);
  return out;
}

function brokerGroup(value: JsonValue, what: string): BrokerGroup {
  const o = asObject(value, what);
  return {
    cluster: asString(o.cluster, `${what}.cluster`),
    brokerName: asString(o.brokerName, `${what}.brokerName`),
    addresses: stringMap(o.brokerAddrs, `${what}.brokerAddrs`),
  };
}

export function decodeClusterInfo(body: Buffer | undefined): ClusterInfo {
  const o = asObject(parseBody(body, "cluster info"), "cluster info");
  const brokers: Record<string, BrokerGroup> = {};
  for (const [name, data] of Object.entries(optionalObject(o.brokerAddrTable, "brokerAddrTable"))) {
    brokers[name] = brokerGroup(data, `brokerAddrTable.${name}`);
  }
  const clusters: Record<string, string[]> = {};
  for (const [name, names] of Object.entries(optionalObject(o.clusterAddrTable, "clusterAddrTable"))) {
    clusters[name] = asArray(names, `clusterAddrTable.${name}`).map((n) => asString(n, `clusterAddrTable.${name}[]`)).sort();
  }
  return { clusters, brokers };
}

export function decodeTopicRoute(body: Buffer | undefined): TopicRoute {
  const o = asObject(parseBody(body, "topic route"), "topic route");
  const queues: QueueData[] = asArray(o.queueDatas, "queueDatas").map((q, i) => {
    const qo = asObject(q, `queueDatas[${i}]`);
    return {
      brokerName: asString(qo.brokerName, `queueDatas[${i}].brokerName`),
      readQueueNums: asNumber(qo.readQueueNums, `queueDatas[${i}].readQueueNums`),
      writeQueueNums: asNumber(qo.writeQueueNums, `queueDatas[${i}].writeQueueNums`),
      perm: asNumber(qo.perm, `queueDatas[${i}].perm`),
      topicSysFlag: asNumber(qo.topicSysFlag, `queueDatas[${i}].topicSysFlag`, 0),
    };
  });
  const brokers = asArray(o.brokerDatas, "brokerDatas").map((b, i) => brokerGroup(b, `brokerDatas[${i}]`));
  const route: TopicRoute = { queues, brokers };
  if (typeof o.orderTopicConf === "string") route.orderTopicConf = o.orderTopicConf;
  return route;
}

export function decodeTopicConfig(value: JsonValue, what: string): TopicConfig {
  const o = asObject(value, what);
  const config: TopicConfig = {
    topicName: asString(o.topicName, `${what}.topicName`),
    readQueueNums: asNumber(o.readQueueNums, `${what}.readQueueNums`),
    writeQueueNums: asNumber(o.writeQueueNums, `${what}.writeQueueNums`),
    perm: asNumber(o.perm, `${what}.perm`),
    order: o.order === true,
    topicSysFlag: asNumber(o.topicSysFlag, `${what}.topicSysFlag`, 0),
  };
  if (o.topicFilterType === "SINGLE_TAG" || o.topicFilterType === "MULTI_TAG") config.topicFilterType = o.topicFilterType;
  const attributes = stringMap(o.attributes, `${what}.attributes`);
  if (Object.keys(attributes).length > 0) config.attributes = attributes;
  return config;
}

function dataVersion(value: JsonValue | undefined): { timestamp: number; counter: number } | undefined {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const counter = value.counter;
  return {
    timestamp: typeof value.timestamp === "number" ? value.timestamp : 0,
    counter: typeof counter === "number" ? counter : 0,
  };
}

export function decodeTopicConfigTable(body: Buffer | undefined): TopicConfigTable {
  const o = asObject(parseBody(body, "topic configs"), "topic configs");
  const topics: Record<string, TopicConfig> = {};
  for (const [name, config] of Object.entries(optionalObject(o.topicConfigTable, "topicConfigTable"))) {
    topics[name] = decodeTopicConfig(config, `topicConfigTable.${name}`);
  }
  return { topics, dataVersion: dataVersion(o.dataVersion) };
}

export function decodeSubscriptionGroupTable(body: Buffer | undefined): SubscriptionGroupTable {
  const o = asObject(parseBody(body, "subscription groups"), "subscription groups");
  const groups: Record<string, SubscriptionGroupConfig> = {};
  for (const [name, config] of Object.entries(optionalObject(o.subscriptionGroupTable, "subscriptionGroupTable"))) {
    const g = asObject(config, `subscriptionGroupTable.${name}`);
    asString(g.groupName, `subscriptionGroupTable.${name}.groupName`);
    groups[name] = g as SubscriptionGroupConfig;
  }
  return { groups, dataVersion: dataVersion(o.dataVersion) };
}

function messageQueueKey(key: string, what: string): MessageQueue {
  const o = asObject(objectKey(key), `${what} key`);
  return {
    topic: asString(o.topic, `${what} key.topic`),
    brokerName: asString(o.brokerName, `${what} key.brokerName`),
    queueId: asNumber(o.queueId, `${what} key.queueId`),
  };
}

function byQueue<T extends MessageQueue>(a: T, b: T): number {
  return a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId;
}

export function decodeConsumeStats(body: Buffer | undefined): ConsumeStats {
  const o = asObject(parseBody(body, "consume stats"), "consume stats");
  const queues: QueueConsumeProgress[] = Object.entries(optionalObject(o.offsetTable, "offsetTable")).map(([key, value]) => {
    const queue = messageQueueKey(key, "offsetTable");
    const w = asObject(value, "offsetTable value");
    const brokerOffset = asNumber(w.brokerOffset, "brokerOffset");
    const consumerOffset = asNumber(w.consumerOffset, "consumerOffset");
    return {
      ...queue,
      brokerOffset,
      consumerOffset,
      pullOffset: asNumber(w.pullOffset, "pullOffset", consumerOffset),
      lastTimestamp: asNumber(w.lastTimestamp, "lastTimestamp", 0),
      lag: Math.max(0, brokerOffset - consumerOffset),
    };
  });
  queues.sort(byQueue);
  return {
    queues,
    consumeTps: asNumber(o.consumeTps, "consumeTps", 0),
    totalLag: queues.reduce((sum, q) => sum + q.lag, 0),
  };
}

export function decodeTopicStats(body: Buffer | undefined): TopicStats {
  const o = asObject(parseBody(body, "topic stats"), "topic stats");
  const queues: QueueOffsets[] = Object.entries(optionalObject(o.offsetTable, "offsetTable")).map(([key, value]) => {
    const queue = messageQueueKey(key, "offsetTable");
    const t = asObject(value, "offsetTable value");
    return {
      ...queue,
      minOffset: asNumber(t.minOffset, "minOffset"),
      maxOffset: asNumber(t.maxOffset, "maxOffset"),
      lastUpdateTimestamp: asNumber(t.lastUpdateTimestamp, "lastUpdateTimestamp", 0),
    };
  });
  queues.sort(byQueue);
  return { queues };
}

export function decodeGroupList(body: Buffer | undefined): string[] {
  const o = asObject(parseBody(body, "group list"), "group list");
  return asArray(o.groupList, "groupList").map((g) => asString(g, "groupList[]")).sort();
}

export function decodeTopicList(body: Buffer | undefined): string[] {
  const o = asObject(parseBody(body, "topic list"), "topic list");
  return asArray(o.topicList, "topicList").map((t) => asString(t, "topicList[]")).sort();
}

/** Broker config replies are Java properties text: key=value lines. */
export function decodeProperties(body: Buffer | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body) return out;
  for (const rawLine of body.toString("utf8").split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) out[line] = "";
    else out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function encodeProperties(properties: Record<string, string>): Buffer {
  const lines = Object.entries(properties).map(([k, v]) => {
    if (/[=\n\r]/.test(k) || /[\n\r]/.test(v)) throw new Error(`broker config entry ${JSON.stringify(k)} cannot be encoded`);
    return `${k}=${v}`;
  });
  return Buffer.from(lines.join("\n") + "\n", "utf8");
}

/**
 * Attributes in create requests are modifications: "+key" sets a value ("-key" removes it).
 * Stored attributes come without the sign; add it where missing.
 */
export function attributeModifications(attributes: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) out[k.startsWith("+") || k.startsWith("-") ? k : `+${k}`] = v;
  return out;
}

/** The body of UPDATE_AND_CREATE_TOPIC_LIST. */
export function encodeTopicConfigList(configs: TopicConfig[]): Buffer {
  const topicConfigList = configs.map((c) => ({
    topicName: c.topicName,
    readQueueNums: c.readQueueNums,
    writeQueueNums: c.writeQueueNums,
    perm: c.perm,
    topicFilterType: c.topicFilterType ?? "SINGLE_TAG",
    topicSysFlag: c.topicSysFlag ?? 0,
    order: c.order ?? false,
    attributes: attributeModifications(c.attributes),
  }));
  return Buffer.from(JSON.stringify({ topicConfigList }), "utf8");
}

/** The body of UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST. */
export function encodeSubscriptionGroupList(groups: SubscriptionGroupConfig[]): Buffer {
  return Buffer.from(JSON.stringify({ groupConfigList: groups }), "utf8");
}
