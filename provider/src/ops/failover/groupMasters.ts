// Who is master of each broker group now, and which replicas are in sync: the name servers list a
// group's master as broker id 0 (in controller mode too, whichever broker the controller elected),
// and a RIP-44 controller's leader holds each group's sync state set. Pod names come from the
// broker addresses (pod IP:port), so nothing here assumes the pod named -master- is the master.
import type { RocketMQAdminClient } from "../../admin/client";
import { ClusterInfo, MASTER_ID, ReplicasInfo } from "../../admin/types";

export interface GroupMaster {
    brokerName: string;
    /** The master's address as the name servers list it; absent while the group has none registered. */
    masterAddress?: string;
    /** The pod serving masterAddress; absent when no pod holds that address. */
    masterPodName?: string;
    /** With a controller: the pods of the sync state set (the master among them), by name. */
    inSyncReplicaPodNames?: string[];
}

/** Maps a broker address (`ip:port`) to the pod serving it; undefined when no pod does. */
export type PodNamer = (address: string) => Promise<string | undefined>;

/** The master address of each group from the name servers' cluster info. */
export function masterAddresses(info: ClusterInfo, brokerNames: readonly string[]): Record<string, string | undefined> {
    return Object.fromEntries(brokerNames.map((name) => [name, info.brokers[name]?.addresses[MASTER_ID]]));
}

/** The controller that leads, asked of each controller in turn; undefined while none leads (an election). */
export async function controllerLeader(client: RocketMQAdminClient, controllers: readonly string[]): Promise<string | undefined> {
    for (const controller of controllers) {
        const leader = await client.getControllerLeader(controller, { timeoutMs: 3000 }).catch(() => undefined);
        if (leader !== undefined) return leader;
    }
    return undefined;
}

/** The sync state sets of `brokerNames`, or undefined when no controller answers. */
export async function syncStateSets(client: RocketMQAdminClient, controllers: readonly string[], brokerNames: readonly string[]): Promise<Record<string, ReplicasInfo> | undefined> {
    const leader = await controllerLeader(client, controllers);
    if (leader === undefined) return undefined;
    return client.getSyncStateData(leader, brokerNames, { timeoutMs: 5000 });
}

/** Each group's master now (and, with `controllers`, its in-sync replicas), with their pods. */
export async function readGroupMasters(
    client: RocketMQAdminClient,
    brokerNames: readonly string[],
    controllers: readonly string[],
    podOf: PodNamer,
): Promise<GroupMaster[]> {
    const [info, replicas] = await Promise.all([
        client.getClusterInfo({ timeoutMs: 5000 }),
        controllers.length > 0 ? syncStateSets(client, controllers, brokerNames) : Promise.resolve(undefined),
    ]);
    const masters = masterAddresses(info, brokerNames);
    return Promise.all(brokerNames.map(async (brokerName): Promise<GroupMaster> => {
        const masterAddress = masters[brokerName];
        const inSync = replicas?.[brokerName]?.inSyncReplicas;
        const podNames = inSync ? (await Promise.all(inSync.map((replica) => podOf(replica.brokerAddress)))).filter((pod): pod is string => pod !== undefined).sort() : undefined;
        const masterPodName = masterAddress === undefined ? undefined : await podOf(masterAddress);
        return {
            brokerName,
            ...(masterAddress !== undefined ? { masterAddress } : {}),
            ...(masterPodName !== undefined ? { masterPodName } : {}),
            ...(podNames !== undefined ? { inSyncReplicaPodNames: podNames } : {}),
        };
    }));
}
