// In controller mode a replica joins its group's sync state set only once it has caught up with the
// master; until then the group has no broker to elect if the master dies. `pulumi up` waits for it.
import type { RocketMQAdminClient } from "../../admin/client";
import { Clock, ProgressLog, realClock } from "../progressLog";
import { syncStateSets } from "./groupMasters";

export interface InSyncWaitOptions {
    timeoutMs: number;
    pollIntervalMs?: number;
    progressIntervalMs?: number;
    clock?: Clock;
}

/** Per group, how many brokers are in its sync state set of how many it runs; "no leader" while the controllers elect one. */
export function groupsNotInSync(sets: Awaited<ReturnType<typeof syncStateSets>>, expected: Record<string, number>): string[] {
    if (sets === undefined) return ["no controller leads (an election is under way)"];
    return Object.entries(expected).flatMap(([brokerName, count]) => {
        const inSync = (sets[brokerName]?.inSyncReplicas ?? []).filter((replica) => replica.alive).length;
        return inSync >= count ? [] : [`${brokerName} ${inSync} of ${count} in sync`];
    });
}

/** Resolves once every group's sync state set holds all its brokers; throws on timeout naming the groups. */
export async function waitForInSync(
    client: RocketMQAdminClient,
    controllers: readonly string[],
    expected: Record<string, number>,
    log: ProgressLog,
    options: InSyncWaitOptions,
): Promise<number> {
    const clock = options.clock ?? realClock;
    const started = clock.now();
    let nextProgress = started + 2000;
    for (;;) {
        const lacking = groupsNotInSync(await syncStateSets(client, controllers, Object.keys(expected).sort()).catch(() => undefined), expected);
        const elapsed = clock.now() - started;
        if (lacking.length === 0) {
            log.info(`every broker is in its group's sync state set after ${(elapsed / 1000).toFixed(1)} s`);
            return elapsed;
        }
        if (elapsed >= options.timeoutMs) {
            throw new Error(`after ${Math.round(elapsed / 1000)} s not every replica has caught up with its master (${lacking.join("; ")}): ` +
                "a group whose master dies now may have no replica to elect. Nothing was changed by this wait; check the brokers' HA logs and run pulumi up again");
        }
        if (clock.now() >= nextProgress) {
            log.info(`waiting for replicas to join their group's sync state set (${(elapsed / 1000).toFixed(0)} s of ${(options.timeoutMs / 1000).toFixed(0)} s): ${lacking.join("; ")}`);
            nextProgress = clock.now() + (options.progressIntervalMs ?? 5000);
        }
        await clock.sleep(options.pollIntervalMs ?? 1000);
    }
}
