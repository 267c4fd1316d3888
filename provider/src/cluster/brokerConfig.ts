// The broker.conf of each broker of a group: the provider's keys (identity, name servers, store),
// then the user's typed keys, then the user's other keys. brokerIP1 is appended by the container
// at start, from the pod IP.
import { createHash } from "crypto";
import { ports } from "./names";

export const brokerStoreDir = "/home/rocketmq/store";

export interface UserBrokerConfig {
    deleteWhen?: string;
    fileReservedTime?: number;
    flushDiskType?: string;
    brokerRole?: string;
    properties?: Record<string, string>;
}

export interface BrokerIdentity {
    clusterName: string;
    brokerName: string;
    /** 0 for the master, 1..n for replicas. */
    brokerId: number;
    namesrvAddr: string;
}

export function renderBrokerConfig(identity: BrokerIdentity, user: UserBrokerConfig | undefined): string {
    const isMaster = identity.brokerId === 0;
    const entries: [string, string | number | undefined][] = [
        ["brokerClusterName", identity.clusterName],
        ["brokerName", identity.brokerName],
        ["brokerId", identity.brokerId],
        ["brokerRole", isMaster ? (user?.brokerRole ?? "ASYNC_MASTER") : "SLAVE"],
        ["namesrvAddr", identity.namesrvAddr],
        ["listenPort", ports.broker],
        ["storePathRootDir", brokerStoreDir],
        ["deleteWhen", user?.deleteWhen],
        ["fileReservedTime", user?.fileReservedTime],
        ["flushDiskType", user?.flushDiskType],
        ...Object.entries(user?.properties ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    ];
    return entries
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${value}\n`)
        .join("");
}

/** Key in the group's ConfigMap of one broker's config. */
export function configKeyOf(brokerId: number): string {
    return brokerId === 0 ? "master.conf" : `replica-${brokerId}.conf`;
}

export function configChecksum(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}
