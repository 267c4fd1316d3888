// A managed topic's lifecycle on the brokers of its placement: read what each broker group holds,
// bring every group to the declared settings, take the topic away (refusing while messages are left).
import type { RocketMQAdminClient } from "../../admin/client";
import { RocketMQAdminError } from "../../admin/errors";
import { registerTopicRouteEverywhere } from "../../admin/transferOperations";
import type { TopicConfig } from "../../admin/types";
import { messageTypeAttribute } from "../../inputs/topic";
import { describeUnconsumed, unconsumedMessages } from "./leftovers";
import { markManaged, unmarkManaged } from "./managedTopics";
import { describePlacement, PlacedBroker, Placement, placedBrokers, registeredBrokers } from "./placement";

/** The settings of a topic, as declared and as each broker group holds them. */
export interface TopicSettings {
    readQueueNums: number;
    writeQueueNums: number;
    perm: number;
    order: boolean;
    messageType?: string;
    /** Attributes other than message.type. */
    attributes?: Record<string, string>;
}

export interface TopicPresence {
    /** Broker groups of the placement that hold the topic. */
    brokers: string[];
    /** Broker groups of the placement that do not. */
    missingFrom: string[];
}

export interface ReadTopic extends TopicPresence {
    /** What the broker groups hold; where they disagree, the first that differs from `recorded`. Absent when no group holds it. */
    settings?: TopicSettings;
}

export function topicConfigOf(name: string, settings: TopicSettings): TopicConfig {
    const attributes = { ...(settings.attributes ?? {}) };
    if (settings.messageType !== undefined) attributes[messageTypeAttribute] = settings.messageType;
    return { topicName: name, readQueueNums: settings.readQueueNums, writeQueueNums: settings.writeQueueNums, perm: settings.perm, order: settings.order, attributes };
}

export function settingsOf(config: TopicConfig): TopicSettings {
    const { [messageTypeAttribute]: messageType, ...attributes } = config.attributes ?? {};
    const settings: TopicSettings = { readQueueNums: config.readQueueNums, writeQueueNums: config.writeQueueNums, perm: config.perm, order: config.order ?? false };
    if (messageType !== undefined) settings.messageType = messageType;
    if (Object.keys(attributes).length > 0) settings.attributes = attributes;
    return settings;
}

/** The names of the settings that differ, in a fixed order. */
export function changedTopicSettings(from: TopicSettings, to: TopicSettings): string[] {
    const names: (keyof TopicSettings)[] = ["readQueueNums", "writeQueueNums", "perm", "order", "messageType", "attributes"];
    return names.filter((name) => canonical(from[name]) !== canonical(to[name]));
}

/** Each broker's config of the topic, or undefined where the broker has none. */
async function configsOn(client: RocketMQAdminClient, brokers: readonly PlacedBroker[], topic: string): Promise<(TopicConfig | undefined)[]> {
    return Promise.all(
        brokers.map(async (broker) => {
            try {
                return await client.getTopicConfig(broker.address, topic);
            } catch (err) {
                if (err instanceof RocketMQAdminError && err.isNotFound()) return undefined;
                throw err;
            }
        }),
    );
}

export async function readTopic(client: RocketMQAdminClient, name: string, placement: Placement, recorded?: TopicSettings): Promise<ReadTopic> {
    const brokers = placedBrokers(await client.getClusterInfo(), placement);
    const configs = await configsOn(client, brokers, name);
    const held = brokers.flatMap((broker, i) => (configs[i] ? [{ broker, settings: settingsOf(configs[i]) }] : []));
    const presence = {
        brokers: held.map((h) => h.broker.brokerName),
        missingFrom: brokers.filter((_, i) => !configs[i]).map((b) => b.brokerName),
    };
    if (held.length === 0) return presence;
    const drifted = recorded ? held.find((h) => changedTopicSettings(recorded, h.settings).length > 0) : undefined;
    return { ...presence, settings: (drifted ?? held[0]).settings };
}

export interface ApplyTopicOptions {
    allowQueueDecrease: boolean;
    allowDeleteWithUnconsumedMessages: boolean;
    /** Broker groups that held the topic before (the stack's record); those outside the placement now lose it. */
    previousBrokers?: readonly string[];
    /** Attributes the stack recorded, message.type included; those no longer declared are removed. */
    previousAttributes?: Record<string, string>;
}

/**
 * Brings every broker group of the placement to the declared settings: creates the topic where it
 * is missing, updates it where it differs, and removes it from groups no longer in the placement.
 * Returns where the topic is afterwards.
 */
export async function applyTopic(client: RocketMQAdminClient, name: string, placement: Placement, desired: TopicSettings, options: ApplyTopicOptions): Promise<TopicPresence> {
    const info = await client.getClusterInfo();
    const brokers = placedBrokers(info, placement);
    const configs = await configsOn(client, brokers, name);
    if (!options.allowQueueDecrease) {
        const decreases = brokers.flatMap((broker, i) => {
            const current = configs[i];
            if (!current) return [];
            const lower = (["readQueueNums", "writeQueueNums"] as const).filter((field) => desired[field] < current[field]);
            return lower.map((field) => `${field} ${current[field]} -> ${desired[field]} on ${broker.brokerName}`);
        });
        if (decreases.length > 0) {
            throw new Error(
                `topic ${name}: refusing to decrease queues (${decreases.join(", ")}): fewer queues can strand messages in the queues removed and break per-queue ordering; set allowQueueDecrease: true to do it anyway`,
            );
        }
    }
    const declaredAttributes = topicConfigOf(name, desired).attributes ?? {};
    const removedAttributes = Object.keys(options.previousAttributes ?? {}).filter((key) => !(key in declaredAttributes));
    await Promise.all(
        brokers.map(async (broker, i) => {
            const current = configs[i];
            const target = topicConfigOf(name, desired);
            if (!current) {
                await client.createOrUpdateTopic(broker.address, target);
                return;
            }
            const currentSettings = settingsOf(current);
            const stale = removedAttributes.filter((key) => current.attributes?.[key] !== undefined);
            if (changedTopicSettings(currentSettings, desired).length === 0 && stale.length === 0) return;
            // Only the attributes that change are sent: the broker refuses to "update" an attribute it does not allow to change, even to its own value.
            const currentAttributes = current.attributes ?? {};
            const attributes: Record<string, string> = {};
            for (const [key, value] of Object.entries(target.attributes ?? {})) if (currentAttributes[key] !== value) attributes[key] = value;
            for (const key of stale) attributes[`-${key}`] = "";
            await client.createOrUpdateTopic(broker.address, { ...target, attributes });
        }),
    );
    const placed = new Set(brokers.map((b) => b.brokerName));
    const leaving = registeredBrokers(info, (options.previousBrokers ?? []).filter((b) => !placed.has(b)));
    await removeTopicFrom(client, name, leaving, options.allowDeleteWithUnconsumedMessages, `removing it from ${leaving.map((b) => b.brokerName).join(", ")}`);
    await markManaged(client, name, describePlacement(placement));
    return { brokers: brokers.map((b) => b.brokerName), missingFrom: [] };
}

/** Deletes the topic from every broker group of the placement and those the stack recorded. */
export async function deleteTopic(
    client: RocketMQAdminClient,
    name: string,
    placement: Placement,
    recordedBrokers: readonly string[],
    allowDeleteWithUnconsumedMessages: boolean,
): Promise<void> {
    const info = await client.getClusterInfo();
    let brokers: PlacedBroker[];
    try {
        brokers = placedBrokers(info, placement);
    } catch (err) {
        // The placement is gone from the name servers: only recorded groups still registered can hold the topic.
        if (!(err instanceof RocketMQAdminError && err.isNotFound())) throw err;
        brokers = [];
    }
    const names = new Set(brokers.map((b) => b.brokerName));
    brokers.push(...registeredBrokers(info, recordedBrokers.filter((b) => !names.has(b))));
    await removeTopicFrom(client, name, brokers, allowDeleteWithUnconsumedMessages, `deleting it from ${describePlacement(placement)}`);
    await unmarkManaged(client, name);
}

/**
 * Removes the topic from these broker groups and from the name servers' routes for them; other
 * groups of the same clusters that hold the topic keep their routes.
 */
async function removeTopicFrom(client: RocketMQAdminClient, name: string, candidates: readonly PlacedBroker[], allowUnconsumed: boolean, what: string): Promise<void> {
    if (candidates.length === 0) return;
    const configs = await configsOn(client, candidates, name);
    const holding = candidates.filter((_, i) => configs[i] !== undefined);
    if (!allowUnconsumed && holding.length > 0) {
        const left = await unconsumedMessages(client, name, holding);
        if (left.length > 0) {
            throw new Error(`topic ${name}: refusing ${what}: ${describeUnconsumed(left)}; consume them first, or set allowDeleteWithUnconsumedMessages: true (with a pulumi up) to delete anyway`);
        }
    }
    const routeBefore = await client.getTopicRoute(name).catch((err: unknown) => {
        if (err instanceof RocketMQAdminError && err.isNotFound()) return undefined;
        throw err;
    });
    await Promise.all(holding.map((broker) => client.deleteTopicInBroker(broker.address, name)));
    const clusters = [...new Set(candidates.map((b) => b.cluster))];
    for (const cluster of clusters) await client.deleteTopicInNameServers(name, cluster);
    // The name servers drop a topic's route per cluster; give back the entries of groups that keep it.
    const removed = new Set(candidates.map((b) => b.brokerName));
    const clusterOf = new Map(candidates.map((b) => [b.brokerName, b.cluster]));
    const info = routeBefore ? await client.getClusterInfo() : undefined;
    const kept = (routeBefore?.queues ?? []).filter((q) => !removed.has(q.brokerName) && clusters.includes(info?.brokers[q.brokerName]?.cluster ?? clusterOf.get(q.brokerName) ?? ""));
    await registerTopicRouteEverywhere(client, name, kept);
}

function canonical(value: unknown): string {
    if (value === undefined) return "undefined";
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
        return entries.length === 0 ? "undefined" : JSON.stringify(Object.fromEntries(entries));
    }
    return JSON.stringify(value);
}
