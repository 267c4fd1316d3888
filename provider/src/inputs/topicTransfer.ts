// TopicTransfer inputs: the zod schema validates, the args type is inferred from it. schema.json
// describes the same inputs; a unit test walks both so they cannot drift apart.
import { z } from "zod";
import { clusterNameSchema, groupNameSchema, nameServerAddressesSchema, topicNameSchema, validateInputs, Validation } from "./rocketmqNames";
import { operationAccessSchemas } from "./clusterAccess";

export const defaultConsumeTimeoutSeconds = 600;

/** How long step 4 of a move waits for consumers; a TopicTransfer and a Topic's placement change share it. */
export const consumeTimeoutSecondsSchema = z
    .int({ error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
    .min(1, { error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
    .max(86400, { error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
    .default(defaultConsumeTimeoutSeconds);

const topicSchema = topicNameSchema("is a topic the brokers keep for themselves; only user topics can be transferred");
const transferGroupSchema = groupNameSchema();

export const topicTransferArgsSchema = z
    .strictObject({
        topic: topicSchema,
        sourceCluster: clusterNameSchema,
        targetCluster: clusterNameSchema,
        nameServerAddresses: nameServerAddressesSchema,
        ...operationAccessSchemas,
        consumerGroups: z
            .array(transferGroupSchema, { error: "must be a list of consumer group names" })
            .min(1, { error: "list at least one group, or leave consumerGroups out to move every group that consumes the topic" })
            .optional(),
        consumeTimeoutSeconds: consumeTimeoutSecondsSchema,
    })
    .superRefine((args, ctx) => {
        if (args.sourceCluster === args.targetCluster) {
            ctx.addIssue({ code: "custom", path: ["targetCluster"], message: `the target must differ from the source (both are ${args.sourceCluster})` });
        }
    });

export type TopicTransferArgs = z.input<typeof topicTransferArgsSchema>;

/** Every input's name, in the schema's order. */
export const topicTransferInputNames = Object.keys(topicTransferArgsSchema.shape) as (keyof TopicTransferArgs)[];
export type ResolvedTopicTransferArgs = z.output<typeof topicTransferArgsSchema>;

/** Inputs whose change means another transfer (a replacement), not an update of this one. */
export const transferIdentityInputs = ["topic", "sourceCluster", "targetCluster", "consumerGroups"] as const;

export type TopicTransferValidation = Validation<ResolvedTopicTransferArgs>;

/**
 * Validates raw inputs and fills in defaults. Issues on inputs not known yet (preview) are left
 * out: `unknownPaths` are the dotted paths resolveInputs reported.
 */
export function validateTopicTransferArgs(raw: unknown, unknownPaths: readonly string[] = []): TopicTransferValidation {
    return validateInputs(topicTransferArgsSchema, "TopicTransfer", raw, unknownPaths);
}
