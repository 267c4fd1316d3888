// An ACL 2.0 user on every broker of a cluster: created where absent, updated where it differs,
// read back from each broker so refresh sees drift, deleted from each.
import type { RocketMQAdminClient } from "../../admin/client";
import { createUser, deleteUser, getUser, updateUser, UserInfo } from "../../admin/authOperations";
import { everyBrokerOf } from "./everyBroker";

export interface UserSettings {
    password: string;
    userType: "Super" | "Normal";
    userStatus: "enable" | "disable";
}

export interface UserPresence {
    /** Brokers of the cluster that hold the user. */
    brokers: string[];
    /** Brokers of the cluster that lack it, or hold other settings. */
    driftedOn: string[];
}

export async function applyUser(client: RocketMQAdminClient, cluster: string, username: string, settings: UserSettings): Promise<UserPresence> {
    const brokers = await everyBrokerOf(client, cluster);
    for (const broker of brokers) {
        const existing = await getUser(client, broker.address, username);
        const wanted: UserInfo = { username, ...settings };
        if (!existing) await createUser(client, broker.address, wanted);
        else if (!sameUser(existing, wanted)) await updateUser(client, broker.address, wanted);
    }
    return { brokers: brokers.map((b) => b.label), driftedOn: [] };
}

/**
 * The user as the brokers hold it: the settings of the first broker that has it, and which brokers
 * lack it or differ from those (or from `expected`, when given). Undefined settings: no broker has it.
 */
export async function readUser(
    client: RocketMQAdminClient,
    cluster: string,
    username: string,
    expected?: UserSettings,
): Promise<UserPresence & { settings?: UserSettings }> {
    const brokers = await everyBrokerOf(client, cluster);
    const found = await Promise.all(brokers.map((broker) => getUser(client, broker.address, username)));
    const first = found.find((user): user is UserInfo => user !== undefined);
    const settings = first && settingsOf(first);
    const reference = expected ?? settings;
    const driftedOn = brokers.filter((_, i) => !found[i] || !reference || !sameUser(found[i]!, { username, ...reference })).map((b) => b.label);
    return { settings, brokers: brokers.filter((_, i) => found[i]).map((b) => b.label), driftedOn };
}

export async function removeUser(client: RocketMQAdminClient, cluster: string, username: string): Promise<void> {
    for (const broker of await everyBrokerOf(client, cluster)) await deleteUser(client, broker.address, username);
}

function settingsOf(user: UserInfo): UserSettings {
    return { password: user.password ?? "", userType: user.userType === "Super" ? "Super" : "Normal", userStatus: user.userStatus === "disable" ? "disable" : "enable" };
}

function sameUser(held: UserInfo, wanted: UserInfo): boolean {
    const a = settingsOf(held);
    const b = settingsOf(wanted);
    return a.password === b.password && a.userType === b.userType && a.userStatus === b.userStatus;
}
