// A preview plans a Topic, ConsumerGroup, TopicTransfer or BrokerScaling from the program and the
// stack's state, without asking RocketMQ. When the way `pulumi up` would reach the cluster is closed
// (an API server that does not answer, most often), that plan was made without the cluster, which
// the kubernetes provider tells only its debug log: the engine log says so, once per run for each
// thing that did not answer, on the first resource whose check found it.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterAccess } from "../connect/clusterConnection";
import type { ClientTls } from "../connect/tls";
import { connectionModes } from "../connect/modes";
import type { Unreached } from "../connect/reachability";
import type { ResourceLogs } from "../engineLog";
import { resolveInputs } from "../inputs/resolve";

export type FindUnreached = (access: ClusterAccess, deployed: boolean) => Promise<Unreached | undefined>;

const findWithDefaults: FindUnreached = async (access, deployed) => (await import("../connect/reachability")).findUnreached(access, deployed);

export function describeUnreached(unreached: Unreached): string {
    return (
        `the cluster was not reached: ${unreached.target} did not answer (${unreached.reason}). ` +
        "This plan was made without it, from the program and the stack's state alone: nothing in it was checked against the cluster, " +
        "and pulumi up cannot reach RocketMQ there until it answers"
    );
}

export class UnreachedClusterNotice {
    /** One look per way in, shared by every resource that uses it. */
    private readonly looks = new Map<string, Promise<Unreached | undefined>>();
    /** Targets already named in a warning. */
    private readonly told = new Set<string>();

    constructor(
        private readonly logFor: ResourceLogs,
        private readonly find: FindUnreached = findWithDefaults,
    ) {}

    /** After a check that passed: looks at the way in its inputs name, when they are known. */
    async afterCheck(urn: string, olds: Record<string, unknown>, checked: pulumi.provider.CheckResult): Promise<void> {
        if ((checked.failures?.length ?? 0) > 0) return;
        const access = await accessOf(checked.inputs ?? {});
        if (!access) return;
        const deployed = Object.keys(olds).length > 0;
        const key = JSON.stringify([access.nameServerAddresses, access.kubeconfig ?? null, access.connection, access.tls ?? null, deployed]);
        let look = this.looks.get(key);
        if (!look) {
            look = this.find(access, deployed).catch((err: unknown): Unreached => ({ target: "the cluster", reason: (err as Error).message }));
            this.looks.set(key, look);
        }
        const unreached = await look;
        if (!unreached || this.told.has(unreached.target)) return;
        this.told.add(unreached.target);
        const log = this.logFor(urn);
        log.warn(describeUnreached(unreached));
        await log.flush?.();
    }
}

/** How the inputs say to reach the cluster, or undefined while any of it is unknown. */
async function accessOf(inputs: Record<string, unknown>): Promise<ClusterAccess | undefined> {
    const resolved = await resolveInputs(inputs);
    if (resolved.unknownPaths.some((path) => ["nameServerAddresses", "kubeconfig", "connection", "tls"].includes(path.split(/[.[]/)[0]))) return undefined;
    const { nameServerAddresses, kubeconfig, connection = "auto", tls } = resolved.value;
    if (typeof nameServerAddresses !== "string" || (kubeconfig !== undefined && typeof kubeconfig !== "string")) return undefined;
    if (!(connectionModes as readonly unknown[]).includes(connection)) return undefined;
    const clientTls = typeof (tls as ClientTls | undefined)?.caBundle === "string" ? (tls as ClientTls) : undefined;
    return { nameServerAddresses, kubeconfig: kubeconfig as string | undefined, connection: connection as ClusterAccess["connection"], ...(clientTls ? { tls: clientTls } : {}) };
}
