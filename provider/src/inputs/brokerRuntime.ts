// Inputs of the two resources RocketMQCluster creates to carry changes to running brokers:
// BrokerConfigPush (settings pushed with updateBrokerConfig) and NameServerRegistration (the wait
// until every broker is registered with every name server).
import { z } from "zod";
import { nameServerAccessSchemas, operationAccessSchemas } from "./clusterAccess";
import { imageReferenceSchema } from "./images";
import { nameServerAddressesSchema, validateInputs, Validation } from "./rocketmqNames";
import { controllerModes } from "./controller";

const clusterNameSchema = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" });

export const brokerConfigPushArgsSchema = z.strictObject({
    brokerClusterName: clusterNameSchema,
    /** The name server list the brokers are to have. */
    namesrvAddr: nameServerAddressesSchema,
    /** Declared values of the keys RocketMQ applies at run time (admin/runtimeConfigKeys.ts). */
    settings: z.record(z.string(), z.string({ error: "broker.conf values must be strings" })).default({}),
    /** Digests of what takes effect only on a restart, by key: compared, never pushed. */
    restartSettings: z.record(z.string(), z.string()).default({}),
    allowRestart: z.boolean({ error: "must be true or false" }).default(true),
    /** broker.image of the cluster: the state keeps the one the brokers were given, so check can refuse a downgrade. */
    brokerImage: imageReferenceSchema.optional(),
    /** controller.mode of the cluster: the state keeps the brokers' mode, so check can refuse a move that would lose data. */
    controllerMode: z.enum(controllerModes, { error: `must be one of ${controllerModes.join(", ")}` }).default("none"),
    ...operationAccessSchemas,
});

export type ResolvedBrokerConfigPushArgs = z.output<typeof brokerConfigPushArgsSchema>;

export function validateBrokerConfigPushArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedBrokerConfigPushArgs> {
    return validateInputs(brokerConfigPushArgsSchema, "BrokerConfigPush", raw, unknownPaths);
}

export const nameServerRegistrationArgsSchema = z.strictObject({
    brokerClusterName: clusterNameSchema,
    namesrvAddr: nameServerAddressesSchema,
    /** Broker name -> how many brokers the group runs (its master and replicas). */
    brokers: z.record(z.string(), z.int().min(1)),
    timeoutSeconds: z.int({ error: "must be a whole number of seconds" }).min(1).max(3600).default(300),
    /** The cluster's namespace: where the pods serving the masters' addresses are looked up. */
    namespace: z.string({ error: "must be a string" }).optional(),
    /** The controllers (`host:port;...`) in controller mode: broker ids come from them and they hold each group's sync state set. */
    controllerAddr: z.string({ error: "must be a string" }).optional(),
    // It asks only name servers and controllers, which check no signatures: it takes no credentials.
    ...nameServerAccessSchemas,
});

export type ResolvedNameServerRegistrationArgs = z.output<typeof nameServerRegistrationArgsSchema>;

export function validateNameServerRegistrationArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedNameServerRegistrationArgs> {
    return validateInputs(nameServerRegistrationArgsSchema, "NameServerRegistration", raw, unknownPaths);
}
