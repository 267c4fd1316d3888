// Decoders of reply bodies into typed values, and encoders of request bodies.
// Replies are fastjson text (see fastjson.ts); a body of the wrong shape is a BadReplyError.

import { emptyObject } from "./nameMaps";
import { JsonObject, JsonValue, objectKey, ParseDeadlineError, ParseLimits, parseFastjson } from "./fastjson";
import type {
  BrokerGroup,
  ClusterInfo,
  ConsumerOffsetTable,
  ConsumeStats,
  MessageQueue,
  QueueConsumeProgress,
  QueueData,
  QueueOffsets,
  ReplicaIdentity,
  ReplicasInfo,
  SubscriptionGroupConfig,
  SubscriptionGroupTable,
  TopicConfig,
  TopicConfigTable,
  TopicRoute,
  TopicStats,
} from "./types";

export class BadReplyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BadReplyError";
  }
}

/** How a body is parsed: size-bound limits and the call's deadline (see fastjson.ts). */
export type BodyLimits = Partial<ParseLimits>;

export function parseBody(body: Buffer | undefined, what: string, limits: BodyLimits = {}): JsonValue {
  if (!body || body.length === 0) throw new BadReplyError(`${what}: reply has no body`);
  try {
    return parseFastjson(body.toString("utf8"), limits);
  } catch (err) {
    if (err instanceof ParseDeadlineError) throw err;
    throw new BadReplyError(`${what}: body is not readable JSON: ${(err as Error).message}`, { cause: err });
  }
}

function asObject(value: JsonValue | undefined, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new BadReplyError(`${what} is not an object`);
  return value;
}

function optionalObject(value: JsonValue | undefined, what: string): JsonObject {
  return value === undefined || value === null ? emptyObject() : asObject(value, what);
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

/** A finite number (1e999 parses as Infinity and is refused). */
function asNumber(value: JsonValue | undefined, what: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new BadReplyError(`${what} is not a finite number`);
  return value;
}

/** Offsets, queue counts and ids: Java ints and longs. */
function asInteger(value: JsonValue | undefined, what: string, fallback?: number): number {
  const n = asNumber(value, what, fallback);
  if (!Number.isInteger(n)) throw new BadReplyError(`${what} is not an integer`);
  return n;
}

function stringMap(value: JsonValue | undefined, what: string): Record<string, string> {
  const out = emptyObject<string>();
  const o = optionalObject(value, what);
  for (const key of Object.keys(o)) out[key] = asString(o[key], `${what}.${key}`);
  return out;
}

/** Decodes every entry of a map keyed by names a user chose, into a null-prototype object. */
function nameMap<T>(value: JsonValue | undefined, what: string, decode: (entry: JsonValue, what: string, name: string) => T): Record<string, T> {
  const out = emptyObject<T>();
  const o = optionalObject(value, what);
  for (const name of Object.keys(o)) out[name] = decode(o[name], `${what}.${name}`, name);
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

export function decodeClusterInfo(body: Buffer | undefined, limits?: BodyLimits): ClusterInfo {
  const o = asObject(parseBody(body, "cluster info", limits), "cluster info");
  const brokers = nameMap(o.brokerAddrTable, "brokerAddrTable", brokerGroup);
  const clusters = nameMap(o.clusterAddrTable, "clusterAddrTable", (names, what) =>
    asArray(names, what)
      .map((n) => asString(n, `${what}[]`))
      .sort(),
  );
  return { clusters, brokers };
}

export function decodeTopicRoute(body: Buffer | undefined, limits?: BodyLimits): TopicRoute {
  const o = asObject(parseBody(body, "topic route", limits), "topic route");
  const queues: QueueData[] = asArray(o.queueDatas, "queueDatas").map((q, i) => {
    const qo = asObject(q, `queueDatas[${i}]`);
    return {
      brokerName: asString(qo.brokerName, `queueDatas[${i}].brokerName`),
      readQueueNums: asInteger(qo.readQueueNums, `queueDatas[${i}].readQueueNums`),
      writeQueueNums: asInteger(qo.writeQueueNums, `queueDatas[${i}].writeQueueNums`),
      perm: asInteger(qo.perm, `queueDatas[${i}].perm`),
      topicSysFlag: asInteger(qo.topicSysFlag, `queueDatas[${i}].topicSysFlag`, 0),
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
    readQueueNums: asInteger(o.readQueueNums, `${what}.readQueueNums`),
    writeQueueNums: asInteger(o.writeQueueNums, `${what}.writeQueueNums`),
    perm: asInteger(o.perm, `${what}.perm`),
    order: o.order === true,
    topicSysFlag: asInteger(o.topicSysFlag, `${what}.topicSysFlag`, 0),
  };
  if (o.topicFilterType === "SINGLE_TAG" || o.topicFilterType === "MULTI_TAG") config.topicFilterType = o.topicFilterType;
  const attributes = stringMap(o.attributes, `${what}.attributes`);
  if (Object.keys(attributes).length > 0) config.attributes = attributes;
  return config;
}

function dataVersion(value: JsonValue | undefined): { timestamp: number; counter: number } | undefined {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { timestamp, counter } = value;
  return {
    timestamp: typeof timestamp === "number" && Number.isFinite(timestamp) ? timestamp : 0,
    counter: typeof counter === "number" && Number.isFinite(counter) ? counter : 0,
  };
}

export function decodeTopicConfigTable(body: Buffer | undefined, limits?: BodyLimits): TopicConfigTable {
  const o = asObject(parseBody(body, "topic configs", limits), "topic configs");
  return { topics: nameMap(o.topicConfigTable, "topicConfigTable", decodeTopicConfig), dataVersion: dataVersion(o.dataVersion) };
}

/** Types of the group fields this client reads; other fields pass through as the broker sent them. */
const GROUP_FIELD_TYPES: Record<string, "boolean" | "number"> = {
  consumeEnable: "boolean",
  consumeFromMinEnable: "boolean",
  consumeBroadcastEnable: "boolean",
  consumeMessageOrderly: "boolean",
  notifyConsumerIdsChangedEnable: "boolean",
  retryQueueNums: "number",
  retryMaxTimes: "number",
  brokerId: "number",
  whichBrokerWhenConsumeSlowly: "number",
  groupSysFlag: "number",
  consumeTimeoutMinute: "number",
};

function subscriptionGroup(value: JsonValue, what: string): SubscriptionGroupConfig {
  const g = asObject(value, what);
  asString(g.groupName, `${what}.groupName`);
  for (const [field, type] of Object.entries(GROUP_FIELD_TYPES)) {
    const v = g[field];
    if (v === undefined || v === null) continue;
    if (type === "number") asNumber(v, `${what}.${field}`);
    else if (typeof v !== "boolean") throw new BadReplyError(`${what}.${field} is not a boolean`);
  }
  if (g.attributes !== undefined && g.attributes !== null) stringMap(g.attributes, `${what}.attributes`);
  // Fields this client does not model are copied to other brokers as they are; 1e999 would be
  // written back as null.
  finiteThroughout(g, what);
  return g as SubscriptionGroupConfig;
}

function finiteThroughout(value: JsonValue, what: string): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new BadReplyError(`${what} is not a finite number`);
  } else if (Array.isArray(value)) value.forEach((item, i) => finiteThroughout(item, `${what}[${i}]`));
  else if (value !== null && typeof value === "object") for (const key of Object.keys(value)) finiteThroughout(value[key], `${what}.${key}`);
}

export function decodeSubscriptionGroupTable(body: Buffer | undefined, limits?: BodyLimits): SubscriptionGroupTable {
  const o = asObject(parseBody(body, "subscription groups", limits), "subscription groups");
  return { groups: nameMap(o.subscriptionGroupTable, "subscriptionGroupTable", subscriptionGroup), dataVersion: dataVersion(o.dataVersion) };
}

function messageQueueKey(key: string, what: string): MessageQueue {
  let parsed: JsonValue;
  try {
    parsed = objectKey(key);
  } catch (err) {
    throw new BadReplyError(`${what} key is not a message queue: ${(err as Error).message}`, { cause: err });
  }
  const o = asObject(parsed, `${what} key`);
  return {
    topic: asString(o.topic, `${what} key.topic`),
    brokerName: asString(o.brokerName, `${what} key.brokerName`),
    queueId: asInteger(o.queueId, `${what} key.queueId`),
  };
}

function byQueue<T extends MessageQueue>(a: T, b: T): number {
  return a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId;
}

/** Decodes an offsetTable keyed by MessageQueue objects. */
function queueTable<T>(value: JsonValue | undefined, decode: (queue: MessageQueue, entry: JsonObject) => T): T[] {
  const table = optionalObject(value, "offsetTable");
  return Object.keys(table).map((key) => decode(messageQueueKey(key, "offsetTable"), asObject(table[key], "offsetTable value")));
}

export function decodeConsumeStats(body: Buffer | undefined, limits?: BodyLimits): ConsumeStats {
  const o = asObject(parseBody(body, "consume stats", limits), "consume stats");
  const queues: QueueConsumeProgress[] = queueTable(o.offsetTable, (queue, w) => {
    const brokerOffset = asInteger(w.brokerOffset, "brokerOffset");
    const consumerOffset = asInteger(w.consumerOffset, "consumerOffset");
    return {
      ...queue,
      brokerOffset,
      consumerOffset,
      pullOffset: asInteger(w.pullOffset, "pullOffset", consumerOffset),
      lastTimestamp: asInteger(w.lastTimestamp, "lastTimestamp", 0),
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

export function decodeTopicStats(body: Buffer | undefined, limits?: BodyLimits): TopicStats {
  const o = asObject(parseBody(body, "topic stats", limits), "topic stats");
  const queues: QueueOffsets[] = queueTable(o.offsetTable, (queue, t) => ({
    ...queue,
    minOffset: asInteger(t.minOffset, "minOffset"),
    maxOffset: asInteger(t.maxOffset, "maxOffset"),
    lastUpdateTimestamp: asInteger(t.lastUpdateTimestamp, "lastUpdateTimestamp", 0),
  }));
  queues.sort(byQueue);
  return { queues };
}

/**
 * A broker's ConsumerOffsetManager: offsetTable keys are `topic@group` (neither name may hold an
 * `@`), values map queue ids to offsets.
 */
export function decodeConsumerOffsetTable(body: Buffer | undefined, limits?: BodyLimits): ConsumerOffsetTable {
  const o = asObject(parseBody(body, "consumer offsets", limits), "consumer offsets");
  const table = optionalObject(o.offsetTable, "offsetTable");
  const groups = emptyObject<Record<string, Record<string, number>>>();
  for (const key of Object.keys(table)) {
    const at = key.indexOf("@");
    if (at <= 0 || at === key.length - 1) throw new BadReplyError(`offsetTable key ${JSON.stringify(key)} is not topic@group`);
    const topic = key.slice(0, at);
    const group = key.slice(at + 1);
    const offsets = optionalObject(table[key], `offsetTable.${key}`);
    const byQueue = emptyObject<number>();
    for (const queueId of Object.keys(offsets)) byQueue[queueId] = asInteger(offsets[queueId], `offsetTable.${key}.${queueId}`);
    (groups[group] ??= emptyObject())[topic] = byQueue;
  }
  return { groups };
}

export function decodeGroupList(body: Buffer | undefined, limits?: BodyLimits): string[] {
  const o = asObject(parseBody(body, "group list", limits), "group list");
  return asArray(o.groupList, "groupList").map((g) => asString(g, "groupList[]")).sort();
}

export function decodeTopicList(body: Buffer | undefined, limits?: BodyLimits): string[] {
  const o = asObject(parseBody(body, "topic list", limits), "topic list");
  return asArray(o.topicList, "topicList").map((t) => asString(t, "topicList[]")).sort();
}

/** Broker config replies are Java properties text: key=value lines. */
export function decodeProperties(body: Buffer | undefined): Record<string, string> {
  const out = emptyObject<string>();
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
    if (/[=\n\r]/.test(k) || /[\n\r]/.test(v)) throw new RangeError(`broker config entry ${JSON.stringify(k)} cannot be encoded`);
    return `${k}=${v}`;
  });
  return Buffer.from(lines.join("\n") + "\n", "utf8");
}

/**
 * Attributes in create requests are modifications: "+key" sets a value ("-key" removes it).
 * Stored attributes come without the sign; add it where missing.
 */
export function attributeModifications(attributes: Record<string, string> | undefined): Record<string, string> {
  const out = emptyObject<string>();
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

function replicaIdentities(value: JsonValue | undefined, what: string): ReplicaIdentity[] {
  if (value === undefined || value === null) return [];
  return asArray(value, what).map((item, index) => {
    const o = asObject(item, `${what}[${index}]`);
    return {
      brokerId: Number(o.brokerId),
      brokerAddress: asString(o.brokerAddress, `${what}[${index}].brokerAddress`),
      alive: o.alive === true,
    };
  });
}

/** A controller's BrokerReplicasInfo: broker name -> master and sync state set. */
export function decodeBrokerReplicasInfo(body: Buffer | undefined, limits?: BodyLimits): Record<string, ReplicasInfo> {
  const o = asObject(parseBody(body, "broker replicas info", limits), "broker replicas info");
  return nameMap(o.replicasInfoTable, "replicasInfoTable", (value, what): ReplicasInfo => {
    const info = asObject(value, what);
    return {
      masterBrokerId: typeof info.masterBrokerId === "number" ? info.masterBrokerId : undefined,
      masterAddress: typeof info.masterAddress === "string" && info.masterAddress !== "" ? info.masterAddress : undefined,
      masterEpoch: typeof info.masterEpoch === "number" ? info.masterEpoch : undefined,
      inSyncReplicas: replicaIdentities(info.inSyncReplicas, `${what}.inSyncReplicas`),
      notInSyncReplicas: replicaIdentities(info.notInSyncReplicas, `${what}.notInSyncReplicas`),
    };
  });
}
