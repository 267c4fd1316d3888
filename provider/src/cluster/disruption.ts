// PodDisruptionBudgets (policy/v1): one for the name servers, one per broker group, the proxies and
// the standalone controllers. Voluntary evictions (a node drain, a cluster autoscaler) then take at
// most one pod of the set at a time, so a master and its replica are never evicted together, and
// never so many controllers that the rest lose their Raft majority.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { defaultMaxUnavailable, PodDisruptionBudgetSpec } from "../inputs/disruptionBudget";
import { ClusterContext, childName, metadataOf, StringMap } from "./context";
import { DeepInput } from "../inputs/clusterInputs";
import { derive } from "./derive";

/** The budget input as the component has it: the whole, or any field, may be an Output. */
export type DisruptionBudgetInputs = DeepInput<PodDisruptionBudgetSpec> | pulumi.Output<PodDisruptionBudgetSpec>;

/** What spec.maxUnavailable / spec.minAvailable a budget input renders to; `defaultMax` when the input sets neither. */
export function disruptionLimit(budget: { maxUnavailable?: number; minAvailable?: number }, defaultMax = defaultMaxUnavailable): { maxUnavailable: number } | { minAvailable: number } {
    if (budget.minAvailable !== undefined) {
        return { minAvailable: budget.minAvailable };
    }
    return { maxUnavailable: budget.maxUnavailable ?? defaultMax };
}

/**
 * The budget of the pods `selector` picks, named `kubernetesName`; none when the budget is turned
 * off. An `enabled` not known until `pulumi up` creates it then.
 */
export function createDisruptionBudget(
    context: ClusterContext,
    kubernetesName: string,
    selector: Record<string, string>,
    labels: StringMap,
    budget: DisruptionBudgetInputs,
    /** The input's path, e.g. `broker.podDisruptionBudget`, for the preview's warning. */
    field: string,
    /** maxUnavailable when the input sets neither it nor minAvailable. */
    defaultMax = defaultMaxUnavailable,
): pulumi.Output<k8s.policy.v1.PodDisruptionBudget | undefined> | k8s.policy.v1.PodDisruptionBudget | undefined {
    const create = () => new k8s.policy.v1.PodDisruptionBudget(childName(context, `${kubernetesName}-pdb`), {
        metadata: metadataOf(context, kubernetesName, labels),
        spec: derive(limitFields(budget), (known) => ({ selector: { matchLabels: selector }, ...disruptionLimit(known, defaultMax) })),
    }, { parent: context.parent });
    const enabled = pulumi.Output.isInstance(budget) ? budget.apply((known) => known.enabled) : budget.enabled;
    if (!pulumi.Output.isInstance(enabled)) {
        return enabled ? create() : undefined;
    }
    pulumi.log.warn(`${field}.enabled: not known until pulumi up; the PodDisruptionBudget ${kubernetesName} is planned then and not shown in this preview`, context.parent);
    return enabled.apply((known) => (known ? create() : undefined));
}

function limitFields(budget: DisruptionBudgetInputs) {
    return pulumi.Output.isInstance(budget)
        ? budget.apply(({ maxUnavailable, minAvailable }) => ({ maxUnavailable, minAvailable }))
        : { maxUnavailable: budget.maxUnavailable, minAvailable: budget.minAvailable };
}
