// What a topic transfer needs from RocketMQ, at the level of broker groups, topics and consumer
// groups. The real implementation speaks the admin protocol (admin/transferOperations.ts); unit
// tests hand the steps an in-memory one.
import type { SubscriptionGroupConfig, TopicConfig } from "../admin/types";

/** The master of one broker group, as the name servers report it. */
export interface BrokerRef {
    cluster: string;
    brokerName: string;
    address: string;
}

export interface TransferAdmin {
    /**
     * The masters a name stands for: every group of a broker cluster, or one broker group.
     * Undefined when the name servers know neither.
     */
    resolveBrokers(clusterOrGroup: string): Promise<BrokerRef[] | undefined>;
    /** Masters by broker group name (to find brokers again after a restart). */
    brokersNamed(brokerNames: string[]): Promise<BrokerRef[]>;

    /** Configs of the named topics on each broker, by broker name then topic (absent topics left out). */
    topicConfigs(brokers: BrokerRef[], topicNames: string[]): Promise<Record<string, Record<string, TopicConfig>>>;
    /** Creates or updates a topic on every broker; the brokers register it with the name servers. */
    putTopic(brokers: BrokerRef[], config: TopicConfig): Promise<void>;
    /** Deletes a topic on the brokers and their routes on the name servers; other brokers keep theirs. */
    deleteTopic(brokers: BrokerRef[], topic: string): Promise<void>;
    /** Messages stored in the topic on these brokers (sum over queues of max - min offset). */
    messageCount(brokers: BrokerRef[], topic: string): Promise<number>;

    /** Subscription groups on each broker, by broker name then group name (only the names asked for). */
    subscriptionGroups(brokers: BrokerRef[], groupNames: string[]): Promise<Record<string, Record<string, SubscriptionGroupConfig>>>;
    putGroups(brokers: BrokerRef[], configs: SubscriptionGroupConfig[]): Promise<void>;
    /** Deletes subscription groups, keeping their consumer offsets so a restore loses nothing. */
    deleteGroups(brokers: BrokerRef[], groupNames: string[]): Promise<void>;
    /** Whether the broker creates a subscription group for any request that names it (autoCreateSubscriptionGroup). */
    createsGroupsOnDemand(broker: BrokerRef): Promise<boolean>;
    /** Consumer groups that consume the topic on these brokers (online consumers or stored offsets). */
    consumerGroupsOf(brokers: BrokerRef[], topic: string): Promise<string[]>;
    /** Topics the group has stored offsets for on these brokers. */
    topicsConsumedBy(brokers: BrokerRef[], group: string): Promise<string[]>;
    /** Messages of the topic the group has not consumed yet, summed over the brokers' queues. */
    lag(brokers: BrokerRef[], group: string, topic: string): Promise<number>;

    /** The placement of the Topic resource that manages the topic (ops/topics/managedTopics.ts), if one does. */
    managedTopicPlacement(topic: string): Promise<string | undefined>;

    /** A small record kept on every name server; the value from each name server that has one. */
    readRecords(key: string): Promise<string[]>;
    writeRecord(key: string, value: string): Promise<void>;
    deleteRecord(key: string): Promise<void>;
}
