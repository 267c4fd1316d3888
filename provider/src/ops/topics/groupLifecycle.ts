// A managed consumer group's lifecycle on the brokers of its placement: read what each broker group
// holds, bring every group to the declared settings (keeping settings not managed here), delete it
// (refusing while consumers are online).
import type { RocketMQAdminClient } from "../../admin/client";
import { RocketMQAdminError } from "../../admin/errors";
import type { SubscriptionGroupConfig } from "../../admin/types";
import { GroupSettingName, groupSettingNames, ResolvedConsumerGroupArgs } from "../../inputs/consumerGroup";
import { describeOnline, onlineConsumers } from "./leftovers";
import { describePlacement, PlacedBroker, Placement, placedBrokers, registeredBrokers } from "./placement";

export type GroupSettings = Pick<ResolvedConsumerGroupArgs, GroupSettingName>;

export interface GroupPresence {
    brokers: string[];
    missingFrom: string[];
}

export interface ReadGroup extends GroupPresence {
    /** What the broker groups hold; where they disagree, the first that differs from `recorded`. Absent when no group holds it. */
    settings?: GroupSettings;
}

/** The managed settings of a broker's group config; a setting the broker left out has the broker's default. */
export function groupSettingsOf(config: SubscriptionGroupConfig, defaults: GroupSettings): GroupSettings {
    return Object.fromEntries(
        groupSettingNames.map((name) => {
            const value = config[name];
            return [name, typeof value === typeof defaults[name] ? value : defaults[name]];
        }),
    ) as GroupSettings;
}

export function changedGroupSettings(from: Partial<GroupSettings>, to: Partial<GroupSettings>): GroupSettingName[] {
    return groupSettingNames.filter((name) => from[name] !== to[name]);
}

async function groupConfigsOn(client: RocketMQAdminClient, brokers: readonly PlacedBroker[], group: string): Promise<(SubscriptionGroupConfig | undefined)[]> {
    return Promise.all(brokers.map(async (broker) => (await client.getAllSubscriptionGroups(broker.address)).groups[group]));
}

export async function readGroup(client: RocketMQAdminClient, name: string, placement: Placement, defaults: GroupSettings, recorded?: Partial<GroupSettings>): Promise<ReadGroup> {
    const brokers = placedBrokers(await client.getClusterInfo(), placement);
    const configs = await groupConfigsOn(client, brokers, name);
    const held = brokers.flatMap((broker, i) => (configs[i] ? [{ broker, settings: groupSettingsOf(configs[i], defaults) }] : []));
    const presence = { brokers: held.map((h) => h.broker.brokerName), missingFrom: brokers.filter((_, i) => !configs[i]).map((b) => b.brokerName) };
    if (held.length === 0) return presence;
    const drifted = recorded ? held.find((h) => changedGroupSettings(recorded, h.settings).length > 0) : undefined;
    return { ...presence, settings: (drifted ?? held[0]).settings };
}

export interface ApplyGroupOptions {
    allowDeleteWithOnlineConsumers: boolean;
    /** Broker groups that held the group before (the stack's record); those outside the placement now lose it. */
    previousBrokers?: readonly string[];
}

/** Creates the group where it is missing and updates it where it differs; removes it from broker groups left out of the placement. */
export async function applyGroup(client: RocketMQAdminClient, name: string, placement: Placement, desired: GroupSettings, options: ApplyGroupOptions): Promise<GroupPresence> {
    const info = await client.getClusterInfo();
    const brokers = placedBrokers(info, placement);
    const configs = await groupConfigsOn(client, brokers, name);
    await Promise.all(
        brokers.map(async (broker, i) => {
            const current = configs[i];
            if (current && changedGroupSettings(groupSettingsOf(current, desired), desired).length === 0) return;
            // Settings the broker keeps that are not managed here (retry policy, attributes) stay as they are.
            await client.createOrUpdateSubscriptionGroup(broker.address, { ...(current ?? {}), ...desired, groupName: name });
        }),
    );
    const placed = new Set(brokers.map((b) => b.brokerName));
    const leaving = registeredBrokers(info, (options.previousBrokers ?? []).filter((b) => !placed.has(b)));
    await removeGroupFrom(client, name, leaving, options.allowDeleteWithOnlineConsumers, `removing it from ${leaving.map((b) => b.brokerName).join(", ")}`);
    return { brokers: brokers.map((b) => b.brokerName), missingFrom: [] };
}

export async function deleteGroup(client: RocketMQAdminClient, name: string, placement: Placement, recordedBrokers: readonly string[], allowOnline: boolean): Promise<void> {
    const info = await client.getClusterInfo();
    let brokers: PlacedBroker[];
    try {
        brokers = placedBrokers(info, placement);
    } catch (err) {
        if (!(err instanceof RocketMQAdminError && err.isNotFound())) throw err;
        brokers = [];
    }
    const names = new Set(brokers.map((b) => b.brokerName));
    brokers.push(...registeredBrokers(info, recordedBrokers.filter((b) => !names.has(b))));
    await removeGroupFrom(client, name, brokers, allowOnline, `deleting it from ${describePlacement(placement)}`);
}

async function removeGroupFrom(client: RocketMQAdminClient, name: string, brokers: readonly PlacedBroker[], allowOnline: boolean, what: string): Promise<void> {
    if (brokers.length === 0) return;
    const configs = await groupConfigsOn(client, brokers, name);
    // Only where the group still is: a topic move deletes it from the groups the topic left while its consumers may still be connected.
    const holding = brokers.filter((_, i) => configs[i] !== undefined);
    if (!allowOnline && holding.length > 0) {
        const online = await onlineConsumers(client, name, holding);
        if (online.length > 0) {
            throw new Error(`consumer group ${name}: refusing ${what}: ${describeOnline(online)}; stop them first, or set allowDeleteWithOnlineConsumers: true (with a pulumi up) to delete anyway`);
        }
    }
    await Promise.all(holding.map((broker) => client.deleteSubscriptionGroup(broker.address, name)));
}
