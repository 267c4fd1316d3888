// Taking broker groups out of service before a scale-down removes them: each broker of the group
// turns read-only (brokerPermission=4: persisted, and re-registered with the name servers at once,
// unlike wipeWritePerm, which the broker's next registration undoes), then the wait lasts until
// every consumer group has consumed every message stored there. On timeout or failure write
// permission comes back (brokerPermission=6) and the error names what was left.
import type { RocketMQAdminClient } from "../../admin/client";
import { brokerOwnTopics, isSystemGroup, isSystemTopic } from "../../admin/systemNames";
import { BrokerGroup, MASTER_ID, Perm } from "../../admin/types";
import { Clock, ProgressLog } from "../progressLog";
import { seconds } from "./timing";

export interface DrainOptions {
    timeoutMs: number;
    pollIntervalMs?: number;
    logIntervalMs?: number;
}

/** A consumer group's unconsumed messages of one topic on a draining group. */
export interface Lag {
    brokerName: string;
    consumerGroup: string;
    topic: string;
    lag: number;
}

/**
 * Drains `groups`. `cluster` is every master of the broker cluster (the draining groups included):
 * a consumer group counts when it consumes a topic on any of them, so messages on a queue the group
 * never pulled from still count as unconsumed. Resolves with the time waited.
 */
export async function drainGroups(
    client: RocketMQAdminClient,
    groups: BrokerGroup[],
    cluster: BrokerGroup[],
    log: ProgressLog,
    clock: Clock,
    options: DrainOptions,
): Promise<number> {
    if (groups.length === 0) return 0;
    const names = groups.map((g) => g.brokerName).join(", ");
    await setPermission(client, groups, Perm.READ);
    log.info(`broker group(s) ${names}: read-only now (brokerPermission=${Perm.READ} on ${describeBrokers(groups)}); waiting up to ${seconds(options.timeoutMs)} for consumers`);
    const began = clock.now();
    try {
        const pending = await consumedTopics(client, groups, cluster);
        let lastLogAt = -Infinity;
        for (;;) {
            const behind = (await lags(client, pending)).filter((l) => l.lag > 0);
            const waited = clock.now() - began;
            if (behind.length === 0) {
                log.info(`broker group(s) ${names}: every consumer group has consumed every message after ${seconds(waited)}; the group(s) can go`);
                return waited;
            }
            if (waited >= options.timeoutMs) {
                throw new DrainTimeout(behind, options.timeoutMs);
            }
            if (clock.now() - lastLogAt >= (options.logIntervalMs ?? 5000)) {
                const total = behind.reduce((sum, l) => sum + l.lag, 0);
                log.info(`draining ${names}: ${total} message(s) not yet consumed (${describeLags(behind)}), ${seconds(waited)} of ${seconds(options.timeoutMs)}`);
                lastLogAt = clock.now();
            }
            await clock.sleep(Math.min(options.pollIntervalMs ?? 1000, Math.max(1, options.timeoutMs - waited)));
        }
    } catch (err) {
        throw await restoreAfter(client, groups, err);
    }
}

class DrainTimeout extends Error {
    constructor(readonly behind: Lag[], timeoutMs: number) {
        super(`consumers did not consume every message within drainTimeoutSeconds (${seconds(timeoutMs)}): ${describeLags(behind)}`);
    }
}

/** Gives write permission back and returns the error to throw, saying what was restored and that nothing was removed. */
async function restoreAfter(client: RocketMQAdminClient, groups: BrokerGroup[], err: unknown): Promise<Error> {
    const names = groups.map((g) => g.brokerName).join(", ");
    const cause = err instanceof Error ? err.message : String(err);
    try {
        await setPermission(client, groups, Perm.READ_WRITE);
    } catch (restoreErr) {
        return new Error(
            `scale-down of broker group(s) ${names} stopped: ${cause}. Restoring write permission failed (${(restoreErr as Error).message}): ` +
                `the group(s) may still be read-only; run mqadmin updateBrokerConfig -k brokerPermission -v 6 on ${describeBrokers(groups)}. Nothing was removed`,
            { cause: err },
        );
    }
    return new Error(
        `scale-down of broker group(s) ${names} stopped: ${cause}. Write permission is restored (brokerPermission=${Perm.READ_WRITE} on ${describeBrokers(groups)}) and nothing was removed; ` +
            `consume the messages left, or raise drainTimeoutSeconds, and run pulumi up again`,
        { cause: err },
    );
}

async function setPermission(client: RocketMQAdminClient, groups: BrokerGroup[], perm: number): Promise<void> {
    const addresses = groups.flatMap((g) => Object.values(g.addresses));
    await Promise.all(addresses.map((address) => client.updateBrokerConfig(address, { brokerPermission: String(perm) })));
}

/** Which consumer groups to ask about which topics on which draining master: topics holding messages there, and the groups consuming them anywhere in the cluster. */
async function consumedTopics(client: RocketMQAdminClient, groups: BrokerGroup[], cluster: BrokerGroup[]): Promise<Array<Omit<Lag, "lag"> & { address: string }>> {
    const masters = cluster.map((g) => g.addresses[MASTER_ID]).filter((a): a is string => a !== undefined);
    const perGroup = await Promise.all(
        groups.map(async (group) => {
            const address = group.addresses[MASTER_ID];
            const topics = Object.keys((await client.getAllTopicConfigs(address)).topics).filter((t) => !isSystemTopic(t, brokerOwnTopics(group.cluster, group.brokerName)));
            const stored = await Promise.all(topics.map(async (topic) => ((await client.getTopicStats(address, topic)).queues.some((q) => q.maxOffset > q.minOffset) ? topic : undefined)));
            const withMessages = stored.filter((t): t is string => t !== undefined);
            const consumers = await Promise.all(
                withMessages.map(async (topic) => [...new Set((await Promise.all(masters.map((m) => client.queryTopicConsumeByWho(m, topic)))).flat())].filter((g) => !isSystemGroup(g))),
            );
            return withMessages.flatMap((topic, i) => consumers[i].map((consumerGroup) => ({ brokerName: group.brokerName, address, topic, consumerGroup })));
        }),
    );
    return perGroup.flat();
}

async function lags(client: RocketMQAdminClient, pending: Array<Omit<Lag, "lag"> & { address: string }>): Promise<Lag[]> {
    return Promise.all(
        pending.map(async ({ address, ...which }) => ({ ...which, lag: (await client.getConsumeStats(address, which.consumerGroup, which.topic)).totalLag })),
    );
}

function describeLags(lags: Lag[]): string {
    return lags.map((l) => `consumer group ${l.consumerGroup} lag ${l.lag} on ${l.brokerName} (topic ${l.topic})`).join(", ");
}

function describeBrokers(groups: BrokerGroup[]): string {
    return groups.map((g) => `${g.brokerName} ${Object.entries(g.addresses).map(([id, address]) => `${id === MASTER_ID ? "master" : `replica ${id}`} ${address}`).join(", ")}`).join("; ");
}
