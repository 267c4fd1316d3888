// Pushing broker settings to the running brokers of a cluster with updateBrokerConfig, so a change
// takes effect without a restart. The brokers are the ones the name servers know now; a broker
// that is down at the time starts with the same settings from its ConfigMap.
import type { RocketMQAdminClient } from "../../admin/client";
import type { ClusterInfo } from "../../admin/types";
import type { ProgressLog } from "../progressLog";

export interface RunningBroker {
    brokerName: string;
    brokerId: string;
    address: string;
}

/** The brokers of one cluster the name servers know, replicas before their master (the order a restart takes). */
export function brokersOfCluster(infos: ClusterInfo[], clusterName: string): RunningBroker[] {
    const byAddress = new Map<string, RunningBroker>();
    for (const info of infos) {
        for (const brokerName of info.clusters[clusterName] ?? []) {
            for (const [brokerId, address] of Object.entries(info.brokers[brokerName]?.addresses ?? {})) {
                byAddress.set(address, { brokerName, brokerId, address });
            }
        }
    }
    return [...byAddress.values()].sort((a, b) => a.brokerName.localeCompare(b.brokerName, "en", { numeric: true }) || Number(b.brokerId) - Number(a.brokerId));
}

/** The cluster info of every name server that answers; at least one must. */
export async function clusterInfoOfAnswering(client: RocketMQAdminClient, nameServers: readonly string[]): Promise<ClusterInfo[]> {
    const answers = await Promise.allSettled(nameServers.map((address) => client.getClusterInfoFrom(address)));
    const infos = answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value] : []));
    if (infos.length === 0) {
        const causes = answers.map((answer, i) => `${nameServers[i]}: ${(answer as PromiseRejectedResult).reason?.message ?? answer.status}`);
        throw new Error(`no name server answered, so the running brokers cannot be found (${causes.join("; ")})`);
    }
    return infos;
}

function describe(broker: RunningBroker): string {
    return `${broker.brokerName} broker ${broker.brokerId} (${broker.address})`;
}

/**
 * Sends `settings` to every running broker of the cluster and reads them back. Throws naming the
 * broker that refused or did not take a value, and which brokers already have the new settings.
 */
export async function pushBrokerSettings(
    client: RocketMQAdminClient,
    nameServers: { preferred: readonly string[]; fallback: readonly string[] },
    clusterName: string,
    settings: Record<string, string>,
    log: ProgressLog,
): Promise<RunningBroker[]> {
    const keys = Object.keys(settings).sort();
    if (keys.length === 0) return [];
    const infos = await clusterInfoOfAnswering(client, nameServers.preferred).catch(async (err) => {
        const others = nameServers.fallback.filter((address) => !nameServers.preferred.includes(address));
        if (others.length === 0) throw err;
        log.warn(`${(err as Error).message}; asking ${others.join(", ")} instead`);
        return clusterInfoOfAnswering(client, others);
    });
    const brokers = brokersOfCluster(infos, clusterName);
    log.info(`cluster ${clusterName}: setting ${keys.join(", ")} on ${brokers.length} running broker(s) without a restart`);
    const done: RunningBroker[] = [];
    for (const broker of brokers) {
        try {
            await client.updateBrokerConfig(broker.address, settings);
            const live = await client.getBrokerConfig(broker.address);
            const missed = keys.filter((key) => live[key] !== settings[key]);
            if (missed.length > 0) throw new Error(`it reports ${missed.map((key) => `${key}=${live[key] ?? "(unset)"}`).join(", ")} after the update`);
        } catch (err) {
            const already = done.length > 0 ? done.map(describe).join(", ") : "none";
            throw new Error(
                `cluster ${clusterName}: ${describe(broker)} did not take ${keys.join(", ")}: ${(err as Error).message}. Brokers that have the new settings: ${already}; the others run with their previous settings`,
                { cause: err },
            );
        }
        done.push(broker);
        log.info(`cluster ${clusterName}: ${describe(broker)} has ${keys.join(", ")} (${done.length}/${brokers.length})`);
    }
    return done;
}
