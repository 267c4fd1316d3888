// Where the scheduler puts RocketMQ pods: by default the pods of one broker group, and the name
// servers, prefer different nodes (preferred pod anti-affinity), so losing one node takes at most
// one of them. The user's `affinity` wins: its podAntiAffinity, when set (even `{}`), replaces
// the default, and its other parts are kept. `topologySpreadConstraints` apply to every pod; a
// constraint without a labelSelector spreads the pods of its own set (a broker group, the name
// servers, the console), which is what a constraint without one could not do.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { ClusterInputs } from "../inputs/clusterInputs";
import { derive } from "./derive";

type Affinity = k8s.types.input.core.v1.Affinity;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

export const hostnameTopologyKey = "kubernetes.io/hostname";

/** Preferred anti-affinity among the pods `selector` picks, node by node. */
export function defaultPodAntiAffinity(selector: Record<string, string>): Affinity["podAntiAffinity"] {
    return {
        preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: hostnameTopologyKey },
        }],
    };
}

/** The pod's affinity: the user's, with the default anti-affinity among `spreadSelector`'s pods unless the user set one. */
export function podAffinity(args: ClusterInputs, spreadSelector: Record<string, string> | undefined): pulumi.Input<Affinity> | undefined {
    const user = args.affinity as pulumi.Input<Record<string, unknown>> | undefined;
    if (spreadSelector === undefined) {
        return user as pulumi.Input<Affinity> | undefined;
    }
    return derive(user, (known): Affinity => {
        if (known !== undefined && "podAntiAffinity" in known) {
            return known as Affinity;
        }
        return { ...(known ?? {}), podAntiAffinity: defaultPodAntiAffinity(spreadSelector) } as Affinity;
    });
}

/** The cluster's topology spread constraints, each without a labelSelector given `ownSelector`. */
export function topologySpreadConstraints(args: ClusterInputs, ownSelector: Record<string, string>): pulumi.Input<TopologySpreadConstraint[]> | undefined {
    const constraints = args.topologySpreadConstraints as pulumi.Input<Record<string, unknown>[]> | undefined;
    if (constraints === undefined) {
        return undefined;
    }
    return derive(constraints, (known) => known.map((constraint) =>
        (constraint.labelSelector === undefined ? { ...constraint, labelSelector: { matchLabels: ownSelector } } : constraint) as TopologySpreadConstraint));
}
