// What every part of the cluster needs to build its objects.
import * as pulumi from "@pulumi/pulumi";
import { ResolvedClusterArgs } from "../inputs/cluster";

export interface ClusterContext {
    /** The component's Pulumi name: prefixes children's Pulumi names, and the instance label. */
    name: string;
    instanceLabel: string;
    args: ResolvedClusterArgs;
    parent: pulumi.Resource;
}

/** Pulumi name of a child: unique in the stack even with several clusters. */
export function childName(context: ClusterContext, kubernetesName: string): string {
    return `${context.name}-${kubernetesName}`;
}

export function metadataOf(context: ClusterContext, name: string, labels: Record<string, string>) {
    return {
        name,
        namespace: context.args.namespace,
        labels,
        ...(context.args.annotations ? { annotations: context.args.annotations } : {}),
    };
}
