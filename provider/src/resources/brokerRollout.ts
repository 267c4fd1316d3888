// rocketmq:index:BrokerRollout, created by RocketMQCluster after the name server StatefulSet and,
// when allowRestart is true, after each broker StatefulSet: create and update wait until the
// StatefulSet's pods run the generation its last change produced and are Ready. The brokers depend
// on the name servers' wait, and the next StatefulSet of the rolling order on the one before, so
// name servers roll first and brokers restart one at a time, each after the one before is Ready again.
import { z } from "zod";
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { clusterAccessSchemas } from "../inputs/clusterAccess";
import { validateInputs } from "../inputs/rocketmqNames";
import { loadKubeConfig } from "../connect/kubeconfig";
import { Clock, realClock } from "../ops/progressLog";
import { StatefulSetState, waitForRollout } from "../ops/scaling/rolloutWait";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs } from "./placedResource";

const argsSchema = z.strictObject({
    namespace: z.string().min(1),
    statefulSetName: z.string().min(1),
    /**
     * metadata.generation of the StatefulSet after its last change. The kubernetes provider's
     * preview of a StatefulSet it cannot read (e.g. in a namespace not created yet) leaves it out;
     * the wait then takes the generation the StatefulSet has when the wait starts.
     */
    generation: z.int().min(1).optional(),
    timeoutSeconds: z.int().min(1).max(7200).default(900),
    kubeconfig: clusterAccessSchemas.kubeconfig,
});
type Args = z.output<typeof argsSchema>;
const inputNames = ["namespace", "statefulSetName", "generation", "timeoutSeconds", "kubeconfig"] as const;
const validate = (raw: unknown, unknownPaths: readonly string[] = []) => validateInputs(argsSchema, "BrokerRollout", raw, unknownPaths);

/** Reads a StatefulSet's spec and status through the Kubernetes API. */
export type StatefulSetReader = (kubeconfig: string | undefined, namespace: string, name: string) => Promise<StatefulSetState>;

const readFromApi: StatefulSetReader = async (kubeconfig, namespace, name) => {
    const { AppsV1Api } = await import("@kubernetes/client-node");
    const loaded = await loadKubeConfig(kubeconfig);
    const statefulSet = await loaded.config.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ name, namespace });
    return {
        generation: statefulSet.metadata?.generation,
        replicas: statefulSet.spec?.replicas,
        updateStrategy: statefulSet.spec?.updateStrategy?.type,
        status: statefulSet.status,
    };
};

export function brokerRolloutHandler(read: StatefulSetReader = readFromApi, logFor: ResourceLogs = engineResourceLogs(undefined), clock: Clock = realClock): CustomResourceHandler {
    const wait = async (args: Args, urn: string) => {
        const log = logFor(urn);
        const readStatefulSet = () => read(args.kubeconfig, args.namespace, args.statefulSetName);
        const generation = args.generation ?? (await readStatefulSet()).generation ?? 1;
        await waitForRollout(readStatefulSet, `StatefulSet ${args.namespace}/${args.statefulSetName}`, generation, log,
            { timeoutMs: args.timeoutSeconds * 1000, clock });
        await log.flush?.();
    };
    return {
        check: (_urn, _olds, news) => checkInputs(news, validate),
        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, inputNames, { timeoutSeconds: 900 });
            return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
        },
        async create(urn, inputs) {
            const args = parse(inputs);
            await wait(args, urn);
            return { id: `${args.namespace}/${args.statefulSetName}`, outs: stateOf(args) };
        },
        async read(id, props) {
            return { id, props, inputs: plainInputs(props, inputNames) };
        },
        async update(_id, olds, news, urn) {
            const args = parse(news);
            const { changed } = await changedInputs(olds, news, inputNames, { timeoutSeconds: 900 });
            if (changed.some((key) => key !== "kubeconfig" && key !== "timeoutSeconds")) await wait(args, urn ?? "");
            return { outs: stateOf(args) };
        },
        async delete() {
            // A wait leaves nothing behind.
        },
    };
}

function parse(inputs: Record<string, unknown>): Args {
    const validation = validate(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid BrokerRollout inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
