// RocketMQ's own rules for the names and addresses a resource that talks to RocketMQ takes, so
// every resource refuses the same things at preview, with the broker's rule in the message.
import { z } from "zod";
import { isGroupTopic, isSystemGroup, isSystemTopic } from "../admin/systemNames";
import { propertyPath } from "./cluster";

/** Characters a broker accepts in a topic or group name (TopicValidator's bit map). */
const rocketmqNamePattern = /^[%|a-zA-Z0-9_-]+$/;
/** Cluster and broker group names: what the name servers report, as a RocketMQCluster names them. */
const clusterNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const hostPortPattern = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** TopicValidator's limits: 127 characters for a topic, 255 for a group (the clients' Validators). */
export const topicNameMaxLength = 127;
export const groupNameMaxLength = 255;

/** A name a broker gives its own topics, or a consumer group's retry and dead-letter topics. */
export function isBrokerOwnTopic(topic: string): boolean {
    return isSystemTopic(topic) || isGroupTopic(topic);
}

/** The brokers' own groups; a group named like a retry or dead-letter topic would be one too. */
export function isBrokerOwnGroup(group: string): boolean {
    return isSystemGroup(group) || isGroupTopic(group);
}

/** A user topic's name; `refusal` says why the brokers' own topics are refused here. */
export function topicNameSchema(refusal: string) {
    return z
        .string({ error: "must be a topic name" })
        .min(1, { error: "must be a topic name (RocketMQ refuses a blank topic)" })
        .max(topicNameMaxLength, { error: `a topic name has at most ${topicNameMaxLength} characters (RocketMQ's limit)` })
        .regex(rocketmqNamePattern, { error: "a topic name has only letters, digits, _, -, % and | (RocketMQ's rule ^[%|a-zA-Z0-9_-]+$)" })
        .refine((topic) => !isBrokerOwnTopic(topic), { error: refusal });
}

/** A consumer group's name; with `refusal`, the brokers' own groups are refused saying why. */
export function groupNameSchema(refusal?: string) {
    const name = z
        .string({ error: "must be a consumer group name" })
        .min(1, { error: "must be a consumer group name (RocketMQ refuses a blank group)" })
        .max(groupNameMaxLength, { error: `a consumer group name has at most ${groupNameMaxLength} characters (RocketMQ's limit)` })
        .regex(rocketmqNamePattern, { error: "a consumer group name has only letters, digits, _, -, % and | (RocketMQ's rule ^[%|a-zA-Z0-9_-]+$)" });
    return refusal === undefined ? name : name.refine((group) => !isBrokerOwnGroup(group), { error: refusal });
}

export const clusterNameSchema = z
    .string({ error: "must be a broker cluster or broker group name" })
    .min(1, { error: "must be a broker cluster or broker group name" })
    .max(127, { error: "a cluster or broker group name has at most 127 characters" })
    .regex(clusterNamePattern, { error: "a cluster or broker group name has only letters, digits, _, . and - and starts with a letter or digit" });

export const nameServerAddressesSchema = z
    .string({ error: "must be name server addresses as host:port;host:port" })
    .refine(
        (text) => {
            const addresses = text.split(";").map((a) => a.trim()).filter((a) => a !== "");
            return addresses.length > 0 && addresses.every((a) => hostPortPattern.test(a) && Number(a.slice(a.lastIndexOf(":") + 1)) <= 65535);
        },
        { error: "must be name server addresses as host:port;host:port (e.g. a RocketMQCluster's nameServerAddresses)" },
    );

export interface InputFailure {
    property: string;
    reason: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; failures: InputFailure[] };

/**
 * Validates raw inputs against a resource's schema and fills in defaults. Issues on inputs not
 * known yet (preview) are left out: `unknownPaths` are the dotted paths resolveInputs reported.
 */
export function validateInputs<S extends z.ZodType>(schema: S, resourceName: string, raw: unknown, unknownPaths: readonly string[] = []): Validation<z.output<S>> {
    const result = schema.safeParse(raw ?? {});
    if (result.success) return { ok: true, value: result.data };
    const failures = result.error.issues
        .flatMap((issue): InputFailure[] =>
            issue.code === "unrecognized_keys"
                ? issue.keys.map((key) => ({ property: propertyPath([...issue.path, key]), reason: `is not an input of ${resourceName} (check its spelling)` }))
                : [{ property: propertyPath(issue.path), reason: issue.message }],
        )
        .filter((failure) => !unknownPaths.some((unknown) => failure.property === unknown || failure.property.startsWith(`${unknown}.`) || failure.property.startsWith(`${unknown}[`)));
    return { ok: false, failures };
}
