// One scaling run of a broker cluster, in the order it must happen: wait until the source's and the
// joining groups' masters are registered, copy the scale source's topics and subscription groups to
// the joining groups (so producers of every topic see them), then drain the groups that are leaving.
// Groups that were already there get nothing: after it joined, where each topic lives is the user's
// (a Topic placed on some groups, a topic moved by a transfer), not the copy's.
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
    sourceBrokerName: string;
    /** Groups new to the list (every group but the source on create): they get the source's metadata. */
    joining: string[];
    /** Groups that were listed before and are not now: drained, then left for the engine to delete. */
    leaving: string[];
    drainTimeoutMs: number;
    allowDroppingUnreadMessages?: boolean;
}

export interface ScalingResult {
    synced: GroupSync[];
    /** Time the drain waited for consumers; undefined when no group left. */
    drainWaitMs?: number;
}

export async function scaleBrokerGroups(client: RocketMQAdminClient, target: ScalingTarget, log: ProgressLog, clock: Clock): Promise<ScalingResult> {
    const targets = target.joining.filter((name) => name !== target.sourceBrokerName);
    if (targets.length === 0 && target.leaving.length === 0) return { synced: [] };
    const copying = targets.length === 0 ? [] : [target.sourceBrokerName, ...targets];
    const staying = await waitForMasters(client, target.clusterName, copying, log, clock, { timeoutMs: registrationTimeoutMs });
    const synced = targets.length === 0 ? [] : await syncGroups(client, staying[target.sourceBrokerName], targets.map((name) => staying[name]), log, clock);
    if (target.leaving.length === 0) return { synced };

    const registered = await registeredGroups(client, target.clusterName);
    const leaving = target.leaving.filter((name) => registered[name]?.addresses[MASTER_ID]);
    for (const name of target.leaving.filter((n) => !leaving.includes(n))) {
        // Nothing can consume from a group that is not running; waiting would not change that.
        log.warn(`broker group ${name} has no master registered with the name servers: it cannot be drained and is left for removal as it is`);
    }
    const drainWaitMs = await drainGroups(client, leaving.map((name) => registered[name]), Object.values(registered), log, clock, {
        timeoutMs: target.drainTimeoutMs,
        allowDroppingUnreadMessages: target.allowDroppingUnreadMessages,
    });
    return { synced, drainWaitMs };
}

/**
 * What each listed group lacks of the source, for refresh to report. Groups (or a source) not
 * registered now are named in a warning and left out: a restarting broker is not reported as empty.
 */
export async function readMissingMetadata(
    client: RocketMQAdminClient,
    target: Pick<ScalingTarget, "clusterName" | "sourceBrokerName"> & { brokerNames: string[] },
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
        log.warn(`${why} with the name servers: what ${unread.join(", ")} lack(s) of the source is not read`);
    }
    return readable.length === 0 ? [] : missingMetadata(client, source as BrokerGroup, readable.map((name) => registered[name]));
}
