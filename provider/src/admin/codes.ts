// Numeric codes of the RocketMQ remoting protocol (RequestCode / ResponseCode in RocketMQ 5.x).

export const RequestCode = {
  UPDATE_AND_CREATE_TOPIC: 17,
  UPDATE_AND_CREATE_TOPIC_LIST: 18,
  GET_ALL_TOPIC_CONFIG: 21,
  GET_ALL_CONSUMER_OFFSET: 43,
  UPDATE_BROKER_CONFIG: 25,
  PUT_KV_CONFIG: 100,
  GET_KV_CONFIG: 101,
  DELETE_KV_CONFIG: 102,
  GET_BROKER_CONFIG: 26,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: 200,
  GET_ALL_SUBSCRIPTIONGROUP_CONFIG: 201,
  GET_TOPIC_STATS_INFO: 202,
  GET_CONSUMER_CONNECTION_LIST: 203,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  DELETE_SUBSCRIPTIONGROUP: 207,
  GET_CONSUME_STATS: 208,
  DELETE_TOPIC_IN_BROKER: 215,
  DELETE_TOPIC_IN_NAMESRV: 216,
  REGISTER_TOPIC_IN_NAMESRV: 217,
  GET_TOPICS_BY_CLUSTER: 224,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST: 225,
  QUERY_TOPIC_CONSUME_BY_WHO: 300,
  ADD_WRITE_PERM_OF_BROKER: 327,
  GET_TOPIC_CONFIG: 351,
  /** ACL 2.0 users and ACLs (RocketMQ 5.3+), kept by each broker on its own. */
  AUTH_CREATE_USER: 3001,
  AUTH_UPDATE_USER: 3002,
  AUTH_DELETE_USER: 3003,
  AUTH_GET_USER: 3004,
  AUTH_LIST_USER: 3005,
  AUTH_CREATE_ACL: 3006,
  AUTH_UPDATE_ACL: 3007,
  AUTH_DELETE_ACL: 3008,
  AUTH_GET_ACL: 3009,
  AUTH_LIST_ACL: 3010,
  /** Controller (RIP-44): its Raft group and who leads it. */
  CONTROLLER_GET_METADATA_INFO: 1005,
  /** Controller (RIP-44): each broker group's master and sync state set (asked of the leader). */
  CONTROLLER_GET_SYNC_STATE_DATA: 1006,
} as const;

export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  /** The broker's store refuses work for now (shutting down, disk full). */
  SERVICE_NOT_AVAILABLE: 14,
  NO_PERMISSION: 16,
  /** A name server's key/value config has no such key. */
  QUERY_NOT_FOUND: 22,
  TOPIC_NOT_EXIST: 17,
  SUBSCRIPTION_NOT_EXIST: 24,
  SUBSCRIPTION_GROUP_NOT_EXIST: 26,
  INVALID_PARAMETER: 29,
  CONSUMER_NOT_ONLINE: 206,
  BROKER_NOT_EXIST: 211,
} as const;

/**
 * Codes this client gives failures that never reached a usable reply (negative, so they never
 * collide with RocketMQ's response codes). Which ones are worth another try:
 *   TIMEOUT, CONNECTION           transient: the same call may succeed on a fresh connection;
 *   BAD_REPLY, INVALID_ARGUMENT   not: the peer or the caller would only say the same again;
 *   REFUSED                       not: the way to the peer refused us (credentials, permission, certificate);
 *   ABORTED                       the caller stopped the call;
 *   a response code (>= 0)        the peer's own answer (e.g. 17 TOPIC_NOT_EXIST).
 */
export const ClientFailureCode = {
  /** The connection could not be opened, broke, or was closed under the call. */
  CONNECTION: -1004,
  /** No reply within the timeout (or the reply could not be read before the deadline). */
  TIMEOUT: -1006,
  /** The caller aborted the call through its AbortSignal. */
  ABORTED: -1007,
  /** A reply arrived but cannot be used: an unreadable frame, or a body that is not what the operation expects. */
  BAD_REPLY: -1008,
  /** The name servers know no such cluster (or none of its brokers is registered). */
  CLUSTER_NOT_FOUND: -1009,
  /** The call's own arguments are invalid (e.g. a timeout out of range); nothing was sent. */
  INVALID_ARGUMENT: -1010,
  /**
   * The connection was refused for a reason no retry cures: the Kubernetes API server refused the
   * credentials or the port-forward permission, or its TLS certificate is not trusted.
   */
  REFUSED: -1011,
} as const;
