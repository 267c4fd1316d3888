// What a transfer will do, in words, from its inputs alone: preview prints it without contacting
// RocketMQ (the name servers may not even exist yet).
import { retryTopicOf, TOTAL_STEPS } from "./topicTransfer";

export interface PlannedTransfer {
    topic: string;
    sourceCluster: string;
    targetCluster: string;
    consumerGroups?: string[];
    consumeTimeoutSeconds: number;
}

/** One line per step, numbered as the transfer logs them while it runs. */
export function describeTransferPlan(plan: PlannedTransfer): string[] {
    const { topic, sourceCluster: source, targetCluster: target } = plan;
    const groups = plan.consumerGroups && plan.consumerGroups.length > 0 ? plan.consumerGroups.join(", ") : `every consumer group of ${topic} on ${source}`;
    const retryTopics = plan.consumerGroups && plan.consumerGroups.length > 0 ? plan.consumerGroups.map(retryTopicOf).join(", ") : "their retry topics";
    const steps = [
        `add ${groups} to ${target}`,
        `create ${topic} on ${target} with the queues, permission and attributes it has on ${source}`,
        `make ${topic} read-only on ${source}`,
        `wait up to ${plan.consumeTimeoutSeconds} s until those groups have consumed every message of ${topic} on ${source}`,
        `delete ${topic} on ${source} and its route on the name servers`,
        `delete the groups on ${source} (their offsets are kept)`,
        `add ${retryTopics} to ${target}`,
    ];
    return [
        `moves topic ${topic} from ${source} to ${target}; any failure undoes the steps done so far:`,
        ...steps.map((step, i) => `  step ${i + 1} of ${TOTAL_STEPS}: ${step}`),
    ];
}
