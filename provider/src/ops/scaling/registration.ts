// Waiting until broker groups are registered with the name servers: a group's StatefulSet is ready
// when its port answers, a little before the broker's first registration reaches every name server.
import type { RocketMQAdminClient } from "../../admin/client";
import { BrokerGroup, MASTER_ID } from "../../admin/types";
import { Clock, ProgressLog } from "../progressLog";
import { seconds } from "./timing";

export interface RegistrationWaitOptions {
    timeoutMs: number;
    pollIntervalMs?: number;
    logIntervalMs?: number;
}

/** The groups as the name servers report them once every one has a master in `clusterName`; throws naming those missing. */
export async function waitForMasters(
    client: RocketMQAdminClient,
    clusterName: string,
    brokerNames: string[],
    log: ProgressLog,
    clock: Clock,
    options: RegistrationWaitOptions,
): Promise<Record<string, BrokerGroup>> {
    const began = clock.now();
    let lastLogAt = -Infinity;
    for (;;) {
        const found = await registeredGroups(client, clusterName);
        const missing = brokerNames.filter((name) => !found[name]?.addresses[MASTER_ID]);
        const waited = clock.now() - began;
        if (missing.length === 0) {
            if (waited > 0) log.info(`broker groups ${brokerNames.join(", ")} are registered with the name servers after ${seconds(waited)}`);
            return Object.fromEntries(brokerNames.map((name) => [name, found[name]]));
        }
        if (waited >= options.timeoutMs) {
            throw new Error(
                `the master of broker group(s) ${missing.join(", ")} did not register with the name servers in cluster ${clusterName} within ${seconds(options.timeoutMs)}; nothing was copied or drained`,
            );
        }
        if (clock.now() - lastLogAt >= (options.logIntervalMs ?? 5000)) {
            log.info(`waiting for the master of ${missing.join(", ")} to register with the name servers, ${seconds(waited)} of ${seconds(options.timeoutMs)}`);
            lastLogAt = clock.now();
        }
        await clock.sleep(options.pollIntervalMs ?? 1000);
    }
}

/** Broker groups of one cluster that the name servers know now, by broker name. */
export async function registeredGroups(client: RocketMQAdminClient, clusterName: string): Promise<Record<string, BrokerGroup>> {
    const info = await client.getClusterInfo();
    const names = info.clusters[clusterName] ?? [];
    return Object.fromEntries(names.filter((name) => info.brokers[name]).map((name) => [name, info.brokers[name]]));
}
