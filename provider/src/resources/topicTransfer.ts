// rocketmq:index:TopicTransfer as the engine sees it.
// - check refuses bad names and a source equal to the target, at preview, without contacting anything.
// - diff: another topic, cluster or group list is another transfer (a replacement); a new timeout or
//   name server list is an update that moves nothing.
// - create runs the seven steps (ops/topicTransfer.ts); read reports where the topic really is.
// - delete moves nothing back: the topic stays where the transfer put it. To move it back, declare
//   a TopicTransfer the other way.
import type { ClusterAccess } from "../connect/clusterConnection";
import { CustomResourceHandler } from "../handlers";
import { resolveInputs } from "../inputs/resolve";
import { defaultConsumeTimeoutSeconds, ResolvedTopicTransferArgs, topicTransferInputNames, transferIdentityInputs, validateTopicTransferArgs } from "../inputs/topicTransfer";
import { ProgressLog } from "../ops/progressLog";
import { RemoteTransferAdmin } from "../ops/remoteTransferAdmin";
import { TopicTransferOptions, transferTopic } from "../ops/topicTransfer";
import { describeTransferPlan } from "../ops/transferPlan";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import type { TransferAdmin } from "../ops/transferAdmin";
import { clusterAdminClients } from "./adminClients";
import { plainInputs, stateOf } from "./inputState";

export const topicTransferToken = "rocketmq:index:TopicTransfer";

/** Outputs besides the inputs, declared once: schema.json lists the same names. */
export const topicTransferOutputNames = ["steps", "groupsMoved", "topicBrokers", "location", "durationSeconds", "consumerWaitSeconds"] as const;

/** Where the topic is, as read reports it. */
export type TopicLocation = "target" | "source" | "source and target" | "neither";

/** How create and read reach RocketMQ for one operation; tests substitute their own. Retries are reported to `log`. */
export interface TransferAdminFactory {
    open(access: ClusterAccess, log: ProgressLog): Promise<{ admin: TransferAdmin; close(): void }>;
}

const remoteAdmins: TransferAdminFactory = {
    async open(access, log) {
        const { client, close } = await clusterAdminClients.open(access, log);
        return { admin: new RemoteTransferAdmin(client), close };
    },
};

export function topicTransferHandler(
    admins: TransferAdminFactory = remoteAdmins,
    logFor: ResourceLogs = engineResourceLogs(undefined),
    options: TopicTransferOptions = {},
): CustomResourceHandler {
    return {
        async check(urn, olds, news) {
            const resolved = await resolveInputs(news);
            const validation = validateTopicTransferArgs(resolved.value, resolved.unknownPaths);
            if (validation.ok || validation.failures.length === 0) {
                await announcePlan(logFor(urn), olds, resolved.value, validation.ok ? validation.value.consumeTimeoutSeconds : undefined);
            }
            if (!validation.ok) {
                return validation.failures.length > 0 ? { inputs: news, failures: validation.failures } : { inputs: news };
            }
            // Unknown or secret values travel on as the engine gave them; plain ones come back normalised.
            const passThrough = resolved.unknownPaths.length > 0 || resolved.containsSecrets;
            const defaults = { consumeTimeoutSeconds: validation.value.consumeTimeoutSeconds, connection: validation.value.connection };
            return { inputs: passThrough ? { ...defaults, ...news } : validation.value };
        },

        async diff(_id, olds, news) {
            const resolved = await resolveInputs(news);
            const previous = (await resolveInputs(olds)).value;
            const changed = (key: string) =>
                resolved.unknownPaths.some((p) => p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`)) ||
                JSON.stringify(previous[key] ?? null) !== JSON.stringify(resolved.value[key] ?? null);
            const changes = topicTransferInputNames.filter(changed);
            const replaces = changes.filter((key) => (transferIdentityInputs as readonly string[]).includes(key));
            return { changes: changes.length > 0, replaces, deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const log = logFor(urn);
            const { admin, close } = await admins.open(args, log);
            try {
                const result = await transferTopic(admin, args, log, options);
                return {
                    id: transferId(args),
                    outs: {
                        ...stateOf(args),
                        steps: result.steps.map((s) => ({ step: s.step, name: s.name, startedAt: s.startedAt, finishedAt: s.finishedAt ?? "", note: s.note ?? "" })),
                        groupsMoved: result.groupsMoved,
                        topicBrokers: result.topicBrokers,
                        location: "target" satisfies TopicLocation,
                        durationSeconds: result.totalMs / 1000,
                        consumerWaitSeconds: result.consumerWaitMs / 1000,
                    },
                };
            } finally {
                close();
                await log.flush?.();
            }
        },

        async read(id, props, urn) {
            const args = parse(props);
            const log = logFor(urn ?? "");
            const { admin, close } = await admins.open(args, log);
            try {
                const { topicBrokers, location } = await whereIsTopic(admin, args);
                return { id, props: { ...props, topicBrokers, location } };
            } finally {
                close();
                await log.flush?.();
            }
        },

        async update(_id, olds, news) {
            // Only the timeout or how to reach the cluster changed: the topic stays where it is.
            const args = parse(news);
            const outputs = Object.fromEntries(topicTransferOutputNames.map((name) => [name, olds[name]]));
            return { outs: { ...outputs, ...stateOf(args) } };
        },

        async delete() {
            // Deliberately nothing: deleting the record of a transfer does not move the topic back.
        },
    };
}

/** Which broker groups of the source and target hold the topic now. */
export async function whereIsTopic(admin: TransferAdmin, args: ResolvedTopicTransferArgs): Promise<{ topicBrokers: string[]; location: TopicLocation }> {
    const [source, target] = await Promise.all([admin.resolveBrokers(args.sourceCluster), admin.resolveBrokers(args.targetCluster)]);
    const holding = async (brokers: typeof source) => {
        if (!brokers) return [];
        const configs = await admin.topicConfigs(brokers, [args.topic]);
        return brokers.filter((b) => configs[b.brokerName]?.[args.topic]).map((b) => b.brokerName);
    };
    const [onSource, onTarget] = await Promise.all([holding(source), holding(target)]);
    const location: TopicLocation =
        onSource.length > 0 && onTarget.length > 0 ? "source and target" : onTarget.length > 0 ? "target" : onSource.length > 0 ? "source" : "neither";
    return { topicBrokers: [...onSource, ...onTarget].sort(), location };
}

export function transferId(args: ResolvedTopicTransferArgs): string {
    return `${args.topic}:${args.sourceCluster}->${args.targetCluster}`;
}

function parse(inputs: Record<string, unknown>): ResolvedTopicTransferArgs {
    const validation = validateTopicTransferArgs(plainInputs(inputs, topicTransferInputNames));
    if (!validation.ok) {
        throw new Error(`invalid TopicTransfer inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    }
    return validation.value;
}

/**
 * Preview and up print what a new transfer will do (check runs in both). Nothing is printed for a
 * transfer already done whose identity is unchanged: no topic moves then.
 */
async function announcePlan(log: ProgressLog, olds: Record<string, unknown>, news: Record<string, unknown>, consumeTimeoutSeconds: number | undefined): Promise<void> {
    const sameTransfer = Object.keys(olds).length > 0 && transferIdentityInputs.every((key) => JSON.stringify(olds[key] ?? null) === JSON.stringify(news[key] ?? null));
    if (sameTransfer) return;
    const name = (key: string) => (typeof news[key] === "string" ? (news[key] as string) : `(${key} known after deployment)`);
    const groups = Array.isArray(news.consumerGroups) && news.consumerGroups.every((g) => typeof g === "string") ? (news.consumerGroups as string[]) : undefined;
    const lines = describeTransferPlan({
        topic: name("topic"),
        sourceCluster: name("sourceCluster"),
        targetCluster: name("targetCluster"),
        consumerGroups: groups,
        consumeTimeoutSeconds: consumeTimeoutSeconds ?? (typeof news.consumeTimeoutSeconds === "number" ? news.consumeTimeoutSeconds : defaultConsumeTimeoutSeconds),
    });
    log.info(lines.join("\n"));
    await log.flush?.();
}
