// TopicTransfer inputs: the zod schema validates, the args type is inferred from it. schema.json
// describes the same inputs; a unit test walks both so they cannot drift apart.
import { z } from "zod";
import { isGroupTopic, isSystemTopic } from "../admin/systemNames";
import { propertyPath } from "./cluster";

/** RocketMQ's own rule for topic and group names (TopicValidator). */
const rocketmqNamePattern = /^[%|a-zA-Z0-9_-]+$/;
/** Cluster and broker group names: what the name servers report, as a RocketMQCluster names them. */
const clusterNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const hostPortPattern = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

export const defaultConsumeTimeoutSeconds = 600;

const topicSchema = z
    .string({ error: "must be a topic name" })
    .min(1, { error: "must be a topic name" })
    .max(127, { error: "a topic name has at most 127 characters" })
    .regex(rocketmqNamePattern, { error: "a topic name has only letters, digits, _, -, % and |" })
    // System topics would break the brokers if moved; retry and dead-letter topics move with their group.
    .refine((topic) => !isSystemTopic(topic) && !isGroupTopic(topic), {
        error: "is a topic the brokers keep for themselves; only user topics can be transferred",
    });

const clusterNameSchema = z
    .string({ error: "must be a broker cluster or broker group name" })
    .min(1, { error: "must be a broker cluster or broker group name" })
    .max(127, { error: "a cluster or broker group name has at most 127 characters" })
    .regex(clusterNamePattern, { error: "a cluster or broker group name has only letters, digits, _, . and - and starts with a letter or digit" });

const groupNameSchema = z
    .string({ error: "must be a consumer group name" })
    .min(1, { error: "must be a consumer group name" })
    .max(255, { error: "a consumer group name has at most 255 characters" })
    .regex(rocketmqNamePattern, { error: "a consumer group name has only letters, digits, _, -, % and |" });

const nameServerAddressesSchema = z
    .string({ error: "must be name server addresses as host:port;host:port" })
    .refine(
        (text) => {
            const addresses = text.split(";").map((a) => a.trim()).filter((a) => a !== "");
            return addresses.length > 0 && addresses.every((a) => hostPortPattern.test(a) && Number(a.slice(a.lastIndexOf(":") + 1)) <= 65535);
        },
        { error: "must be name server addresses as host:port;host:port (e.g. a RocketMQCluster's nameServerAddresses)" },
    );

export const topicTransferArgsSchema = z
    .strictObject({
        topic: topicSchema,
        sourceCluster: clusterNameSchema,
        targetCluster: clusterNameSchema,
        nameServerAddresses: nameServerAddressesSchema,
        consumerGroups: z
            .array(groupNameSchema, { error: "must be a list of consumer group names" })
            .min(1, { error: "list at least one group, or leave consumerGroups out to move every group that consumes the topic" })
            .optional(),
        consumeTimeoutSeconds: z
            .int({ error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
            .min(1, { error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
            .max(86400, { error: "consumeTimeoutSeconds must be a whole number from 1 to 86400" })
            .default(defaultConsumeTimeoutSeconds),
    })
    .superRefine((args, ctx) => {
        if (args.sourceCluster === args.targetCluster) {
            ctx.addIssue({ code: "custom", path: ["targetCluster"], message: `the target must differ from the source (both are ${args.sourceCluster})` });
        }
    });

export type TopicTransferArgs = z.input<typeof topicTransferArgsSchema>;
export type ResolvedTopicTransferArgs = z.output<typeof topicTransferArgsSchema>;

/** Inputs whose change means another transfer (a replacement), not an update of this one. */
export const transferIdentityInputs = ["topic", "sourceCluster", "targetCluster", "consumerGroups"] as const;

export interface InputFailure {
    property: string;
    reason: string;
}

export type TopicTransferValidation = { ok: true; value: ResolvedTopicTransferArgs } | { ok: false; failures: InputFailure[] };

/**
 * Validates raw inputs and fills in defaults. Issues on inputs not known yet (preview) are left
 * out: `unknownPaths` are the dotted paths resolveInputs reported.
 */
export function validateTopicTransferArgs(raw: unknown, unknownPaths: readonly string[] = []): TopicTransferValidation {
    const result = topicTransferArgsSchema.safeParse(raw ?? {});
    if (result.success) return { ok: true, value: result.data };
    const failures = result.error.issues
        .flatMap((issue): InputFailure[] =>
            issue.code === "unrecognized_keys"
                ? issue.keys.map((key) => ({ property: propertyPath([...issue.path, key]), reason: "is not an input of TopicTransfer (check its spelling)" }))
                : [{ property: propertyPath(issue.path), reason: issue.message }],
        )
        .filter((failure) => !unknownPaths.some((unknown) => failure.property === unknown || failure.property.startsWith(`${unknown}.`) || failure.property.startsWith(`${unknown}[`)));
    return { ok: false, failures };
}
