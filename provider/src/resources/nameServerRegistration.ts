// rocketmq:index:NameServerRegistration, created by RocketMQCluster after the name servers and
// every broker StatefulSet: create and update wait until every broker of the cluster is
// registered with every name server of the list (with a controller, also until every replica is in
// its group's sync state set), so `pulumi up` returns with the cluster whole.
// Its state reports each group's master now (output `groups`: the master's pod and, with a
// controller, the in-sync replicas' pods), read after the wait and again on `pulumi refresh`.
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { ResolvedNameServerRegistrationArgs, validateNameServerRegistrationArgs } from "../inputs/brokerRuntime";
import { waitForRegistrations } from "../ops/scaling/registrationWait";
import { GroupMaster, PodNamer, readGroupMasters } from "../ops/failover/groupMasters";
import { apiPodNamer } from "../ops/failover/podNames";
import { waitForInSync } from "../ops/failover/inSyncWait";
import type { ProgressLog } from "../ops/progressLog";
import { Clock, realClock } from "../ops/progressLog";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, onlyAccessChanged } from "./placedResource";

export const nameServerRegistrationToken = "rocketmq:index:NameServerRegistration";

const inputNames = ["brokerClusterName", "namesrvAddr", "brokers", "timeoutSeconds", "namespace", "controllerAddr", "kubeconfig", "connection", "tls"] as const;

/** Looks up the pods serving broker addresses; tests substitute their own. */
export type PodNamerFactory = (kubeconfig: string | undefined, namespace: string) => Promise<PodNamer>;
const inputDefaults: Record<string, unknown> = { timeoutSeconds: 300, connection: "auto" };

export function nameServerRegistrationHandler(
    admins: AdminClientFactory = clusterAdminClients,
    logFor: ResourceLogs = engineResourceLogs(undefined),
    clock: Clock = realClock,
    podNamers: PodNamerFactory = apiPodNamer,
): CustomResourceHandler {
    const controllersOf = (args: ResolvedNameServerRegistrationArgs) => (args.controllerAddr ?? "").split(";").filter((address) => address !== "");
    /** Each group's master now; undefined (and a warning) when it cannot be read, which never fails the operation. */
    const mastersOf = async (args: ResolvedNameServerRegistrationArgs, log: ProgressLog, client: Parameters<Parameters<typeof withAdmin>[3]>[0]): Promise<GroupMaster[] | undefined> => {
        try {
            const namer = args.namespace === undefined ? async () => undefined : await podNamers(args.kubeconfig, args.namespace);
            const groups = await readGroupMasters(client, Object.keys(args.brokers).sort(), controllersOf(args), namer);
            log.info(`masters: ${groups.map((g) => `${g.brokerName} ${g.masterPodName ?? g.masterAddress ?? "none"}` +
                (g.inSyncReplicaPodNames ? ` (in sync: ${g.inSyncReplicaPodNames.join(", ")})` : "")).join("; ")}`);
            return groups;
        } catch (err) {
            log.warn(`cannot tell which broker of each group is master now: ${(err as Error).message}`);
            return undefined;
        }
    };
    const waitFor = async (args: ResolvedNameServerRegistrationArgs, urn: string, wait: boolean): Promise<GroupMaster[] | undefined> => {
        const log = logFor(urn);
        const nameServers = args.namesrvAddr.split(";").filter((address) => address !== "");
        const work = withAdmin(admins, { ...args, nameServerAddresses: args.namesrvAddr }, log, async (client) => {
            if (wait) {
                const controllers = controllersOf(args);
                const waited = await waitForRegistrations(client, nameServers, args.brokerClusterName, args.brokers, log,
                    { timeoutMs: args.timeoutSeconds * 1000, clock, idsFromController: controllers.length > 0 });
                // With a controller the group is whole once its replicas are in sync: only then is there a broker to elect.
                if (controllers.length > 0) await waitForInSync(client, controllers, args.brokers, log, { timeoutMs: Math.max(1000, args.timeoutSeconds * 1000 - waited), clock });
            }
            return mastersOf(args, log, client);
        });
        // Reading the masters alone never fails an operation: the cluster may be unreachable from here.
        return wait ? work : work.catch((err: unknown) => {
            log.warn(`cannot tell which broker of each group is master now: ${(err as Error).message}`);
            return undefined;
        });
    };
    const outsOf = (args: ResolvedNameServerRegistrationArgs, groups: GroupMaster[] | undefined) => ({ ...stateOf(args), ...(groups ? { groups } : {}) });
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateNameServerRegistrationArgs),

        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const groups = await waitFor(args, urn, true);
            return { id: `${args.brokerClusterName}-registrations`, outs: outsOf(args, groups) };
        },

        // pulumi refresh: who is master now (after a failover, another pod of the group).
        async read(id, props, urn) {
            const inputs = plainInputs(props, inputNames);
            const validation = validateNameServerRegistrationArgs(inputs);
            if (!validation.ok || !urn) return { id, props, inputs };
            const groups = await waitFor(validation.value, urn, false);
            return { id, props: groups ? { ...props, groups } : props, inputs };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            const groups = await waitFor(args, urn ?? "", !(await onlyAccessChanged(olds, news, inputNames, inputDefaults)));
            return { outs: outsOf(args, groups) };
        },

        async delete() {
            // A wait leaves nothing behind.
        },
    };
}

function parse(inputs: Record<string, unknown>): ResolvedNameServerRegistrationArgs {
    const validation = validateNameServerRegistrationArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid NameServerRegistration inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
