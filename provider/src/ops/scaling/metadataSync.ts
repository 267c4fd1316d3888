// Copying every topic config and subscription group of the scale source to other broker groups
// (admin/metadataCopy.ts does one copy, in batches, sending only what the target lacks), and
// reporting what a group lacks without sending anything.
import type { RocketMQAdminClient } from "../../admin/client";
import { copyMetadata, CopyResult, planMetadataCopy, readBrokerMetadata } from "../../admin/metadataCopy";
import { BrokerGroup, MASTER_ID } from "../../admin/types";
import { Clock, ProgressLog } from "../progressLog";
import { seconds } from "./timing";

/** What one broker group lacks of the scale source: names missing there or with other settings. */
export interface MissingMetadata {
    brokerName: string;
    topics: string[];
    subscriptionGroups: string[];
}

export interface GroupSync extends CopyResult {
    brokerName: string;
    durationMs: number;
}

/**
 * Copies the source's metadata to every target at once: the source is read once, then each target
 * is compared and sent what it lacks, side by side. Each line of progress names the target.
 */
export async function syncGroups(client: RocketMQAdminClient, source: BrokerGroup, targets: BrokerGroup[], log: ProgressLog, clock: Clock): Promise<GroupSync[]> {
    if (targets.length === 0) return [];
    const began = clock.now();
    const sourceMetadata = await readBrokerMetadata(client, source.addresses[MASTER_ID]);
    return Promise.all(
        targets.map(async (target): Promise<GroupSync> => {
            const result = await copyMetadata(client, sourceMetadata, target.addresses[MASTER_ID], {
                onPlan: (plan) =>
                    log.info(
                        plan.topicsCopied + plan.groupsCopied === 0
                            ? `${target.brokerName} already has every topic (${plan.topicsAlreadyEqual}) and subscription group (${plan.groupsAlreadyEqual}) of ${source.brokerName}; nothing to copy`
                            : `${target.brokerName}: copying ${plan.topicsCopied} topic(s) and ${plan.groupsCopied} subscription group(s) from ${source.brokerName} (${plan.topicsAlreadyEqual} topic(s) and ${plan.groupsAlreadyEqual} group(s) already the same)`,
                    ),
            });
            const durationMs = clock.now() - began;
            if (result.topicsCopied + result.groupsCopied > 0) {
                log.info(`${target.brokerName}: copied ${result.topicsCopied} topic(s) and ${result.groupsCopied} subscription group(s) from ${source.brokerName} in ${seconds(durationMs)}`);
            }
            return { brokerName: target.brokerName, durationMs, ...result };
        }),
    );
}

/** What each target lacks of the source, or differs in; targets that lack nothing are left out. */
export async function missingMetadata(client: RocketMQAdminClient, source: BrokerGroup, targets: BrokerGroup[]): Promise<MissingMetadata[]> {
    const sourceMetadata = await readBrokerMetadata(client, source.addresses[MASTER_ID]);
    const plans = await Promise.all(targets.map((target) => planMetadataCopy(client, sourceMetadata, target.addresses[MASTER_ID])));
    return targets
        .map((target, i) => ({ brokerName: target.brokerName, topics: plans[i].topics.map((t) => t.topicName).sort(), subscriptionGroups: plans[i].groups.map((g) => g.groupName).sort() }))
        .filter((missing) => missing.topics.length + missing.subscriptionGroups.length > 0);
}
