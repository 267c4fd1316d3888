// A managed topic's placement change that takes it off broker groups: the groups it leaves are the
// source, its new placement the target, and the move runs the seven steps of a topic transfer
// (ops/topicTransfer.ts), with the same rollback and the same record on the name servers, so the
// next `pulumi up` after a crash resumes the move or finishes its rollback.
import type { RocketMQAdminClient } from "../../admin/client";
import type { ProgressLog } from "../progressLog";
import { RemoteTransferAdmin } from "../remoteTransferAdmin";
import { TopicTransferOptions, TopicTransferResult, transferTopic } from "../topicTransfer";
import { TransferRecordStore } from "../transferRecord";
import { describeUnconsumed, unconsumedMessages } from "./leftovers";
import { describePlacement, Placement, placedBrokers, registeredBrokers } from "./placement";

export interface TopicMoveRequest {
    name: string;
    /** Broker groups that held the topic before (the stack's record). */
    previousBrokers: readonly string[];
    placement: Placement;
    consumeTimeoutSeconds: number;
    /** Messages no consumer group has consumed are deleted with the groups the topic leaves only when this is true. */
    allowDeleteWithUnconsumedMessages: boolean;
}

/**
 * Moves the topic off the broker groups it leaves onto its new placement. Returns undefined when
 * nothing is to move: no group is left, or those left do not hold the topic and no move is in flight.
 */
export async function moveTopicOffLeftGroups(
    client: RocketMQAdminClient,
    request: TopicMoveRequest,
    log: ProgressLog,
    options: TopicTransferOptions = {},
): Promise<TopicTransferResult | undefined> {
    const { name, placement } = request;
    const info = await client.getClusterInfo();
    const target = placedBrokers(info, placement);
    const placed = new Set(target.map((b) => b.brokerName));
    // From the stack's record, so a run after a crash computes the same sides and finds the same transfer record.
    const left = registeredBrokers(info, request.previousBrokers.filter((b) => !placed.has(b)));
    if (left.length === 0) return undefined;
    const admin = new RemoteTransferAdmin(client);
    const inFlight = await new TransferRecordStore(admin).read(name);
    if (!inFlight) {
        const configs = await admin.topicConfigs(left, [name]);
        const holding = left.filter((b) => configs[b.brokerName]?.[name]);
        if (holding.length === 0) return undefined;
        if (!request.allowDeleteWithUnconsumedMessages) {
            // Step 4 waits for the consumer groups; messages no group consumes would be deleted in step 5.
            const unread = (await unconsumedMessages(client, name, holding)).filter((l) => l.group === undefined);
            if (unread.length > 0) {
                throw new Error(
                    `topic ${name}: refusing to move it off ${holding.map((b) => b.brokerName).join(", ")}: ${describeUnconsumed(unread)}, and the move deletes the topic there; ` +
                        "consume them first, or set allowDeleteWithUnconsumedMessages: true (with a pulumi up) to move anyway",
                );
            }
        }
    }
    return transferTopic(
        admin,
        {
            topic: name,
            sourceCluster: describePlacement({ brokerNames: left.map((b) => b.brokerName) }),
            targetCluster: describePlacement(placement),
            sourceBrokerNames: left.map((b) => b.brokerName),
            targetBrokerNames: target.map((b) => b.brokerName),
            consumeTimeoutSeconds: request.consumeTimeoutSeconds,
            byManagingTopic: true,
        },
        log,
        options,
    );
}
