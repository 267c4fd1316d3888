// Waiting until every broker of a cluster is registered with every name server, as a client of any
// of them sees it: after a name server list change (pushed or rolled), brokers reach a new name
// server on their next re-read of the list and their next registration (30 s by default).
import type { RocketMQAdminClient } from "../../admin/client";
import { RocketMQAdminError } from "../../admin/errors";
import type { ClusterInfo } from "../../admin/types";
import { Clock, ProgressLog, realClock } from "../progressLog";

export interface RegistrationWaitOptions {
    timeoutMs: number;
    pollIntervalMs?: number;
    /** How often a progress line is written while waiting. */
    progressIntervalMs?: number;
    clock?: Clock;
    /** Controller mode: broker ids come from the controller (see missingRegistrations). */
    idsFromController?: boolean;
}

/** Per name server, the brokers (`<brokerName> broker <id>`) it does not list yet; "unreachable" when it did not answer. */
export type MissingRegistrations = Record<string, string[] | "unreachable">;

/**
 * Expected: broker name -> how many brokers the group has (master and replicas, ids 0..n-1). With
 * `idsFromController` a controller gives the ids: the master is id 0 whichever broker it is, and
 * the replicas' ids are whatever the controller assigned, so they are counted instead.
 */
export function missingRegistrations(infos: Map<string, ClusterInfo | undefined>, clusterName: string, expected: Record<string, number>, idsFromController = false): MissingRegistrations {
    const missing: MissingRegistrations = {};
    for (const [nameServer, info] of infos) {
        if (!info) {
            missing[nameServer] = "unreachable";
            continue;
        }
        const lacking = Object.entries(expected).flatMap(([brokerName, count]) => {
            const inCluster = (info.clusters[clusterName] ?? []).includes(brokerName);
            const addresses = info.brokers[brokerName]?.addresses ?? {};
            if (idsFromController) {
                const registered = inCluster ? Object.keys(addresses).length : 0;
                return [
                    ...(!inCluster || addresses["0"] === undefined ? [`${brokerName} master`] : []),
                    ...(registered < count ? [`${brokerName} ${count - registered} of ${count} broker(s)`] : []),
                ];
            }
            return Array.from({ length: count }, (_, id) => id).filter((id) => !inCluster || addresses[String(id)] === undefined).map((id) => `${brokerName} broker ${id}`);
        });
        if (lacking.length > 0) missing[nameServer] = lacking;
    }
    return missing;
}

export function describeMissing(missing: MissingRegistrations): string {
    return Object.entries(missing).map(([nameServer, brokers]) => `${nameServer}: ${brokers === "unreachable" ? "not answering" : `lacks ${brokers.join(", ")}`}`).join("; ");
}

/** Resolves once every name server lists every expected broker; throws on timeout naming what is missing where. */
export async function waitForRegistrations(
    client: RocketMQAdminClient,
    nameServers: readonly string[],
    clusterName: string,
    expected: Record<string, number>,
    log: ProgressLog,
    options: RegistrationWaitOptions,
): Promise<number> {
    const clock = options.clock ?? realClock;
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    const progressIntervalMs = options.progressIntervalMs ?? 5000;
    const brokerCount = Object.values(expected).reduce((sum, n) => sum + n, 0);
    const started = clock.now();
    let nextProgress = started + 2000;
    for (;;) {
        const infos = new Map<string, ClusterInfo | undefined>();
        // A name server that does not answer yet is waited for; a refused connection (credentials,
        // permission, certificate) would be refused again until the timeout, so it ends the wait.
        await Promise.all(nameServers.map(async (nameServer) => {
            infos.set(nameServer, await client.getClusterInfoFrom(nameServer, { timeoutMs: 3000 }).catch((err: unknown) => {
                if (err instanceof RocketMQAdminError && err.isRefused()) throw err;
                return undefined;
            }));
        }));
        const missing = missingRegistrations(infos, clusterName, expected, options.idsFromController ?? false);
        const elapsed = clock.now() - started;
        if (Object.keys(missing).length === 0) {
            log.info(`cluster ${clusterName}: all ${brokerCount} broker(s) registered with all ${nameServers.length} name server(s) after ${(elapsed / 1000).toFixed(1)} s`);
            return elapsed;
        }
        if (elapsed >= options.timeoutMs) {
            throw new Error(
                `cluster ${clusterName}: after ${Math.round(elapsed / 1000)} s not every broker is registered with every name server (${describeMissing(missing)}). ` +
                "Nothing was changed by this wait; brokers re-read namesrvAddr on their updateNameServerAddrPeriod timer and register every registerNameServerPeriod: check the brokers' logs and run pulumi up again" +
                (options.idsFromController && describeMissing(missing).includes(" master")
                    ? ". In controller mode a group has no master while its controller has no in-sync broker it may elect (a broker whose store was lost comes back with a new id): mqadmin getSyncStateSet shows the group's replicas"
                    : ""),
            );
        }
        if (clock.now() >= nextProgress) {
            log.info(`cluster ${clusterName}: waiting for brokers to register (${(elapsed / 1000).toFixed(0)} s of ${(options.timeoutMs / 1000).toFixed(0)} s): ${describeMissing(missing)}`);
            nextProgress = clock.now() + progressIntervalMs;
        }
        await clock.sleep(pollIntervalMs);
    }
}
