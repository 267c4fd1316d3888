// The component's outputs, declared once: the class, the state the provider returns from
// construct, and schema.json's output list all follow this list.

/** Per broker group: what a client or an operation needs to find its brokers. */
export interface BrokerGroupInfo {
    index: number;
    brokerName: string;
    /** The pod that is master now, as the name servers list it (with a controller, whichever pod was elected). */
    masterPodName: string;
    replicaPodNames: string[];
    /** With a controller: the pods of the group's sync state set, the master among them. */
    inSyncReplicaPodNames?: string[];
}

export const clusterOutputNames = [
    "namespace",
    "brokerClusterName",
    "nameServerAddresses",
    "nameServerAddressList",
    "brokerGroups",
    "consoleServiceName",
    "consoleUrl",
    "metricsEndpoints",
    "proxyEndpoint",
    "proxyServiceName",
    "adminCredentials",
    "clientTls",
] as const;

export type ClusterOutputName = (typeof clusterOutputNames)[number];
