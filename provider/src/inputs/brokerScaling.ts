// BrokerScaling inputs: the zod schema validates, the args type is inferred from it. schema.json
// describes the same inputs; a unit test walks both so they cannot drift apart.
import { z } from "zod";
import { operationAccessSchemas } from "./clusterAccess";
import { allowDroppingUnreadMessagesSchema, drainTimeoutSecondsSchema } from "./drain";
import { clusterNameSchema, nameServerAddressesSchema, validateInputs, Validation } from "./rocketmqNames";

export const brokerScalingToken = "rocketmq:index:BrokerScaling";

export const brokerScalingArgsSchema = z
    .strictObject({
        clusterName: clusterNameSchema,
        brokerNames: z
            .array(clusterNameSchema, { error: "must be a list of broker group names" })
            .min(1, { error: "list at least one broker group" }),
        sourceBrokerName: clusterNameSchema.optional(),
        nameServerAddresses: nameServerAddressesSchema,
        ...operationAccessSchemas,
        drainTimeoutSeconds: drainTimeoutSecondsSchema,
        allowDroppingUnreadMessages: allowDroppingUnreadMessagesSchema,
    })
    .superRefine((args, ctx) => {
        if (new Set(args.brokerNames).size !== args.brokerNames.length) {
            ctx.addIssue({ code: "custom", path: ["brokerNames"], message: "lists a broker group twice" });
        }
        if (args.sourceBrokerName !== undefined && !args.brokerNames.includes(args.sourceBrokerName)) {
            ctx.addIssue({ code: "custom", path: ["sourceBrokerName"], message: `must be one of brokerNames (${args.brokerNames.join(", ")}): the source stays while groups come and go` });
        }
    });

export type BrokerScalingArgs = z.input<typeof brokerScalingArgsSchema>;
export type ResolvedBrokerScalingArgs = z.output<typeof brokerScalingArgsSchema>;

/** The group whose topics and subscription groups the others copy: sourceBrokerName, else the first listed. */
export function sourceGroupOf(args: Pick<ResolvedBrokerScalingArgs, "brokerNames" | "sourceBrokerName">): string {
    return args.sourceBrokerName ?? args.brokerNames[0];
}

export function validateBrokerScalingArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedBrokerScalingArgs> {
    return validateInputs(brokerScalingArgsSchema, "BrokerScaling", raw, unknownPaths);
}
