// Taking broker groups out of service before a scale-down removes them: each broker of the group
// turns read-only (brokerPermission=4: persisted, and re-registered with the name servers at once,
// unlike wipeWritePerm, which the broker's next registration undoes), then the wait lasts until
// every consumer group the brokers know has consumed every message stored there (drainReaders.ts
// says which groups count). A topic with messages that no group reads is refused at once, unless
// allowDroppingUnreadMessages says those messages may go with the group. On timeout, refusal or
// failure write permission comes back (brokerPermission=6) and the error names what was left.
import type { RocketMQAdminClient } from "../../admin/client";
import { BrokerGroup, MASTER_ID, Perm } from "../../admin/types";
import { Clock, ProgressLog } from "../progressLog";
import { Reader, readersOf, StoredTopic, storedTopics, unconsumed } from "./drainReaders";
import { seconds } from "./timing";

export interface DrainOptions {
    timeoutMs: number;
    /** Let messages of topics that no consumer group reads go with the group instead of refusing. */
    allowDroppingUnreadMessages?: boolean;
    pollIntervalMs?: number;
    logIntervalMs?: number;
}

/** A consumer group's unconsumed messages of one topic on a draining group. */
export interface Lag {
    brokerName: string;
    consumerGroup: string;
    topic: string;
    lag: number;
    /** The group has consumed nothing on the cluster yet (its consumers may not have started). */
    consumedNothing: boolean;
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
        const stored = await storedTopics(client, groups);
        const dropping = new Set<string>();
        let lastLogAt = -Infinity;
        for (;;) {
            const { readers, unread } = await readersOf(client, stored, groups, cluster);
            if (unread.length > 0 && !options.allowDroppingUnreadMessages) throw new UnreadMessages(unread);
            for (const s of unread.filter((s) => !dropping.has(`${s.brokerName}/${s.topic}`))) {
                dropping.add(`${s.brokerName}/${s.topic}`);
                log.warn(`${describeUnread(s)}: they will go with the group once it is drained, as allowDroppingUnreadMessages allows`);
            }
            const behind = (await lags(client, readers)).filter((l) => l.lag > 0);
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

/** A failure of the drain that says what the user can do about it. */
abstract class DrainRefusal extends Error {
    abstract readonly remedy: string;
}

class DrainTimeout extends DrainRefusal {
    readonly remedy = "consume the messages left, or raise drainTimeoutSeconds, and run pulumi up again";
    constructor(readonly behind: Lag[], timeoutMs: number) {
        super(`consumers did not consume every message within drainTimeoutSeconds (${seconds(timeoutMs)}): ${describeLags(behind)}`);
    }
}

class UnreadMessages extends DrainRefusal {
    readonly remedy =
        "consume them with a consumer group (or delete the topic), or set allowDroppingUnreadMessages (broker.allowDroppingUnreadMessages of a RocketMQCluster) " +
        "to let them go with the group, and run pulumi up again";
    constructor(readonly unread: StoredTopic[]) {
        super(`${unread.map(describeUnread).join("; ")}`);
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
    const remedy = err instanceof DrainRefusal ? err.remedy : "once the cause is mended, run pulumi up again";
    return new Error(
        `scale-down of broker group(s) ${names} stopped: ${cause}. Write permission is restored (brokerPermission=${Perm.READ_WRITE} on ${describeBrokers(groups)}) and nothing was removed; ${remedy}`,
        { cause: err },
    );
}

async function setPermission(client: RocketMQAdminClient, groups: BrokerGroup[], perm: number): Promise<void> {
    const addresses = groups.flatMap((g) => Object.values(g.addresses));
    await Promise.all(addresses.map((address) => client.updateBrokerConfig(address, { brokerPermission: String(perm) })));
}

async function lags(client: RocketMQAdminClient, readers: Reader[]): Promise<Lag[]> {
    return Promise.all(
        readers.map(async (reader) => ({
            brokerName: reader.stored.brokerName,
            topic: reader.stored.topic,
            consumerGroup: reader.consumerGroup,
            consumedNothing: reader.consumedNothing,
            lag: await unconsumed(client, reader),
        })),
    );
}

function describeLags(lags: Lag[]): string {
    return lags.map((l) => `consumer group ${l.consumerGroup} lag ${l.lag} on ${l.brokerName} (topic ${l.topic}${l.consumedNothing ? ", nothing consumed yet" : ""})`).join(", ");
}

function describeUnread(s: StoredTopic): string {
    return `topic ${s.topic} holds ${s.messages} message(s) on ${s.brokerName} that no consumer group has read (none consumes it or holds an offset for it, and no subscription group there still waits for its first consumer)`;
}

function describeBrokers(groups: BrokerGroup[]): string {
    return groups.map((g) => `${g.brokerName} ${Object.entries(g.addresses).map(([id, address]) => `${id === MASTER_ID ? "master" : `replica ${id}`} ${address}`).join(", ")}`).join("; ");
}
