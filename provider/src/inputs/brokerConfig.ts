// broker.conf keys: which ones the provider owns (and why), and the rules for user-supplied keys.
import { z } from "zod";

const replicasFromReplicaPerGroup = "replicas come from broker.replicaPerGroup";

export const ownedConfigKeyReasons = {
    brokerRoleSlave: `brokerRole SLAVE is set by the provider on replica brokers; ${replicasFromReplicaPerGroup}. Use ASYNC_MASTER or SYNC_MASTER`,
} as const;

/** broker.conf keys the provider writes itself, each with the reason a user may not set it. */
export const providerOwnedConfigKeys: Record<string, string> = {
    brokerClusterName: "is set by the provider from the brokerClusterName input",
    brokerName: `is set by the provider for each group (<broker.name>-<group>); ${replicasFromReplicaPerGroup}`,
    brokerId: `is set by the provider (0 for the master, 1..n for replicas); ${replicasFromReplicaPerGroup}`,
    brokerIP1: "is set by the provider to the pod IP from the downward API",
    namesrvAddr: "is set by the provider to the name servers' DNS names; to use other name servers set broker.nameServers",
    storePathRootDir: "is set by the provider to /home/rocketmq/store, where the store volume is mounted",
    listenPort: "is set by the provider to 10911, which its probes and ports use",
    enableControllerMode: "is set by the provider from controller.mode",
    controllerAddr: "is set by the provider to the controllers of controller.mode",
    storePathBrokerIdentity: "is set by the provider in controller mode to the store volume, beside the log",
    storePathEpochFile: "is set by the provider in controller mode to the store volume, beside the log",
};

/** Keys with a typed field of their own in brokerConfig. */
const typedConfigKeys = ["deleteWhen", "fileReservedTime", "flushDiskType", "brokerRole"];
const declaredFields = new Set([...typedConfigKeys, "properties"]);
const configKeyPattern = /^[A-Za-z][A-Za-z0-9_.]*$/;

interface BrokerConfigInput {
    properties?: Record<string, string>;
    [key: string]: unknown;
}

function reasonForKey(key: string, value: unknown, where: "top" | "properties"): string | undefined {
    if (where === "properties" && key === "brokerRole" && value === "SLAVE") {
        return ownedConfigKeyReasons.brokerRoleSlave;
    }
    const owned = providerOwnedConfigKeys[key];
    if (owned) {
        return `${key} ${owned}`;
    }
    if (where === "properties" && typedConfigKeys.includes(key)) {
        return `set broker.brokerConfig.${key} instead, which is checked`;
    }
    if (where === "top" && !declaredFields.has(key)) {
        return `unknown key ${key}: put other broker.conf keys under broker.brokerConfig.properties`;
    }
    return undefined;
}

/** Runs even when a typed field failed, so every bad key is reported in one preview. */
export function checkBrokerConfig(config: BrokerConfigInput, ctx: z.RefinementCtx) {
    for (const [key, value] of Object.entries(config)) {
        const reason = reasonForKey(key, value, "top");
        if (reason) {
            ctx.addIssue({ code: "custom", path: [key], message: reason });
        }
    }
    const properties = typeof config.properties === "object" && config.properties !== null ? config.properties : {};
    for (const [key, value] of Object.entries(properties)) {
        const reason = reasonForKey(key, value, "properties")
            ?? (configKeyPattern.test(key) ? undefined : `"${key}" is not a broker.conf key (letters, digits, '_' or '.', starting with a letter)`)
            ?? (/[\r\n]/.test(String(value)) ? "must be a single line" : undefined);
        if (reason) {
            ctx.addIssue({ code: "custom", path: ["properties", key], message: reason });
        }
    }
}
