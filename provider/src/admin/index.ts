// The RocketMQ admin client: remoting protocol, typed operations, and cluster-level helpers.
export { RocketMQAdminClient, AdminClientOptions } from "./client";
export { RocketMQAdminError } from "./errors";
export { RequestCode, ResponseCode, ClientFailureCode } from "./codes";
export type { CallOptions } from "./connection";
export * from "./types";
export { copyMetadata, CopyOptions, CopyResult, isSystemTopic } from "./metadataCopy";
export {
  createTopicOnCluster,
  deleteTopicOnCluster,
  consumeProgressOnCluster,
  topicPermOnCluster,
  mastersOfCluster,
  ConsumeProgress,
  MasterBroker,
} from "./operations";
