// One scaling run of a broker cluster, in the order it must happen: wait until every listed group's
// master is registered, copy the scale source's topics and subscription groups to the other groups
// (so producers of every topic see every group), then drain the groups that are leaving.
import type { RocketMQAdminClient } from "../../admin/client";
import { BrokerGroup, MASTER_ID } from "../../admin/types";
import { Clock, ProgressLog } from "../progressLog";
import { drainGroups } from "./drain";
import { GroupSync, missingMetadata, MissingMetadata, syncGroups } from "./metadataSync";
import { registeredGroups, waitForMasters } from "./registration";

/** How long a listed group's master may take to register after its StatefulSet is ready. */
export const registrationTimeoutMs = 300_000;

export interface ScalingTarget {
    clusterName: string;
    /** The groups that stay, the source among them. */
    brokerNames: string[];
    sourceBrokerName: string;
    /** Groups that were listed before and are not now: drained, then left for the engine to delete. */
    leaving: string[];
    drainTimeoutMs: number;
}

export interface ScalingResult {
    synced: GroupSync[];
    /** Time the drain waited for consumers; undefined when no group left. */
    drainWaitMs?: number;
}

export async function scaleBrokerGroups(client: RocketMQAdminClient, target: ScalingTarget, log: ProgressLog, clock: Clock): Promise<ScalingResult> {
    const targets = target.brokerNames.filter((name) => name !== target.sourceBrokerName);
    if (targets.length === 0 && target.leaving.length === 0) return { synced: [] };
    const staying = await waitForMasters(client, target.clusterName, target.brokerNames, log, clock, { timeoutMs: registrationTimeoutMs });
    const synced = await syncGroups(client, staying[target.sourceBrokerName], targets.map((name) => staying[name]), log, clock);
    if (target.leaving.length === 0) return { synced };

    const registered = await registeredGroups(client, target.clusterName);
    const leaving = target.leaving.filter((name) => registered[name]?.addresses[MASTER_ID]);
    for (const name of target.leaving.filter((n) => !leaving.includes(n))) {
        // Nothing can consume from a group that is not running; waiting would not change that.
        log.warn(`broker group ${name} has no master registered with the name servers: it cannot be drained and is left for removal as it is`);
    }
    const drainWaitMs = await drainGroups(client, leaving.map((name) => registered[name]), Object.values(registered), log, clock, { timeoutMs: target.drainTimeoutMs });
    return { synced, drainWaitMs };
}

/**
 * What each listed group lacks of the source, for refresh. A group (or the source) not registered
 * now keeps what `previous` said of it: a broker that is restarting is not reported as empty.
 */
export async function readMissingMetadata(
    client: RocketMQAdminClient,
    target: Pick<ScalingTarget, "clusterName" | "brokerNames" | "sourceBrokerName">,
    previous: MissingMetadata[],
    log: ProgressLog,
): Promise<MissingMetadata[]> {
    const targets = target.brokerNames.filter((name) => name !== target.sourceBrokerName);
    if (targets.length === 0) return [];
    const registered = await registeredGroups(client, target.clusterName);
    const source = registered[target.sourceBrokerName];
    const readable = source?.addresses[MASTER_ID] ? targets.filter((name) => registered[name]?.addresses[MASTER_ID]) : [];
    const unread = targets.filter((name) => !readable.includes(name));
    if (unread.length > 0) {
        const why = source?.addresses[MASTER_ID] ? `${unread.join(", ")} not registered` : `scale source ${target.sourceBrokerName} not registered`;
        log.warn(`${why} with the name servers: what ${unread.join(", ")} lack(s) is not read again`);
    }
    const read = readable.length === 0 ? [] : await missingMetadata(client, source as BrokerGroup, readable.map((name) => registered[name]));
    const kept = previous.filter((m) => unread.includes(m.brokerName));
    return [...read, ...kept].sort((a, b) => target.brokerNames.indexOf(a.brokerName) - target.brokerNames.indexOf(b.brokerName));
}
