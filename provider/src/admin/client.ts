import type { Connector } from "../connect/connector";
import { DirectTcpConnector } from "../connect/tcp";
import {
  BadReplyError,
  attributeModifications,
  parseBody,
  decodeClusterInfo,
  decodeConsumeStats,
  decodeGroupList,
  decodeProperties,
  decodeSubscriptionGroupTable,
  decodeTopicConfig,
  decodeTopicConfigTable,
  decodeTopicList,
  decodeTopicRoute,
  decodeTopicStats,
  encodeProperties,
  encodeSubscriptionGroupList,
  encodeTopicConfigList,
} from "./bodies";
import type { RemotingCommand } from "./codec";
import { decodeConsumerConnections } from "./consumerConnection";
import { ClientFailureCode, RequestCode, ResponseCode } from "./codes";
import type { CallOptions, OutgoingRequest } from "./connection";
import { RocketMQAdminError } from "./errors";
import { ConnectionPool } from "./pool";
import { DEFAULT_RETRY_POLICY, GiveUp, RetryEvent, RetryPolicy, withRetry } from "./retry";
import type {
  ClusterInfo,
  ConsumeStats,
  ConsumerClient,
  SubscriptionGroupConfig,
  SubscriptionGroupTable,
  TopicConfig,
  TopicConfigTable,
  TopicRoute,
  TopicStats,
} from "./types";

export interface AdminClientOptions {
  /** Name server addresses, as a list or RocketMQ's "host:port;host:port" form. */
  nameServers: string[] | string;
  /** How addresses are reached; direct TCP by default. */
  connector?: Connector;
  /** Default time to wait for each reply, in milliseconds. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Largest frame accepted from a peer. */
  maxFrameLength?: number;
  /** How transient failures are retried (admin/retry.ts); false sends every request once. */
  retry?: Partial<RetryPolicy> | false;
  /** Told about every retry, e.g. to log it (describeRetry words it). */
  onRetry?: (event: AdminRetryEvent) => void;
  /**
   * Requests in flight at once on one connection. 16 matches the threads a broker gives admin
   * requests and a name server gives all requests by default (adminBrokerThreadPoolNums,
   * defaultThreadPoolNums): more would only queue inside the peer, where they can time out.
   */
  maxInFlightPerConnection?: number;
}

export interface AdminRetryEvent extends RetryEvent {
  /** The request's name, e.g. GET_CONSUME_STATS. */
  request: string;
}

/** One line for a log: which request, where, why, and when the next attempt goes. */
export function describeRetry(event: AdminRetryEvent): string {
  const cause = event.error instanceof Error ? event.error.message : String(event.error);
  return `${event.request} failed (${cause}); attempt ${event.attempt + 1} of ${event.maxAttempts} in ${(event.delayMs / 1000).toFixed(1)} s`;
}

/**
 * Requests sent once, never again after a failure. Every other request this client sends has the
 * same effect when it arrives twice (a reply lost after the peer acted is then harmless):
 * - reads (GET_*, QUERY_*) change nothing;
 * - UPDATE_AND_CREATE_TOPIC, ..._SUBSCRIPTIONGROUP(_LIST), UPDATE_BROKER_CONFIG, PUT_KV_CONFIG and
 *   REGISTER_TOPIC_IN_NAMESRV set a value to what the request carries;
 * - DELETE_TOPIC_IN_BROKER, DELETE_TOPIC_IN_NAMESRV, DELETE_SUBSCRIPTIONGROUP and DELETE_KV_CONFIG
 *   answer success for what is already gone;
 * - WIPE_/ADD_WRITE_PERM_OF_BROKER set a permission (only the count in the reply differs).
 * UPDATE_AND_CREATE_TOPIC_LIST is the exception: a broker that finds a topic of the list already
 * equal answers success without applying the rest, so replaying a batch that partly landed would
 * report the rest as done. copyMetadata retries it by diffing again (metadataCopy.ts).
 */
const SENT_ONCE: ReadonlySet<number> = new Set([RequestCode.UPDATE_AND_CREATE_TOPIC_LIST]);

const REQUEST_NAMES: Record<number, string> = Object.fromEntries(Object.entries(RequestCode).map(([name, code]) => [code, name]));

/**
 * A RocketMQ admin client speaking the remoting protocol. Name server operations take no address;
 * broker operations take the broker address the name server reports (e.g. a group's master).
 * Every failure is a RocketMQAdminError.
 */
export class RocketMQAdminClient {
  readonly nameServers: readonly string[];
  private readonly pool: ConnectionPool;
  private readonly retry: Partial<RetryPolicy> | false;
  private readonly onRetry: ((event: AdminRetryEvent) => void) | undefined;

  constructor(options: AdminClientOptions) {
    const list = typeof options.nameServers === "string" ? options.nameServers.split(";") : options.nameServers;
    this.nameServers = list.map((a) => a.trim()).filter((a) => a !== "");
    if (this.nameServers.length === 0) throw new Error("at least one name server address is required");
    this.pool = new ConnectionPool(options.connector ?? new DirectTcpConnector(), {
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      callTimeoutMs: options.timeoutMs ?? 10_000,
      maxFrameLength: options.maxFrameLength,
      maxInFlightPerConnection: options.maxInFlightPerConnection ?? 16,
    });
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.onRetry = options.onRetry;
  }

  close(): void {
    this.pool.close();
  }

  // ---- name server operations ----

  /** Clusters, their broker groups, and each group's addresses by broker id. */
  async getClusterInfo(options?: CallOptions): Promise<ClusterInfo> {
    const reply = await this.callNameServer({ code: RequestCode.GET_BROKER_CLUSTER_INFO }, options);
    return this.decode(reply, decodeClusterInfo, RequestCode.GET_BROKER_CLUSTER_INFO);
  }

  /** Which broker groups serve a topic, with how many queues and which permission. */
  async getTopicRoute(topic: string, options?: CallOptions): Promise<TopicRoute> {
    const reply = await this.callNameServer({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, extFields: { topic } }, options);
    return this.decode(reply, decodeTopicRoute, RequestCode.GET_ROUTEINFO_BY_TOPIC);
  }

  /** Topics registered by the brokers of one cluster. */
  async getTopicsByCluster(cluster: string, options?: CallOptions): Promise<string[]> {
    const reply = await this.callNameServer({ code: RequestCode.GET_TOPICS_BY_CLUSTER, extFields: { cluster } }, options);
    return this.decode(reply, decodeTopicList, RequestCode.GET_TOPICS_BY_CLUSTER);
  }

  /** Removes a topic's route from every name server (for one cluster's brokers when given). */
  async deleteTopicInNameServers(topic: string, clusterName?: string, options?: CallOptions): Promise<void> {
    const extFields: Record<string, string> = { topic };
    if (clusterName !== undefined) extFields.clusterName = clusterName;
    await this.callEveryNameServer({ code: RequestCode.DELETE_TOPIC_IN_NAMESRV, extFields }, options);
  }

  /**
   * Takes write permission away from a broker group on every name server, so producers stop
   * sending to it. Returns how many topics each name server changed.
   */
  async wipeWritePermOfBroker(brokerName: string, options?: CallOptions): Promise<Record<string, number>> {
    const replies = await this.callEveryNameServer({ code: RequestCode.WIPE_WRITE_PERM_OF_BROKER, extFields: { brokerName } }, options);
    return mapValues(replies, (r) => Number(r.extFields?.wipeTopicCount ?? 0));
  }

  /** Gives write permission back to a broker group on every name server. */
  async addWritePermOfBroker(brokerName: string, options?: CallOptions): Promise<Record<string, number>> {
    const replies = await this.callEveryNameServer({ code: RequestCode.ADD_WRITE_PERM_OF_BROKER, extFields: { brokerName } }, options);
    return mapValues(replies, (r) => Number(r.extFields?.addTopicCount ?? 0));
  }

  // ---- broker operations ----

  /** Creates a topic on one broker, or updates it when it exists. */
  async createOrUpdateTopic(brokerAddress: string, config: TopicConfig, options?: CallOptions): Promise<void> {
    const extFields: Record<string, string> = {
      topic: config.topicName,
      defaultTopic: "TBW102",
      readQueueNums: String(config.readQueueNums),
      writeQueueNums: String(config.writeQueueNums),
      perm: String(config.perm),
      topicFilterType: config.topicFilterType ?? "SINGLE_TAG",
      topicSysFlag: String(config.topicSysFlag ?? 0),
      order: String(config.order ?? false),
    };
    const attributes = Object.entries(attributeModifications(config.attributes));
    if (attributes.length > 0) extFields.attributes = attributes.map(([k, v]) => (k.startsWith("-") ? k : `${k}=${v}`)).join(",");
    await this.callBroker(brokerAddress, { code: RequestCode.UPDATE_AND_CREATE_TOPIC, extFields }, options);
  }

  /**
   * Creates or updates many topics in one request (RocketMQ 5.x).
   * Beware a broker quirk: when any topic in the list already exists with exactly this config,
   * the broker answers success without applying the rest. Send only topics that differ from what
   * the broker has (copyMetadata does).
   */
  async createOrUpdateTopics(brokerAddress: string, configs: TopicConfig[], options?: CallOptions): Promise<void> {
    if (configs.length === 0) return;
    await this.callBroker(
      brokerAddress,
      { code: RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, body: encodeTopicConfigList(configs) },
      options,
    );
  }

  async getAllTopicConfigs(brokerAddress: string, options?: CallOptions): Promise<TopicConfigTable> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_ALL_TOPIC_CONFIG }, options);
    return this.decode(reply, decodeTopicConfigTable, RequestCode.GET_ALL_TOPIC_CONFIG, brokerAddress);
  }

  /** One topic's config on this broker (RocketMQ 5.x); throws a not-found error when the broker has no such topic. */
  async getTopicConfig(brokerAddress: string, topic: string, options?: CallOptions): Promise<TopicConfig> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_TOPIC_CONFIG, extFields: { topic } }, options);
    return this.decode(reply, (body) => decodeTopicConfig(parseBody(body, "topic config"), "topic config"), RequestCode.GET_TOPIC_CONFIG, brokerAddress);
  }

  async deleteTopicInBroker(brokerAddress: string, topic: string, options?: CallOptions): Promise<void> {
    await this.callBroker(brokerAddress, { code: RequestCode.DELETE_TOPIC_IN_BROKER, extFields: { topic } }, options);
  }

  async createOrUpdateSubscriptionGroup(brokerAddress: string, config: SubscriptionGroupConfig, options?: CallOptions): Promise<void> {
    await this.callBroker(
      brokerAddress,
      { code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, body: Buffer.from(JSON.stringify(config), "utf8") },
      options,
    );
  }

  /** Creates or updates many subscription groups in one request (RocketMQ 5.x). */
  async createOrUpdateSubscriptionGroups(brokerAddress: string, configs: SubscriptionGroupConfig[], options?: CallOptions): Promise<void> {
    if (configs.length === 0) return;
    await this.callBroker(
      brokerAddress,
      { code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST, body: encodeSubscriptionGroupList(configs) },
      options,
    );
  }

  async getAllSubscriptionGroups(brokerAddress: string, options?: CallOptions): Promise<SubscriptionGroupTable> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG }, options);
    return this.decode(reply, decodeSubscriptionGroupTable, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, brokerAddress);
  }

  /** Deletes a subscription group; with cleanOffset its consumer offsets go too. */
  async deleteSubscriptionGroup(brokerAddress: string, groupName: string, cleanOffset = false, options?: CallOptions): Promise<void> {
    await this.callBroker(
      brokerAddress,
      { code: RequestCode.DELETE_SUBSCRIPTIONGROUP, extFields: { groupName, cleanOffset: String(cleanOffset) } },
      options,
    );
  }

  /** The group's clients connected to this broker now; none when the broker answers that no consumer is online. */
  async getConsumerConnections(brokerAddress: string, consumerGroup: string, options?: CallOptions): Promise<ConsumerClient[]> {
    try {
      const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_CONSUMER_CONNECTION_LIST, extFields: { consumerGroup } }, options);
      return this.decode(reply, decodeConsumerConnections, RequestCode.GET_CONSUMER_CONNECTION_LIST, brokerAddress);
    } catch (err) {
      if (err instanceof RocketMQAdminError && err.code === ResponseCode.CONSUMER_NOT_ONLINE) return [];
      throw err;
    }
  }

  /** Per queue: the broker's offset, the group's offset, and the lag between them. */
  async getConsumeStats(brokerAddress: string, consumerGroup: string, topic?: string, options?: CallOptions): Promise<ConsumeStats> {
    const extFields: Record<string, string> = { consumerGroup };
    if (topic !== undefined) extFields.topic = topic;
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_CONSUME_STATS, extFields }, options);
    return this.decode(reply, decodeConsumeStats, RequestCode.GET_CONSUME_STATS, brokerAddress);
  }

  /** Groups that consume a topic on this broker (online consumers and stored offsets). */
  async queryTopicConsumeByWho(brokerAddress: string, topic: string, options?: CallOptions): Promise<string[]> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, extFields: { topic } }, options);
    return this.decode(reply, decodeGroupList, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, brokerAddress);
  }

  /** Min and max offsets of each of the topic's queues on this broker. */
  async getTopicStats(brokerAddress: string, topic: string, options?: CallOptions): Promise<TopicStats> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_TOPIC_STATS_INFO, extFields: { topic } }, options);
    return this.decode(reply, decodeTopicStats, RequestCode.GET_TOPIC_STATS_INFO, brokerAddress);
  }

  async getBrokerConfig(brokerAddress: string, options?: CallOptions): Promise<Record<string, string>> {
    const reply = await this.callBroker(brokerAddress, { code: RequestCode.GET_BROKER_CONFIG }, options);
    return decodeProperties(reply.body);
  }

  /** Changes broker settings at run time (e.g. namesrvAddr, brokerPermission). */
  async updateBrokerConfig(brokerAddress: string, properties: Record<string, string>, options?: CallOptions): Promise<void> {
    await this.callBroker(brokerAddress, { code: RequestCode.UPDATE_BROKER_CONFIG, body: encodeProperties(properties) }, options);
  }

  // ---- plumbing ----

  /**
   * Sends one request and returns the successful reply; any other outcome throws. Transient
   * failures are retried (see SENT_ONCE for the request that is not).
   */
  call(address: string, request: OutgoingRequest, options?: CallOptions): Promise<RemotingCommand> {
    return this.retrying(request, options, (signal) => this.send(address, request, { ...options, signal }));
  }

  /** One attempt: waits for a turn on the connection, sends, checks the reply's code. */
  private async send(address: string, request: OutgoingRequest, options: CallOptions): Promise<RemotingCommand> {
    const release = await this.pool.acquireTurn(address, options.signal);
    let reply: RemotingCommand;
    try {
      const connection = await this.pool.get(address, options.signal);
      try {
        reply = await connection.invoke(request, options);
      } catch (err) {
        // A connection that let a reply time out may be stuck (a half-open socket, a hung
        // port-forward stream): drop it, as RocketMQ's own client does, so a retry opens a fresh one.
        if (err instanceof RocketMQAdminError && err.isTimeout()) connection.close();
        throw err;
      }
    } finally {
      release();
    }
    if (reply.code !== ResponseCode.SUCCESS) {
      const name = requestName(request.code);
      throw new RocketMQAdminError(`${name} at ${address} failed with code ${reply.code}${reply.remark ? `: ${reply.remark}` : ""}`, {
        code: reply.code,
        remark: reply.remark,
        address,
        requestCode: request.code,
      });
    }
    return reply;
  }

  /**
   * Runs `attempt` under this client's retry policy, retries logged under the request's name. For
   * callers that make a request safe to repeat themselves (copyMetadata diffs again).
   */
  withRetries<T>(
    requestCode: number,
    options: CallOptions | undefined,
    attempt: (signal?: AbortSignal) => Promise<T>,
    retriable: (err: unknown) => boolean = isRetriableFailure,
  ): Promise<T> {
    if (this.retry === false) return attempt(options?.signal);
    const request = requestName(requestCode);
    return withRetry(attempt, {
      ...this.retry,
      signal: options?.signal,
      isRetriable: retriable,
      onRetry: this.onRetry && ((event) => this.onRetry?.({ ...event, request })),
      giveUp: (last, outcome) => gaveUp(request, last, outcome),
    });
  }

  private retrying<T>(request: OutgoingRequest, options: CallOptions | undefined, attempt: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    if (SENT_ONCE.has(request.code)) return attempt(options?.signal);
    return this.withRetries(request.code, options, attempt);
  }

  private callBroker(address: string, request: OutgoingRequest, options?: CallOptions): Promise<RemotingCommand> {
    return this.call(address, request, options);
  }

  /**
   * Asks the name servers in turn until one answers. A RocketMQ error reply (e.g. unknown topic)
   * is an answer; only failures to get any reply move on to the next name server.
   */
  private callNameServer(request: OutgoingRequest, options?: CallOptions): Promise<RemotingCommand> {
    // Each attempt tries every name server once, so one that is down costs no retry deadline.
    return this.retrying(request, options, async (signal) => {
      let lastFailure: unknown;
      for (const address of this.nameServers) {
        try {
          return await this.send(address, request, { ...options, signal });
        } catch (err) {
          if (!(err instanceof RocketMQAdminError) || err.code >= 0 || err.code === ClientFailureCode.ABORTED) throw err;
          lastFailure = err;
        }
      }
      throw lastFailure;
    });
  }

  /** Sends one request to every name server; all must succeed. Replies by name server address. */
  async callEveryNameServer(request: OutgoingRequest, options?: CallOptions): Promise<Record<string, RemotingCommand>> {
    const replies = await Promise.all(this.nameServers.map((address) => this.call(address, request, options)));
    return Object.fromEntries(this.nameServers.map((address, i) => [address, replies[i]]));
  }

  private decode<T>(reply: RemotingCommand, decoder: (body: Buffer | undefined) => T, requestCode: number, address?: string): T {
    try {
      return decoder(reply.body);
    } catch (err) {
      if (!(err instanceof BadReplyError)) throw err;
      throw new RocketMQAdminError(`${REQUEST_NAMES[requestCode]}: ${err.message}`, {
        code: ClientFailureCode.BAD_REPLY,
        address,
        requestCode,
        cause: err,
      });
    }
  }
}

/** A failure another attempt may cure (RocketMQAdminError.isRetriable). */
export function isRetriableFailure(err: unknown): err is RocketMQAdminError {
  return err instanceof RocketMQAdminError && err.isRetriable();
}

function requestName(code: number): string {
  return REQUEST_NAMES[code] ?? `request ${code}`;
}

/** The last failure, naming the request and how long it was retried; still a RocketMQAdminError with its code. */
function gaveUp(request: string, last: unknown, outcome: GiveUp): unknown {
  if (!(last instanceof RocketMQAdminError)) return last;
  const why = outcome.deadlinePassed ? "the retry deadline passed" : "no attempts left";
  const what = last.message.includes(request) ? last.message : `${request}: ${last.message}`;
  return new RocketMQAdminError(`${what} (tried ${outcome.attempts} times over ${(outcome.elapsedMs / 1000).toFixed(1)} s; ${why})`, {
    code: last.code,
    remark: last.remark,
    address: last.address,
    requestCode: last.requestCode,
    cause: last,
  });
}

function mapValues<A, B>(record: Record<string, A>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}
