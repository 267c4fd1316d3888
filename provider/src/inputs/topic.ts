// Topic inputs: the zod schema validates, the args type is inferred from it. schema.json describes
// the same inputs; a unit test walks both so they cannot drift apart.
import { z } from "zod";
import { operationAccessSchemas } from "./clusterAccess";
import { consumeTimeoutSecondsSchema } from "./topicTransfer";
import { clusterNameSchema, nameServerAddressesSchema, topicNameSchema, validateInputs, Validation } from "./rocketmqNames";

/** A queue count the provider accepts; brokers take more, but thousands of queues per group is a mistake. */
export const maxQueueNums = 1024;
/** Topic permission bits (RocketMQ's PermName): write only, read only, read and write. */
export const topicPerms = [2, 4, 6] as const;
/** Message types a RocketMQ 5 broker records in the topic's `message.type` attribute. */
export const messageTypes = ["NORMAL", "FIFO", "DELAY", "TRANSACTION"] as const;
export const messageTypeAttribute = "message.type";

const queueNumsSchema = (field: string) =>
    z
        .int({ error: `${field} must be a whole number from 1 to ${maxQueueNums}` })
        .min(1, { error: `${field} must be a whole number from 1 to ${maxQueueNums}` })
        .max(maxQueueNums, { error: `${field} must be a whole number from 1 to ${maxQueueNums}` })
        .default(8);

function isQueueCount(value: number): boolean {
    return Number.isInteger(value) && value >= 1 && value <= maxQueueNums;
}

export const placementSchemas = {
    clusterName: clusterNameSchema.optional(),
    brokerNames: z
        .array(clusterNameSchema, { error: "must be a list of broker group names" })
        .min(1, { error: "list at least one broker group, or give clusterName instead" })
        .optional(),
};

/** Exactly one of clusterName and brokerNames says where a topic or group lives. */
export function refinePlacement(args: { clusterName?: string; brokerNames?: string[] }, ctx: z.RefinementCtx): void {
    if (args.clusterName !== undefined && args.brokerNames !== undefined) {
        ctx.addIssue({ code: "custom", path: ["brokerNames"], message: "give clusterName or brokerNames, not both" });
    } else if (args.clusterName === undefined && args.brokerNames === undefined) {
        ctx.addIssue({ code: "custom", path: ["clusterName"], message: "give clusterName (every master of a broker cluster) or brokerNames (listed broker groups)" });
    } else if (args.brokerNames && new Set(args.brokerNames).size !== args.brokerNames.length) {
        ctx.addIssue({ code: "custom", path: ["brokerNames"], message: "lists a broker group twice" });
    }
}

export const topicArgsSchema = z
    .strictObject({
        name: topicNameSchema("is a topic the brokers keep for themselves (system, retry or dead-letter topic); declare user topics only"),
        ...placementSchemas,
        readQueueNums: queueNumsSchema("readQueueNums"),
        writeQueueNums: queueNumsSchema("writeQueueNums"),
        perm: z
            .int({ error: "perm must be 2 (write only), 4 (read only) or 6 (read and write)" })
            .refine((perm) => (topicPerms as readonly number[]).includes(perm), { error: "perm must be 2 (write only), 4 (read only) or 6 (read and write)" })
            .default(6),
        order: z.boolean({ error: "order must be true or false" }).default(false),
        messageType: z.enum(messageTypes, { error: `messageType must be one of ${messageTypes.join(", ")}` }).optional(),
        attributes: z
            .record(z.string(), z.string({ error: "an attribute value must be text" }), { error: "must be a map of attribute names to values" })
            .refine((attributes) => !(messageTypeAttribute in attributes), { error: `set ${messageTypeAttribute} through messageType` })
            .refine((attributes) => Object.keys(attributes).every((key) => /^[A-Za-z0-9_.]+$/.test(key)), {
                error: "an attribute name has only letters, digits, _ and . (e.g. queue.type)",
            })
            .optional(),
        nameServerAddresses: nameServerAddressesSchema,
        ...operationAccessSchemas,
        consumeTimeoutSeconds: consumeTimeoutSecondsSchema,
        allowQueueDecrease: z.boolean({ error: "allowQueueDecrease must be true or false" }).default(false),
        allowDeleteWithUnconsumedMessages: z.boolean({ error: "allowDeleteWithUnconsumedMessages must be true or false" }).default(false),
    })
    .superRefine((args, ctx) => {
        refinePlacement(args, ctx);
        // A count out of range is reported on its own field; comparing it would blame the other one.
        if (isQueueCount(args.readQueueNums) && isQueueCount(args.writeQueueNums) && args.readQueueNums < args.writeQueueNums) {
            ctx.addIssue({
                code: "custom",
                path: ["readQueueNums"],
                message: `must be at least writeQueueNums (${args.writeQueueNums}): messages written to queues that consumers do not read would be stranded`,
            });
        }
    });

export type TopicArgs = z.input<typeof topicArgsSchema>;
export type ResolvedTopicArgs = z.output<typeof topicArgsSchema>;

export function validateTopicArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedTopicArgs> {
    return validateInputs(topicArgsSchema, "Topic", raw, unknownPaths);
}
