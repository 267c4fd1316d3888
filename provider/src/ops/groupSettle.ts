// Keeping deleted consumer groups deleted. A broker that allows autoCreateSubscriptionGroup (the
// default) creates a group again whenever a request of that group reaches it. Consumers that have
// already left can still have pull requests parked on the broker (long polling); each one wakes
// when its hold ends and re-creates the group. So after deleting, the brokers that create groups
// on demand are watched until every such request must have woken, and a group that comes back is
// deleted again. Brokers with autoCreateSubscriptionGroup=false are not watched: nothing wakes there.
import type { BrokerRef, TransferAdmin } from "./transferAdmin";
import { Clock, ProgressLog } from "./progressLog";
import { emptyObject } from "../admin/nameMaps";

/**
 * The longest a broker parks a pull request: the client's suspend time (15 s) plus the interval
 * of the broker's hold check (5 s), with a second to spare.
 */
export const PARKED_PULL_MAX_MS = 21_000;

export interface GroupSettleOptions {
    /** How long to watch after the deletion. */
    settleMs?: number;
    /** How often the brokers are asked. */
    pollIntervalMs?: number;
}

/**
 * Deletes the groups on each broker and keeps them deleted for the settle time. Returns, per group,
 * how many times a broker had created it again (0 for most transfers).
 */
export async function deleteGroupsAndSettle(
    admin: TransferAdmin,
    groupsByBroker: Map<BrokerRef, string[]>,
    topic: string,
    log: ProgressLog,
    clock: Clock,
    options: GroupSettleOptions = {},
): Promise<Record<string, number>> {
    const settleMs = options.settleMs ?? PARKED_PULL_MAX_MS;
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    const recreated = emptyObject<number>();
    for (const [broker, groups] of groupsByBroker) await admin.deleteGroups([broker], groups);
    if (settleMs <= 0) return recreated;
    const watched: Array<[BrokerRef, string[]]> = [];
    for (const [broker, groups] of groupsByBroker) {
        if (groups.length > 0 && (await admin.createsGroupsOnDemand(broker))) watched.push([broker, groups]);
    }
    if (watched.length === 0) return recreated;
    const names = watched.map(([broker]) => broker.brokerName).join(", ");
    log.info(`topic ${topic}: watching ${names} for ${(settleMs / 1000).toFixed(0)} s, until pull requests its consumers left parked there have ended (autoCreateSubscriptionGroup=false needs no watch)`);
    const until = clock.now() + settleMs;
    for (;;) {
        await clock.sleep(Math.max(0, Math.min(pollIntervalMs, until - clock.now())));
        for (const [broker, groups] of watched) {
            const present = Object.keys((await admin.subscriptionGroups([broker], groups))[broker.brokerName] ?? {});
            if (present.length === 0) continue;
            log.info(`topic ${topic}: ${broker.brokerName} created ${present.join(", ")} again for a parked request; deleting again`);
            await admin.deleteGroups([broker], present);
            for (const group of present) recreated[group] = (recreated[group] ?? 0) + 1;
        }
        if (clock.now() >= until) return recreated;
    }
}
