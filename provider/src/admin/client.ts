import type { Connector } from "../connect/connector";
import { DirectTcpConnector } from "../connect/tcp";
import {
  BodyLimits,
  attributeModifications,
  parseBody,
  decodeClusterInfo,
  decodeBrokerReplicasInfo,
  decodeConsumerOffsetTable,
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
import { RocketMQAdminError, RocketMQPermissionError } from "./errors";
import { emptyObject } from "./nameMaps";
import { ParseDeadlineError } from "./fastjson";
import { isLegacyRelease, isUnsupportedRequest } from "./releases";
import { ConnectionPool } from "./pool";
import { Credentials, signRequest } from "./signing";
import { DEFAULT_RETRY_POLICY, GiveUp, RetryEvent, RetryPolicy, withRetry } from "./retry";
import { checkTimeoutMs } from "./timeouts";
import type {
  ClusterInfo,
  ReplicasInfo,
  ConsumerOffsetTable,
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
  /** Default time to wait for each reply, in milliseconds (1 to 86,400,000; 10 s by default). */
  timeoutMs?: number;
  /** Time to open a connection, in milliseconds (1 to 86,400,000; 5 s by default). */
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
  /** An ACL 2.0 user's keys: every request is signed with them (signing.ts); none signs nothing. */
  credentials?: Credentials;
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
 * Every failure of every call is a RocketMQAdminError: the peer's response code, or one of
 * ClientFailureCode (CONNECTION, TIMEOUT, BAD_REPLY, INVALID_ARGUMENT, ABORTED, REFUSED) with the
 * underlying error as its cause.
 */
export class RocketMQAdminClient {
  readonly nameServers: readonly string[];
  private readonly pool: ConnectionPool;
  private readonly defaultTimeoutMs: number;
  private readonly retry: Partial<RetryPolicy> | false;
  private readonly onRetry: ((event: AdminRetryEvent) => void) | undefined;
  /** The protocol version of each peer's last reply (releases.ts): what the peer's release supports. */
  private readonly peerVersions = new Map<string, number>();
  private readonly credentials: Credentials | undefined;

  /** Throws RocketMQAdminError (INVALID_ARGUMENT) when an option is out of range. */
  constructor(options: AdminClientOptions) {
    const list = typeof options.nameServers === "string" ? options.nameServers.split(";") : options.nameServers;
    this.nameServers = (Array.isArray(list) ? list : []).map((a) => String(a).trim()).filter((a) => a !== "");
    if (this.nameServers.length === 0) throw invalidArgument("at least one name server address is required");
    const maxFrameLength = options.maxFrameLength;
    if (maxFrameLength !== undefined && !(Number.isSafeInteger(maxFrameLength) && maxFrameLength >= 4 && maxFrameLength <= 0x7fffffff)) {
      throw invalidArgument(`maxFrameLength must be a whole number of bytes from 4 to ${0x7fffffff}, got ${maxFrameLength}`);
    }
    this.defaultTimeoutMs = checkTimeoutMs(options.timeoutMs ?? 10_000, "timeoutMs");
    this.pool = new ConnectionPool(options.connector ?? new DirectTcpConnector(), {
      connectTimeoutMs: checkTimeoutMs(options.connectTimeoutMs ?? 5000, "connectTimeoutMs"),
      callTimeoutMs: this.defaultTimeoutMs,
      maxFrameLength,
      maxInFlightPerConnection: options.maxInFlightPerConnection ?? 16,
    });
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.onRetry = options.onRetry;
    if (options.credentials !== undefined && !(options.credentials.accessKey && options.credentials.secretKey)) {
      throw invalidArgument("credentials need both an accessKey and a secretKey");
    }
    this.credentials = options.credentials;
  }

  close(): void {
    this.pool.close();
  }

  // ---- controller operations (RIP-44) ----

  /** The address of the controller that leads the Raft group `controllerAddress` belongs to; undefined while none leads. */
  async getControllerLeader(controllerAddress: string, options?: CallOptions): Promise<string | undefined> {
    const { reply } = await this.exchange(controllerAddress, { code: RequestCode.CONTROLLER_GET_METADATA_INFO }, options);
    const leader = reply.extFields?.controllerLeaderAddress;
    return leader === undefined || leader === "" ? undefined : leader;
  }

  /** Each group's master and sync state set, as the controller leader at `leaderAddress` holds them. */
  getSyncStateData(leaderAddress: string, brokerNames: readonly string[], options?: CallOptions): Promise<Record<string, ReplicasInfo>> {
    return this.ask(leaderAddress, () => ({ code: RequestCode.CONTROLLER_GET_SYNC_STATE_DATA, body: Buffer.from(JSON.stringify(brokerNames), "utf8") }), decodeBrokerReplicasInfo, options);
  }

  // ---- name server operations ----

  /** Clusters, their broker groups, and each group's addresses by broker id. */
  getClusterInfo(options?: CallOptions): Promise<ClusterInfo> {
    return this.ask(undefined, () => ({ code: RequestCode.GET_BROKER_CLUSTER_INFO }), decodeClusterInfo, options);
  }

  /** What one name server holds: the brokers registered with it, which may differ from another's. */
  getClusterInfoFrom(nameServerAddress: string, options?: CallOptions): Promise<ClusterInfo> {
    return this.ask(nameServerAddress, () => ({ code: RequestCode.GET_BROKER_CLUSTER_INFO }), decodeClusterInfo, options);
  }

  /** Which broker groups serve a topic, with how many queues and which permission. */
  getTopicRoute(topic: string, options?: CallOptions): Promise<TopicRoute> {
    return this.ask(undefined, () => ({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, extFields: { topic } }), decodeTopicRoute, options);
  }

  /** Topics registered by the brokers of one cluster. */
  getTopicsByCluster(cluster: string, options?: CallOptions): Promise<string[]> {
    return this.ask(undefined, () => ({ code: RequestCode.GET_TOPICS_BY_CLUSTER, extFields: { cluster } }), decodeTopicList, options);
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
    return this.topicCounts(replies, "wipeTopicCount", RequestCode.WIPE_WRITE_PERM_OF_BROKER);
  }

  /** Gives write permission back to a broker group on every name server. */
  async addWritePermOfBroker(brokerName: string, options?: CallOptions): Promise<Record<string, number>> {
    const replies = await this.callEveryNameServer({ code: RequestCode.ADD_WRITE_PERM_OF_BROKER, extFields: { brokerName } }, options);
    return this.topicCounts(replies, "addTopicCount", RequestCode.ADD_WRITE_PERM_OF_BROKER);
  }

  // ---- broker operations ----

  /**
   * Creates a topic on one broker, or updates it when it exists. Attributes (e.g. message.type) are
   * refused, before anything is sent, by a broker of a 4.x release, which has none and would drop them.
   */
  async createOrUpdateTopic(brokerAddress: string, config: TopicConfig, options?: CallOptions): Promise<void> {
    await this.refuseAttributesOnLegacyBroker(brokerAddress, [config], options);
    await this.ask(brokerAddress, () => ({ code: RequestCode.UPDATE_AND_CREATE_TOPIC, extFields: topicHeader(config) }), noBody, options);
  }

  /**
   * Creates or updates many topics in one request (RocketMQ 5.x; a 4.x broker, which lacks the
   * batch request, gets one request per topic).
   * Beware a broker quirk: when any topic in the list already exists with exactly this config,
   * the broker answers success without applying the rest. Send only topics that differ from what
   * the broker has (copyMetadata does).
   */
  async createOrUpdateTopics(brokerAddress: string, configs: TopicConfig[], options?: CallOptions): Promise<void> {
    if (configs.length === 0) return;
    await this.refuseAttributesOnLegacyBroker(brokerAddress, configs, options);
    const sentAsBatch = await this.unlessLegacy(brokerAddress, () =>
      this.ask(brokerAddress, () => ({ code: RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, body: encodeTopicConfigList(configs) }), noBody, options),
    );
    if (!sentAsBatch) for (const config of configs) await this.createOrUpdateTopic(brokerAddress, config, options);
  }

  getAllTopicConfigs(brokerAddress: string, options?: CallOptions): Promise<TopicConfigTable> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_ALL_TOPIC_CONFIG }), decodeTopicConfigTable, options);
  }

  /**
   * One topic's config on this broker; throws a not-found error when the broker has no such topic.
   * A 4.x broker lacks the single-topic read: its whole table is read instead.
   */
  async getTopicConfig(brokerAddress: string, topic: string, options?: CallOptions): Promise<TopicConfig> {
    let config: TopicConfig | undefined;
    const asked = await this.unlessLegacy(brokerAddress, async () => {
      config = await this.ask(
        brokerAddress,
        () => ({ code: RequestCode.GET_TOPIC_CONFIG, extFields: { topic } }),
        (body, limits) => decodeTopicConfig(parseBody(body, "topic config", limits), "topic config"),
        options,
      );
    });
    if (asked) return config!;
    const found = (await this.getAllTopicConfigs(brokerAddress, options)).topics[topic];
    if (found) return found;
    throw new RocketMQAdminError(`GET_ALL_TOPIC_CONFIG at ${brokerAddress}: the broker has no topic ${topic}`, {
      code: ResponseCode.TOPIC_NOT_EXIST,
      address: brokerAddress,
      requestCode: RequestCode.GET_ALL_TOPIC_CONFIG,
    });
  }

  /**
   * Deletes a topic on one broker. A 5.5 broker whose timer wheel is off (timerWheelEnable=false)
   * deletes the topic, then fails on the absent timer store's metrics and answers SYSTEM_ERROR
   * (AdminBrokerProcessor.deleteTopicInBroker's last step): when the topic is gone, that is a delete.
   */
  async deleteTopicInBroker(brokerAddress: string, topic: string, options?: CallOptions): Promise<void> {
    try {
      await this.ask(brokerAddress, () => ({ code: RequestCode.DELETE_TOPIC_IN_BROKER, extFields: { topic } }), noBody, options);
    } catch (err) {
      const timerStoreAbsent = err instanceof RocketMQAdminError && err.code === ResponseCode.SYSTEM_ERROR && /getTimerMessageStore\(\)/.test(err.remark ?? "");
      if (!timerStoreAbsent || (await this.getAllTopicConfigs(brokerAddress, options)).topics[topic]) throw err;
    }
  }

  async createOrUpdateSubscriptionGroup(brokerAddress: string, config: SubscriptionGroupConfig, options?: CallOptions): Promise<void> {
    await this.ask(
      brokerAddress,
      () => ({ code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, body: Buffer.from(JSON.stringify(config), "utf8") }),
      noBody,
      options,
    );
  }

  /** Creates or updates many subscription groups in one request (RocketMQ 5.x; a 4.x broker gets one request per group). */
  async createOrUpdateSubscriptionGroups(brokerAddress: string, configs: SubscriptionGroupConfig[], options?: CallOptions): Promise<void> {
    if (configs.length === 0) return;
    const sentAsBatch = await this.unlessLegacy(brokerAddress, () =>
      this.ask(
        brokerAddress,
        () => ({ code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST, body: encodeSubscriptionGroupList(configs) }),
        noBody,
        options,
      ),
    );
    if (!sentAsBatch) for (const config of configs) await this.createOrUpdateSubscriptionGroup(brokerAddress, config, options);
  }

  getAllSubscriptionGroups(brokerAddress: string, options?: CallOptions): Promise<SubscriptionGroupTable> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG }), decodeSubscriptionGroupTable, options);
  }

  /** Deletes a subscription group; with cleanOffset its consumer offsets go too. */
  async deleteSubscriptionGroup(brokerAddress: string, groupName: string, cleanOffset = false, options?: CallOptions): Promise<void> {
    await this.ask(
      brokerAddress,
      () => ({ code: RequestCode.DELETE_SUBSCRIPTIONGROUP, extFields: { groupName, cleanOffset: String(cleanOffset) } }),
      noBody,
      options,
    );
  }

  /** The group's clients connected to this broker now; none when the broker answers that no consumer is online. */
  async getConsumerConnections(brokerAddress: string, consumerGroup: string, options?: CallOptions): Promise<ConsumerClient[]> {
    try {
      return await this.ask(brokerAddress, () => ({ code: RequestCode.GET_CONSUMER_CONNECTION_LIST, extFields: { consumerGroup } }), decodeConsumerConnections, options);
    } catch (err) {
      if (err instanceof RocketMQAdminError && err.code === ResponseCode.CONSUMER_NOT_ONLINE) return [];
      throw err;
    }
  }

  /** Per queue: the broker's offset, the group's offset, and the lag between them. */
  getConsumeStats(brokerAddress: string, consumerGroup: string, topic?: string, options?: CallOptions): Promise<ConsumeStats> {
    const extFields: Record<string, string> = { consumerGroup };
    if (topic !== undefined) extFields.topic = topic;
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_CONSUME_STATS, extFields }), decodeConsumeStats, options);
  }

  /** Every consumer offset the broker stores, by group and topic (read by a drain to tell groups that never consumed). */
  getAllConsumerOffsets(brokerAddress: string, options?: CallOptions): Promise<ConsumerOffsetTable> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_ALL_CONSUMER_OFFSET }), decodeConsumerOffsetTable, options);
  }

  /** Groups that consume a topic on this broker (online consumers and stored offsets). */
  queryTopicConsumeByWho(brokerAddress: string, topic: string, options?: CallOptions): Promise<string[]> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, extFields: { topic } }), decodeGroupList, options);
  }

  /** Min and max offsets of each of the topic's queues on this broker. */
  getTopicStats(brokerAddress: string, topic: string, options?: CallOptions): Promise<TopicStats> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_TOPIC_STATS_INFO, extFields: { topic } }), decodeTopicStats, options);
  }

  getBrokerConfig(brokerAddress: string, options?: CallOptions): Promise<Record<string, string>> {
    return this.ask(brokerAddress, () => ({ code: RequestCode.GET_BROKER_CONFIG }), decodeProperties, options);
  }

  /** Changes broker settings at run time (e.g. namesrvAddr, brokerPermission). */
  async updateBrokerConfig(brokerAddress: string, properties: Record<string, string>, options?: CallOptions): Promise<void> {
    await this.ask(brokerAddress, () => ({ code: RequestCode.UPDATE_BROKER_CONFIG, body: encodeProperties(properties) }), noBody, options);
  }

  // ---- plumbing ----

  /**
   * Sends one request and returns the successful reply; any other outcome throws a
   * RocketMQAdminError. Transient failures are retried (see SENT_ONCE for the request that is not).
   */
  async call(address: string, request: OutgoingRequest, options?: CallOptions): Promise<RemotingCommand> {
    return (await this.exchange(address, request, options)).reply;
  }

  /** Sends one request to every name server; all must succeed. Replies by name server address. */
  async callEveryNameServer(request: OutgoingRequest, options?: CallOptions): Promise<Record<string, RemotingCommand>> {
    const replies = await Promise.all(this.nameServers.map((address) => this.call(address, request, options)));
    const byAddress = emptyObject<RemotingCommand>();
    this.nameServers.forEach((address, i) => (byAddress[address] = replies[i]));
    return byAddress;
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

  /**
   * One operation end to end: builds the request (a throw there is the caller's INVALID_ARGUMENT),
   * sends it to the broker at `address` or to the name servers, and decodes the reply before the
   * call's deadline (a throw there is BAD_REPLY).
   */
  private async ask<T>(address: string | undefined, build: () => OutgoingRequest, decoder: Decoder<T>, options?: CallOptions): Promise<T> {
    let request: OutgoingRequest;
    try {
      request = build();
    } catch (err) {
      throw invalidArgument(`cannot encode the request: ${(err as Error).message}`, err);
    }
    const { reply, deadline, from } = address === undefined ? await this.exchangeWithNameServer(request, options) : await this.exchange(address, request, options);
    try {
      return decoder(reply.body, { deadline });
    } catch (err) {
      const timedOut = err instanceof ParseDeadlineError;
      throw new RocketMQAdminError(`${requestName(request.code)} at ${from}: ${(err as Error).message}`, {
        code: timedOut ? ClientFailureCode.TIMEOUT : ClientFailureCode.BAD_REPLY,
        address: from,
        requestCode: request.code,
        cause: err,
      });
    }
  }

  /** A request to one address, retried as the policy says. */
  private exchange(address: string, request: OutgoingRequest, options?: CallOptions): Promise<Exchange> {
    const timeoutMs = this.timeoutOf(options);
    return this.retrying(request, options, (signal) => this.send(address, request, { ...options, signal, timeoutMs }));
  }

  /**
   * Asks the name servers in turn until one answers. A RocketMQ error reply (e.g. unknown topic)
   * is an answer; only failures to get a usable reply move on to the next name server.
   */
  private exchangeWithNameServer(request: OutgoingRequest, options?: CallOptions): Promise<Exchange> {
    const timeoutMs = this.timeoutOf(options);
    // Each attempt tries every name server once, so one that is down costs no retry deadline.
    return this.retrying(request, options, async (signal) => {
      let lastFailure: unknown;
      for (const address of this.nameServers) {
        try {
          return await this.send(address, request, { ...options, signal, timeoutMs });
        } catch (err) {
          if (!(err instanceof RocketMQAdminError) || !TRY_NEXT_NAME_SERVER.has(err.code)) throw err;
          lastFailure = err;
        }
      }
      throw lastFailure;
    });
  }

  private retrying<T>(request: OutgoingRequest, options: CallOptions | undefined, attempt: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    if (SENT_ONCE.has(request.code)) return attempt(options?.signal);
    return this.withRetries(request.code, options, attempt);
  }

  /** The call's timeout, checked before anything is sent. */
  private timeoutOf(options?: CallOptions): number {
    return checkTimeoutMs(options?.timeoutMs ?? this.defaultTimeoutMs, "timeoutMs");
  }

  /** One attempt: waits for a turn on the connection, sends, checks the reply's code. */
  private async send(address: string, request: OutgoingRequest, options: CallOptions & { timeoutMs: number }): Promise<Exchange> {
    let reply: RemotingCommand;
    let deadline: number;
    try {
      const release = await this.pool.acquireTurn(address, options.signal);
      try {
        const connection = await this.pool.get(address, options.signal);
        deadline = Date.now() + options.timeoutMs;
        try {
          // Signed last, over the request exactly as it goes out.
          reply = await connection.invoke(this.credentials ? signRequest(request, this.credentials) : request, options);
        } catch (err) {
          // A connection that let a reply time out may be stuck (a half-open socket, a hung
          // port-forward stream): drop it, as RocketMQ's own client does, so a retry opens a fresh one.
          if (err instanceof RocketMQAdminError && err.isTimeout()) connection.close();
          throw err;
        }
      } finally {
        release();
      }
    } catch (err) {
      if (err instanceof RocketMQAdminError) throw err;
      throw new RocketMQAdminError(`${requestName(request.code)} at ${address} failed: ${(err as Error)?.message ?? String(err)}`, {
        code: ClientFailureCode.CONNECTION,
        address,
        requestCode: request.code,
        cause: err,
      });
    }
    if (typeof reply.version === "number") this.peerVersions.set(address, reply.version);
    if (reply.code < 0) {
      // RocketMQ's response codes are never negative; passing one on would pose as one of this
      // client's own failure codes (a peer's -1006 would read as a timeout and be retried).
      throw new RocketMQAdminError(`${requestName(request.code)} at ${address}: reply has response code ${reply.code}, which RocketMQ never sends`, {
        code: ClientFailureCode.BAD_REPLY,
        remark: reply.remark,
        address,
        requestCode: request.code,
      });
    }
    if (reply.code === ResponseCode.NO_PERMISSION) {
      throw new RocketMQPermissionError(requestName(request.code), this.credentials?.accessKey, { remark: reply.remark, address, requestCode: request.code });
    }
    if (reply.code !== ResponseCode.SUCCESS) {
      throw new RocketMQAdminError(`${requestName(request.code)} at ${address} failed with code ${reply.code}${reply.remark ? `: ${reply.remark}` : ""}`, {
        code: reply.code,
        remark: reply.remark,
        address,
        requestCode: request.code,
      });
    }
    return { reply, deadline, from: address };
  }

  /**
   * The protocol version of the peer at `address` (releases.ts): that of its last reply, or of its
   * reply to `probe`, a read it answers, when none came yet.
   */
  async protocolVersionOf(address: string, probe: OutgoingRequest, options?: CallOptions): Promise<number | undefined> {
    if (!this.peerVersions.has(address)) await this.call(address, probe, options);
    return this.peerVersions.get(address);
  }

  /**
   * Runs a request a 4.x release lacks, unless the peer is known to be one; false when it is, or
   * when the peer answered that it does not know the request (it did nothing then), so the caller
   * takes the older way.
   */
  private async unlessLegacy(address: string, request: () => Promise<unknown>): Promise<boolean> {
    if (isLegacyRelease(this.peerVersions.get(address))) return false;
    try {
      await request();
      return true;
    } catch (err) {
      if (isUnsupportedRequest(err)) return false;
      throw err;
    }
  }

  /** Refuses topic attributes for a broker of a 4.x release, asking its version first when no reply told it yet. */
  private async refuseAttributesOnLegacyBroker(address: string, configs: TopicConfig[], options?: CallOptions): Promise<void> {
    const withAttributes = configs.filter((c) => Object.keys(c.attributes ?? {}).length > 0);
    if (withAttributes.length === 0) return;
    const version = await this.protocolVersionOf(address, { code: RequestCode.GET_BROKER_CONFIG }, options);
    if (!isLegacyRelease(version)) return;
    const [first] = withAttributes;
    throw invalidArgument(
      `topic ${first.topicName}: attributes (${Object.keys(first.attributes!).join(", ")}) need RocketMQ 5.0 or later; ` +
        `the broker at ${address} runs a 4.x release (protocol version ${version}), which has no topic attributes`,
    );
  }

  /** The topic count each name server reports in a header field. */
  private topicCounts(replies: Record<string, RemotingCommand>, field: string, requestCode: number): Record<string, number> {
    const counts = emptyObject<number>();
    for (const address of Object.keys(replies)) {
      const text = replies[address].extFields?.[field] ?? "0";
      if (!/^\d{1,9}$/.test(text)) {
        throw new RocketMQAdminError(`${requestName(requestCode)} at ${address}: ${field} ${JSON.stringify(text)} is not a count`, {
          code: ClientFailureCode.BAD_REPLY,
          address,
          requestCode,
        });
      }
      counts[address] = Number(text);
    }
    return counts;
  }
}

/** A successful reply, the deadline its reading must meet, and the address it came from. */
interface Exchange {
  reply: RemotingCommand;
  deadline: number;
  from: string;
}

type Decoder<T> = (body: Buffer | undefined, limits: BodyLimits) => T;

/** For operations whose reply carries nothing to read. */
function noBody(): void {}

/** Failures that say nothing about the other name servers, so the next one is asked. */
const TRY_NEXT_NAME_SERVER: ReadonlySet<number> = new Set([ClientFailureCode.CONNECTION, ClientFailureCode.TIMEOUT, ClientFailureCode.BAD_REPLY]);

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

function invalidArgument(message: string, cause?: unknown): RocketMQAdminError {
  return new RocketMQAdminError(message, { code: ClientFailureCode.INVALID_ARGUMENT, cause });
}

/** The header of UPDATE_AND_CREATE_TOPIC. */
function topicHeader(config: TopicConfig): Record<string, string> {
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
  return extFields;
}
