// Who must read what a leaving broker group stores before the group may go. Every consumer group the
// brokers know counts:
// - a group that consumes a topic: online subscriptions and stored offsets, as queryTopicConsumeByWho
//   reports them on any master of the cluster;
// - a subscription group on the leaving brokers that has consumed nothing anywhere in the cluster:
//   its consumers may not have started yet, and nothing on the brokers tells which topics they will
//   read, so it counts for every topic (a group made ahead of its consumers is exactly the reader a
//   drain must not miss).
// A retry or dead-letter topic belongs to one group: only the groups consuming it count there.
// A topic with stored messages and no reader at all is "unread": nobody will ever drain it.
import type { RocketMQAdminClient } from "../../admin/client";
import { brokerOwnTopics, isGroupTopic, isSystemGroup, isSystemTopic } from "../../admin/systemNames";
import { BrokerGroup, MASTER_ID } from "../../admin/types";

/** A topic holding messages on a leaving group's master. */
export interface StoredTopic {
    brokerName: string;
    address: string;
    topic: string;
    /** Per queue id, the oldest offset still stored: a group with no offset has read nothing before it. */
    minOffsets: Record<number, number>;
    messages: number;
}

/** A consumer group that must consume a stored topic to the end. */
export interface Reader {
    stored: StoredTopic;
    consumerGroup: string;
    /** The group has no offset on any master and no consumer subscribed to a stored topic. */
    consumedNothing: boolean;
}

/** The non-system topics holding messages on each group's master. */
export async function storedTopics(client: RocketMQAdminClient, groups: BrokerGroup[]): Promise<StoredTopic[]> {
    const perGroup = await Promise.all(
        groups.map(async (group) => {
            const address = group.addresses[MASTER_ID];
            const own = brokerOwnTopics(group.cluster, group.brokerName);
            const topics = Object.keys((await client.getAllTopicConfigs(address)).topics).filter((t) => !isSystemTopic(t, own));
            return Promise.all(
                topics.map(async (topic): Promise<StoredTopic> => {
                    const { queues } = await client.getTopicStats(address, topic);
                    const minOffsets = Object.fromEntries(queues.map((q) => [q.queueId, q.minOffset]));
                    const messages = queues.reduce((sum, q) => sum + Math.max(0, q.maxOffset - q.minOffset), 0);
                    return { brokerName: group.brokerName, address, topic, minOffsets, messages };
                }),
            );
        }),
    );
    return perGroup.flat().filter((s) => s.messages > 0);
}

/**
 * The readers of each stored topic, and the stored topics nobody reads. Asked again on every poll of
 * a drain: a group that starts consuming stops counting for the topics it does not read.
 */
export async function readersOf(
    client: RocketMQAdminClient,
    stored: StoredTopic[],
    groups: BrokerGroup[],
    cluster: BrokerGroup[],
): Promise<{ readers: Reader[]; unread: StoredTopic[] }> {
    const masters = cluster.map((g) => g.addresses[MASTER_ID]).filter((a): a is string => a !== undefined);
    const topics = [...new Set(stored.map((s) => s.topic))];
    const [consumers, offsets, known] = await Promise.all([
        Promise.all(topics.map(async (topic) => [topic, new Set((await Promise.all(masters.map((m) => client.queryTopicConsumeByWho(m, topic)))).flat().filter((g) => !isSystemGroup(g)))] as const)),
        Promise.all(masters.map((m) => client.getAllConsumerOffsets(m))),
        Promise.all(groups.map(async (g) => Object.keys((await client.getAllSubscriptionGroups(g.addresses[MASTER_ID])).groups))),
    ]);
    const consumersOf = new Map(consumers);
    const consumedSomething = new Set([...consumers.flatMap(([, names]) => [...names]), ...offsets.flatMap((table) => Object.keys(table.groups))]);
    const consumedNothing = [...new Set(known.flat())].filter((g) => !isSystemGroup(g) && !consumedSomething.has(g)).sort();

    const readers: Reader[] = [];
    const unread: StoredTopic[] = [];
    for (const s of stored) {
        const consuming = [...(consumersOf.get(s.topic) ?? [])].sort().map((consumerGroup) => ({ stored: s, consumerGroup, consumedNothing: false }));
        const dormant = isGroupTopic(s.topic) ? [] : consumedNothing.map((consumerGroup) => ({ stored: s, consumerGroup, consumedNothing: true }));
        if (consuming.length + dormant.length === 0) unread.push(s);
        readers.push(...consuming, ...dormant);
    }
    return { readers, unread };
}

/** Messages of the stored topic the reader has not consumed: counted from its offset, or from the oldest stored message. */
export async function unconsumed(client: RocketMQAdminClient, reader: Reader): Promise<number> {
    const { address, topic, minOffsets } = reader.stored;
    const stats = await client.getConsumeStats(address, reader.consumerGroup, topic);
    return stats.queues.reduce((sum, q) => sum + Math.max(0, q.brokerOffset - Math.max(q.consumerOffset, minOffsets[q.queueId] ?? 0)), 0);
}
