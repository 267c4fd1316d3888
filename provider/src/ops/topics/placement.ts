// Where a managed topic or group lives: every master of a broker cluster (as the name servers list
// it now, so groups added later count), or listed broker groups.
import type { RocketMQAdminClient } from "../../admin/client";
import { ClientFailureCode } from "../../admin/codes";
import { RocketMQAdminError } from "../../admin/errors";
import { mastersOfCluster } from "../../admin/operations";
import { ClusterInfo, MASTER_ID } from "../../admin/types";

export interface Placement {
    clusterName?: string;
    brokerNames?: string[];
}

/** A broker group's master, with the cluster it belongs to. */
export interface PlacedBroker {
    brokerName: string;
    address: string;
    cluster: string;
}

export function describePlacement(placement: Placement): string {
    return placement.clusterName !== undefined ? `cluster ${placement.clusterName}` : `broker groups ${(placement.brokerNames ?? []).join(", ")}`;
}

/** The masters of the placement, by broker name. Throws naming what the name servers do not know. */
export function placedBrokers(info: ClusterInfo, placement: Placement): PlacedBroker[] {
    if (placement.clusterName !== undefined) {
        const cluster = placement.clusterName;
        return mastersOfCluster(info, cluster)
            .map((m) => ({ ...m, cluster }))
            .sort((a, b) => a.brokerName.localeCompare(b.brokerName));
    }
    const names = placement.brokerNames ?? [];
    const unknown = names.filter((name) => info.brokers[name]?.addresses[MASTER_ID] === undefined);
    if (unknown.length > 0) {
        throw new RocketMQAdminError(
            `broker group${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} ha${unknown.length > 1 ? "ve" : "s"} no master registered on the name servers (registered: ${Object.keys(info.brokers).sort().join(", ") || "none"})`,
            { code: ClientFailureCode.CLUSTER_NOT_FOUND },
        );
    }
    return names
        .map((name) => ({ brokerName: name, address: info.brokers[name].addresses[MASTER_ID], cluster: info.brokers[name].cluster }))
        .sort((a, b) => a.brokerName.localeCompare(b.brokerName));
}

export async function resolvePlacement(client: RocketMQAdminClient, placement: Placement): Promise<PlacedBroker[]> {
    return placedBrokers(await client.getClusterInfo(), placement);
}

/** Masters of the named broker groups that are still registered (groups gone are left out). */
export function registeredBrokers(info: ClusterInfo, brokerNames: readonly string[]): PlacedBroker[] {
    return brokerNames.flatMap((name) => {
        const address = info.brokers[name]?.addresses[MASTER_ID];
        return address === undefined ? [] : [{ brokerName: name, address, cluster: info.brokers[name].cluster }];
    });
}

/** Runs `work` on every broker at once and returns the results in the same order. */
export function onEveryBroker<T>(brokers: readonly PlacedBroker[], work: (broker: PlacedBroker) => Promise<T>): Promise<T[]> {
    return Promise.all(brokers.map(work));
}
