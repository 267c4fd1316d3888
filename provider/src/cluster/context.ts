// What every part of the cluster needs to build its objects.
import * as pulumi from "@pulumi/pulumi";
import { ClusterInputs } from "../inputs/clusterInputs";

export interface ClusterContext {
    /** The component's Pulumi name: prefixes children's Pulumi names, and the instance label. */
    name: string;
    instanceLabel: string;
    /** Validated inputs; a value not known until `pulumi up`, or secret, is an Output. */
    args: ClusterInputs;
    parent: pulumi.Resource;
}

/** Pulumi name of a child: unique in the stack even with several clusters. */
export function childName(context: ClusterContext, kubernetesName: string): string {
    return `${context.name}-${kubernetesName}`;
}

export function metadataOf(context: ClusterContext, name: string, labels: pulumi.Input<Record<string, pulumi.Input<string>>>) {
    return {
        name,
        namespace: context.args.namespace,
        labels,
        ...(context.args.annotations ? { annotations: userAnnotations(context) } : {}),
    };
}

export type StringMap = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** The user's labels and annotations, each possibly an Output or holding Outputs. */
export function userLabels(context: ClusterContext): StringMap | undefined {
    return context.args.labels as StringMap | undefined;
}

export function userAnnotations(context: ClusterContext): StringMap | undefined {
    return context.args.annotations as StringMap | undefined;
}
