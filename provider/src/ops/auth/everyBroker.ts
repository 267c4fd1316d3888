// Users and ACLs live in each broker's own store, and replicas do not copy them from their master:
// they are written to, and read from, every broker of a cluster, masters and replicas alike.
import type { RocketMQAdminClient } from "../../admin/client";
import { ClientFailureCode } from "../../admin/codes";
import { RocketMQAdminError } from "../../admin/errors";

export interface ClusterBroker {
    /** `broker-0` (master) or `broker-0 #1` (its first replica), for messages and outputs. */
    label: string;
    address: string;
}

/** Every broker the name servers know in `cluster`, in a stable order. Throws when the cluster is unknown. */
export async function everyBrokerOf(client: RocketMQAdminClient, cluster: string): Promise<ClusterBroker[]> {
    const info = await client.getClusterInfo();
    const names = info.clusters[cluster];
    if (!names || names.length === 0) {
        throw new RocketMQAdminError(`cluster ${cluster} is not registered on the name servers`, { code: ClientFailureCode.CLUSTER_NOT_FOUND });
    }
    return [...names].sort().flatMap((brokerName) =>
        Object.entries(info.brokers[brokerName]?.addresses ?? {})
            .sort(([a], [b]) => Number(a) - Number(b))
            .map(([id, address]) => ({ label: id === "0" ? brokerName : `${brokerName} #${id}`, address })),
    );
}
