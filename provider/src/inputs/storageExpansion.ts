// Inputs of rocketmq:index:StorageExpansion, which RocketMQCluster creates for each StatefulSet
// whose storage is claimed from a StorageClass: the claim templates' sizes, so a larger size grows
// every existing claim of the StatefulSet and a smaller one is refused at preview.
import { z } from "zod";
import { clusterAccessSchemas } from "./clusterAccess";
import { quantitySchema } from "./quantities";
import { validateInputs, Validation } from "./rocketmqNames";

export const storageExpansionToken = "rocketmq:index:StorageExpansion";

export const claimTemplateSizeSchema = z.strictObject({
    /** metadata.name of the claim template: the claims are `<name>-<statefulSet>-<ordinal>`. */
    name: z.string().min(1),
    /** spec.resources.requests.storage of the template. */
    storage: quantitySchema,
    /** spec.storageClassName; without it the cluster's default StorageClass provisions the claims. */
    storageClassName: z.string().min(1).optional(),
});

export const storageExpansionArgsSchema = z.strictObject({
    namespace: z.string().min(1),
    statefulSetName: z.string().min(1),
    /** The cluster's input the templates come from, e.g. `broker.volumeClaimTemplates`, for messages. */
    field: z.string().min(1),
    claims: z.array(claimTemplateSizeSchema),
    timeoutSeconds: z.int().min(1).max(7200).default(600),
    kubeconfig: clusterAccessSchemas.kubeconfig,
});

export type ClaimTemplateSize = z.output<typeof claimTemplateSizeSchema>;
export type StorageExpansionArgs = z.output<typeof storageExpansionArgsSchema>;
export const storageExpansionInputNames = ["namespace", "statefulSetName", "field", "claims", "timeoutSeconds", "kubeconfig"] as const;

export function validateStorageExpansionArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<StorageExpansionArgs> {
    return validateInputs(storageExpansionArgsSchema, "StorageExpansion", raw, unknownPaths);
}
