// The RocketMQ admin client: remoting protocol, typed operations, and cluster-level helpers.
export { RocketMQAdminClient, AdminClientOptions, AdminRetryEvent, describeRetry, isRetriableFailure } from "./client";
export { RocketMQAdminError, RocketMQPermissionError } from "./errors";
export { Credentials, signRequest } from "./signing";
export { RequestCode, ResponseCode, ClientFailureCode } from "./codes";
export type { CallOptions } from "./connection";
export * from "./types";
export { BrokerMetadata, copyMetadata, CopyOptions, CopyPlan, CopyResult, MetadataSource, planMetadataCopy, readBrokerMetadata } from "./metadataCopy";
export { isSystemTopic, isSystemGroup, isGroupTopic, brokerOwnTopics } from "./systemNames";
export { RetryPolicy, DEFAULT_RETRY_POLICY } from "./retry";
export {
  createTopicOnCluster,
  deleteTopicOnCluster,
  consumeProgressOnCluster,
  topicPermOnCluster,
  mastersOfCluster,
  ConsumeProgress,
  MasterBroker,
} from "./operations";
