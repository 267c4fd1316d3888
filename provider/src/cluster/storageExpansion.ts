// A StorageExpansion (resources/storageExpansion.ts) for each StatefulSet whose storage is claimed
// from a StorageClass, with the sizes of its claim templates. The StatefulSet depends on it, so a
// larger size grows every existing claim, and lets the StatefulSet's object go with its pods
// orphaned, before the kubernetes provider replaces that object (claim templates are immutable).
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "./k8s";
import { ClaimTemplateSize, storageExpansionToken } from "../inputs/storageExpansion";
import { ClusterContext, childName } from "./context";
import { derive } from "./derive";
import { StorageInputs } from "./storage";

export class StorageExpansion extends pulumi.CustomResource {
    /**
     * The sizes the claims were grown to. Not an input: in a preview it is known when `pulumi up`
     * resizes nothing (check gives it: the sizes are those deployed, or those of the live
     * StatefulSet, or it does not exist yet) and unknown when claims are to grow (new sizes replace
     * the resource). Unknown, it lets a preview of a StatefulSet replaced for larger templates skip
     * the kubernetes provider's server-side dry run of the new object, which the API server refuses
     * while the old one exists; known, the preview shows the StatefulSet as up leaves it.
     */
    // `declare`: a class field would be set to undefined after the base constructor made the Output.
    declare public readonly appliedClaims: pulumi.Output<ClaimTemplateSize[]>;

    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(storageExpansionToken, name, { ...props, appliedClaims: undefined }, opts);
    }
}

type PersistentVolumeClaim = k8s.types.input.core.v1.PersistentVolumeClaim;

/** The StatefulSet's claim templates, given only once the claims have grown (see appliedClaims). */
export function templatesAfterExpansion(
    field: { volumeClaimTemplates?: pulumi.Input<PersistentVolumeClaim[]> },
    expansion: StorageExpansion | undefined,
): { volumeClaimTemplates?: pulumi.Input<PersistentVolumeClaim[]> } {
    if (expansion === undefined || field.volumeClaimTemplates === undefined) {
        return field;
    }
    return { volumeClaimTemplates: pulumi.all([expansion.appliedClaims, field.volumeClaimTemplates]).apply(([, templates]) => templates) as pulumi.Output<PersistentVolumeClaim[]> };
}

interface ClaimTemplate {
    metadata?: { name?: string };
    spec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } };
}

/** The size and class of each claim template that asks for storage. */
export function claimTemplateSizes(templates: ClaimTemplate[] | undefined): ClaimTemplateSize[] {
    return (templates ?? []).flatMap((template) => {
        const name = template.metadata?.name;
        const storage = template.spec?.resources?.requests?.storage;
        if (name === undefined || storage === undefined) return [];
        const storageClassName = template.spec?.storageClassName;
        return [{ name, storage, ...(storageClassName !== undefined ? { storageClassName } : {}) }];
    });
}

/** None when the storage is known not to come from a StorageClass. `field`: the templates' input, for messages. */
export function createStorageExpansion(context: ClusterContext, statefulSetName: string, spec: StorageInputs, field: string): StorageExpansion | undefined {
    if (!pulumi.Output.isInstance(spec.storageMode) && spec.storageMode !== "StorageClass") {
        return undefined;
    }
    const claims = derive([spec.storageMode, spec.volumeClaimTemplates] as const, ([mode, templates]) =>
        (mode === "StorageClass" ? claimTemplateSizes(templates as ClaimTemplate[] | undefined) : []));
    const kubeconfig = context.args.kubeconfig as pulumi.Input<string> | undefined;
    return new StorageExpansion(childName(context, `${statefulSetName}-storage`), {
        namespace: context.args.namespace,
        statefulSetName,
        field,
        claims,
        ...(kubeconfig !== undefined ? { kubeconfig: pulumi.secret(kubeconfig) } : {}),
    }, { parent: context.parent });
}
