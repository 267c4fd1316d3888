// Copies topic configs and subscription groups from one broker to another, in batches.

import { isRetriableFailure, RocketMQAdminClient } from "./client";
import { RequestCode } from "./codes";
import type { CallOptions } from "./connection";
import { canonicalJson, JsonValue } from "./fastjson";
import { brokerOwnTopics, isSystemGroup, isSystemTopic } from "./systemNames";
import type { SubscriptionGroupConfig, TopicConfig } from "./types";

/** Each request of a copy: reading a table of ten thousand topics, or applying a batch, takes seconds. */
const defaultTimeoutMs = 60_000;

export interface CopyOptions extends CallOptions {
  /** Topics per UPDATE_AND_CREATE_TOPIC_LIST request. */
  topicBatchSize?: number;
  /** Groups per UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST request. */
  groupBatchSize?: number;
  /** Batches in flight at once on the connection. */
  pipelineDepth?: number;
  /** Told what the first round found to copy, before anything is sent. */
  onPlan?(plan: CopyResult): void;
}

export interface CopyResult {
  topicsCopied: number;
  topicsAlreadyEqual: number;
  groupsCopied: number;
  groupsAlreadyEqual: number;
}

/**
 * Makes the target broker hold every topic and subscription group of the source (system topics
 * aside). Topics and groups the target already has with the same settings are left alone, which
 * also keeps the batch request clear of its "unchanged topic ends the batch" quirk.
 * Idempotent: a second run copies nothing.
 *
 * The client retries every request here but the topic batches (a replayed batch could end early
 * at a topic its first try already applied). A batch that fails transiently is retried by diffing
 * again: the next round reads the target afresh and sends only what it still lacks. The result
 * counts what the first round found to copy.
 */
export async function copyMetadata(
  client: RocketMQAdminClient,
  source: MetadataSource,
  targetAddress: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  let firstPlan: CopyResult | undefined;
  const batchFailures = new Set<unknown>();
  await client.withRetries(
    RequestCode.UPDATE_AND_CREATE_TOPIC_LIST,
    options,
    (signal) =>
      copyRound(client, source, targetAddress, { ...options, signal }, {
        planned: (plan) => {
          if (firstPlan) return;
          firstPlan = plan;
          options.onPlan?.(plan);
        },
        topicBatchFailed: (err) => batchFailures.add(err),
      }),
    // Only topic batches: every other request of a round was already retried by the client.
    (err) => batchFailures.has(err) && isRetriableFailure(err),
  );
  return firstPlan!;
}

/** What a copy compares on one broker. */
export interface BrokerMetadata {
  topics: Record<string, TopicConfig>;
  groups: Record<string, SubscriptionGroupConfig>;
  /** The topics the broker made for its cluster and group: never copied. */
  ownTopics: ReadonlySet<string>;
}

/**
 * A copy's source: the broker's address, or its metadata as readBrokerMetadata read it, so that
 * copies to several targets read the source once.
 */
export type MetadataSource = string | BrokerMetadata;

export async function readBrokerMetadata(client: RocketMQAdminClient, address: string, call: CallOptions = {}): Promise<BrokerMetadata> {
  const timed = { ...call, timeoutMs: call.timeoutMs ?? defaultTimeoutMs };
  const [topics, groups, config] = await Promise.all([client.getAllTopicConfigs(address, timed), client.getAllSubscriptionGroups(address, timed), client.getBrokerConfig(address, timed)]);
  return { topics: topics.topics, groups: groups.groups, ownTopics: brokerOwnTopics(config.brokerClusterName, config.brokerName) };
}

/** What the target lacks of the source: the topics and groups a copy would send. */
export interface CopyPlan {
  topics: TopicConfig[];
  groups: SubscriptionGroupConfig[];
  topicsAlreadyEqual: number;
  groupsAlreadyEqual: number;
}

/** Reads the target (and the source, unless given as read) and compares; sends nothing. */
export async function planMetadataCopy(client: RocketMQAdminClient, source: MetadataSource, targetAddress: string, call: CallOptions = {}): Promise<CopyPlan> {
  const [from, to] = await Promise.all([typeof source === "string" ? readBrokerMetadata(client, source, call) : source, readBrokerMetadata(client, targetAddress, call)]);
  const ownTopics = new Set([...from.ownTopics, ...to.ownTopics]);
  const plan: CopyPlan = { topics: [], groups: [], topicsAlreadyEqual: 0, groupsAlreadyEqual: 0 };
  for (const [name, config] of Object.entries(from.topics)) {
    if (isSystemTopic(name, ownTopics)) continue;
    const existing = to.topics[name];
    if (existing && sameTopicConfig(existing, config)) plan.topicsAlreadyEqual++;
    else plan.topics.push(config);
  }
  for (const [name, config] of Object.entries(from.groups)) {
    if (isSystemGroup(name)) continue;
    const existing = to.groups[name];
    if (existing && canonicalJson(existing as JsonValue) === canonicalJson(config as JsonValue)) plan.groupsAlreadyEqual++;
    else plan.groups.push(config);
  }
  return plan;
}

async function copyRound(
  client: RocketMQAdminClient,
  source: MetadataSource,
  targetAddress: string,
  options: CopyOptions,
  report: { planned(plan: CopyResult): void; topicBatchFailed(err: unknown): void },
): Promise<void> {
  const call: CallOptions = { signal: options.signal, timeoutMs: options.timeoutMs ?? defaultTimeoutMs };
  const { topics: topicsToSend, groups: groupsToSend, topicsAlreadyEqual, groupsAlreadyEqual } = await planMetadataCopy(client, source, targetAddress, call);

  report.planned({ topicsCopied: topicsToSend.length, topicsAlreadyEqual, groupsCopied: groupsToSend.length, groupsAlreadyEqual });

  // Topic and group batches go out side by side: the broker serializes topic updates behind one
  // lock but handles subscription groups on other threads, so their work overlaps.
  const depth = Math.max(1, options.pipelineDepth ?? 2);
  await Promise.all([
    runPipelined(
      chunk(topicsToSend, options.topicBatchSize ?? 2000).map(
        (batch) => () =>
          client.createOrUpdateTopics(targetAddress, batch, call).catch((err: unknown) => {
            report.topicBatchFailed(err);
            throw err;
          }),
      ),
      depth,
    ),
    runPipelined(
      chunk(groupsToSend, options.groupBatchSize ?? 1000).map((batch) => () => client.createOrUpdateSubscriptionGroups(targetAddress, batch, call)),
      depth,
    ),
  ]);
}

export function sameTopicConfig(a: TopicConfig, b: TopicConfig): boolean {
  return (
    a.topicName === b.topicName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    (a.order ?? false) === (b.order ?? false) &&
    (a.topicSysFlag ?? 0) === (b.topicSysFlag ?? 0) &&
    (a.topicFilterType ?? "SINGLE_TAG") === (b.topicFilterType ?? "SINGLE_TAG") &&
    canonicalJson(a.attributes ?? {}) === canonicalJson(b.attributes ?? {})
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs tasks with at most `depth` in flight; the first failure stops new tasks and is thrown. */
async function runPipelined(tasks: Array<() => Promise<void>>, depth: number): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < tasks.length) {
      const task = tasks[next++];
      try {
        await task();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(depth, tasks.length) }, worker));
}
