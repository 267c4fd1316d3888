// What a delete would throw away: messages of a topic not yet consumed, clients of a group still
// online. Deletes refuse while these remain unless the user opted in, and the error names them.
import type { RocketMQAdminClient } from "../../admin/client";
import { ResponseCode } from "../../admin/codes";
import { RocketMQAdminError } from "../../admin/errors";
import type { PlacedBroker } from "./placement";

export interface UnconsumedMessages {
    brokerName: string;
    /** The consumer group behind; absent when no group has consumed the topic there at all. */
    group?: string;
    messages: number;
}

/** Per broker group: each consumer group's lag on the topic, or the stored messages when no group consumes it. */
export async function unconsumedMessages(client: RocketMQAdminClient, topic: string, brokers: readonly PlacedBroker[]): Promise<UnconsumedMessages[]> {
    const perBroker = await Promise.all(
        brokers.map(async (broker): Promise<UnconsumedMessages[]> => {
            const groups = await client.queryTopicConsumeByWho(broker.address, topic);
            if (groups.length === 0) {
                const stats = await client.getTopicStats(broker.address, topic);
                const stored = stats.queues.reduce((sum, q) => sum + Math.max(0, q.maxOffset - q.minOffset), 0);
                return stored > 0 ? [{ brokerName: broker.brokerName, messages: stored }] : [];
            }
            const lags = await Promise.all(groups.map(async (group) => ({ group, lag: await lagOf(client, broker.address, group, topic) })));
            return lags.filter((l) => l.lag > 0).map((l) => ({ brokerName: broker.brokerName, group: l.group, messages: l.lag }));
        }),
    );
    return perBroker.flat();
}

async function lagOf(client: RocketMQAdminClient, address: string, group: string, topic: string): Promise<number> {
    try {
        return (await client.getConsumeStats(address, group, topic)).totalLag;
    } catch (err) {
        // The group went away between the two questions: nothing of it is left to consume.
        if (err instanceof RocketMQAdminError && (err.isNotFound() || err.code === ResponseCode.CONSUMER_NOT_ONLINE)) return 0;
        throw err;
    }
}

export function describeUnconsumed(leftovers: readonly UnconsumedMessages[]): string {
    return leftovers
        .map((l) => (l.group === undefined ? `${l.messages} message(s) on ${l.brokerName} that no consumer group has consumed` : `${l.messages} message(s) on ${l.brokerName} not yet consumed by group ${l.group}`))
        .join("; ");
}

export interface OnlineConsumers {
    brokerName: string;
    clients: string[];
}

export async function onlineConsumers(client: RocketMQAdminClient, group: string, brokers: readonly PlacedBroker[]): Promise<OnlineConsumers[]> {
    const perBroker = await Promise.all(
        brokers.map(async (broker) => ({
            brokerName: broker.brokerName,
            clients: (await client.getConsumerConnections(broker.address, group)).map((c) => (c.clientAddress ? `${c.clientId} at ${c.clientAddress}` : c.clientId)),
        })),
    );
    return perBroker.filter((b) => b.clients.length > 0);
}

export function describeOnline(online: readonly OnlineConsumers[]): string {
    return online.map((o) => `${o.clients.length} consumer(s) on ${o.brokerName}: ${o.clients.join(", ")}`).join("; ");
}
