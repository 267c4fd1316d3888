// How Topic, ConsumerGroup and TopicTransfer reach RocketMQ for one operation: the resource's
// `kubeconfig` and `connection` inputs open a cluster connection (direct TCP or the API server's
// port-forward), an admin client talks through it, and closing ends both. Tests substitute their own.
import { describeRetry, RocketMQAdminClient } from "../admin/client";
import { ClusterAccess, ClusterConnection, openClusterConnection } from "../connect/clusterConnection";
import type { ProgressLog } from "../ops/progressLog";

export interface AdminSession {
    client: RocketMQAdminClient;
    /** Closes the client and every stream the operation opened, and logs how many there were. */
    close(): void;
}

export interface AdminClientFactory {
    open(access: ClusterAccess, log: ProgressLog): Promise<AdminSession>;
}

/** Retries and the path taken are reported to `log`. */
export const clusterAdminClients: AdminClientFactory = {
    async open(access, log) {
        const connection = await openClusterConnection(access);
        log.info(`reaching RocketMQ ${connection.path === "direct" ? "directly" : "through the Kubernetes API server's port-forward"}: ${connection.reason}`);
        const client = new RocketMQAdminClient({ nameServers: access.nameServerAddresses, connector: connection.connector, credentials: access.credentials, onRetry: (event) => log.warn(describeRetry(event)) });
        return {
            client,
            close() {
                client.close();
                connection.close();
                log.info(describeConnections(connection));
            },
        };
    },
};

/** Runs `work` with a client for the cluster `access` names, closing it (and its streams) after. */
export async function withAdmin<T>(factory: AdminClientFactory, access: ClusterAccess, log: ProgressLog, work: (client: RocketMQAdminClient) => Promise<T>): Promise<T> {
    const session = await factory.open(access, log);
    try {
        return await work(session.client);
    } finally {
        session.close();
        await log.flush?.();
    }
}

/** One line for the engine log: how many connections the operation opened, and to what. */
export function describeConnections(connection: Pick<ClusterConnection, "path" | "opened">): string {
    const total = [...connection.opened.values()].reduce((sum, n) => sum + n, 0);
    const what = connection.path === "portForward" ? "port-forward streams" : "direct TCP connections";
    const each = [...connection.opened].map(([address, n]) => `${address} x${n}`).join(", ");
    return `opened ${total} ${what}${total > 0 ? `: ${each}` : ""}`;
}
