// broker.conf keys a running broker applies when `updateBrokerConfig` changes them: the broker
// copies every key it receives into its config objects (Configuration.update), but only code that
// reads the field each time it acts sees the new value. Every key here was read from the RocketMQ
// 5.3 sources at its point of use (class and method named beside it); any other key is read once
// at start (a thread, a pool, a file layout built from it) and needs a restart.

/** Key -> where the broker reads it at run time. */
export const runtimeBrokerConfigKeys: Readonly<Record<string, string>> = {
    // BrokerConfig
    namesrvAddr: "BrokerController.updateNamesrvAddr, on the updateNameServerAddrPeriod timer (RocketMQ 4.9.4 and later)",
    brokerPermission: "BrokerController.registerBrokerAll, and updateBrokerConfig re-registers at once",
    autoCreateTopicEnable: "TopicConfigManager.createTopicInSendMessageMethod, per send",
    autoCreateSubscriptionGroup: "SubscriptionGroupManager.findSubscriptionGroupConfig, per pull",
    slaveReadEnable: "PullMessageProcessor, per pull",
    longPollingEnable: "DefaultPullMessageResultHandler and PullRequestHoldService, per pull and per hold cycle",
    shortPollingTimeMills: "DefaultPullMessageResultHandler and PullRequestHoldService, per pull and per hold cycle",
    rejectTransactionMessage: "SendMessageProcessor, per send",
    transactionTimeOut: "TransactionalMessageCheckService.onWaitEnd, per check",
    transactionCheckMax: "TransactionalMessageCheckService.onWaitEnd, per check",
    transactionCheckInterval: "TransactionalMessageCheckService.run, per wait",
    enablePropertyFilter: "PullMessageProcessor and ClientManageProcessor, per request",
    commercialBaseCount: "SendMessageProcessor and PullMessageProcessor, per request",
    // MessageStoreConfig
    deleteWhen: "DefaultMessageStore.isTimeToDelete, per clean-up check",
    fileReservedTime: "DefaultMessageStore.CleanCommitLogService.deleteExpiredFiles, per clean-up check",
    diskMaxUsedSpaceRatio: "DefaultMessageStore.CleanCommitLogService, per clean-up check",
    accessMessageInMemoryMaxRatio: "DefaultMessageStore.getMessage, per read",
    maxTransferBytesOnMessageInMemory: "DefaultMessageStore.isTheBatchFull, per read",
    maxTransferCountOnMessageInMemory: "DefaultMessageStore.isTheBatchFull, per read",
    maxTransferBytesOnMessageInDisk: "DefaultMessageStore.isTheBatchFull, per read",
    maxTransferCountOnMessageInDisk: "DefaultMessageStore.isTheBatchFull, per read",
};

export function isRuntimeBrokerConfigKey(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(runtimeBrokerConfigKeys, key);
}
