// ConsumerGroup inputs: the zod schema validates, the args type is inferred from it. schema.json
// describes the same inputs; a unit test walks both so they cannot drift apart.
import { z } from "zod";
import { operationAccessSchemas } from "./clusterAccess";
import { groupNameSchema, nameServerAddressesSchema, validateInputs, Validation } from "./rocketmqNames";
import { placementSchemas, refinePlacement } from "./topic";

const wholeNumber = (field: string, min: number, max: number) =>
    z
        .int({ error: `${field} must be a whole number from ${min} to ${max}` })
        .min(min, { error: `${field} must be a whole number from ${min} to ${max}` })
        .max(max, { error: `${field} must be a whole number from ${min} to ${max}` });

const flag = (field: string) => z.boolean({ error: `${field} must be true or false` });

/**
 * The subscription group settings this resource manages, with the broker's own defaults
 * (SubscriptionGroupConfig); settings the broker keeps that are not listed here are left as they are.
 */
export const groupSettingSchemas = {
    consumeEnable: flag("consumeEnable").default(true),
    consumeFromMinEnable: flag("consumeFromMinEnable").default(true),
    consumeBroadcastEnable: flag("consumeBroadcastEnable").default(true),
    consumeMessageOrderly: flag("consumeMessageOrderly").default(false),
    retryQueueNums: wholeNumber("retryQueueNums", 1, 64).default(1),
    retryMaxTimes: wholeNumber("retryMaxTimes", 0, 1000).default(16),
    brokerId: wholeNumber("brokerId", 0, 64).default(0),
    whichBrokerWhenConsumeSlowly: wholeNumber("whichBrokerWhenConsumeSlowly", 0, 64).default(1),
    notifyConsumerIdsChangedEnable: flag("notifyConsumerIdsChangedEnable").default(true),
    consumeTimeoutMinute: wholeNumber("consumeTimeoutMinute", 1, 1440).default(15),
};

export type GroupSettingName = keyof typeof groupSettingSchemas;
/** What the broker uses for a setting its config leaves out, and what an input left out means. */
export const groupSettingDefaults = z.object(groupSettingSchemas).parse({});
export const groupSettingNames = Object.keys(groupSettingSchemas) as GroupSettingName[];

export const consumerGroupArgsSchema = z
    .strictObject({
        name: groupNameSchema("is a group the brokers keep for their own tools and clients; declare user groups only"),
        ...placementSchemas,
        ...groupSettingSchemas,
        nameServerAddresses: nameServerAddressesSchema,
        ...operationAccessSchemas,
        allowDeleteWithOnlineConsumers: flag("allowDeleteWithOnlineConsumers").default(false),
    })
    .superRefine(refinePlacement);

export type ConsumerGroupArgs = z.input<typeof consumerGroupArgsSchema>;
export type ResolvedConsumerGroupArgs = z.output<typeof consumerGroupArgsSchema>;

export function validateConsumerGroupArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedConsumerGroupArgs> {
    return validateInputs(consumerGroupArgsSchema, "ConsumerGroup", raw, unknownPaths);
}
