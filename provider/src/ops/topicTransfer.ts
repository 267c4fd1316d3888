// Moves a topic from one broker cluster (or broker group) to another in seven steps, each with
// its undo. On any failure the steps already started are undone in reverse, and the error names the
// step, the cause and what was undone. Progress is kept on the name servers (transferRecord.ts),
// so a run that dies mid-way is resumed, or its rollback finished, by the next run.
import { canonicalJson } from "../admin/fastjson";
import { isGroupTopic, RETRY_TOPIC_PREFIX } from "../admin/systemNames";
import { Perm, SubscriptionGroupConfig, TopicConfig } from "../admin/types";
import { waitForConsumers } from "./consumerWait";
import { deleteGroupsAndSettle } from "./groupSettle";
import { Clock, ProgressLog, realClock } from "./progressLog";
import type { BrokerRef, TransferAdmin } from "./transferAdmin";
import { StepProgress, TransferRecord, TransferRecordStore } from "./transferRecord";
import { objectFromEntries } from "../admin/nameMaps";

export interface TopicTransferRequest {
    topic: string;
    /** A broker cluster name, or one broker group name. */
    sourceCluster: string;
    targetCluster: string;
    /** The groups to move; when absent, every group that consumes the topic on the source. */
    consumerGroups?: string[];
    /** How long step 4 waits for consumers to drain the source. */
    consumeTimeoutSeconds: number;
    /**
     * The broker groups each side stands for, when a Topic's placement change names them (the groups
     * the topic leaves, and its new placement); sourceCluster and targetCluster then only describe the sides.
     */
    sourceBrokerNames?: string[];
    targetBrokerNames?: string[];
    /** Set when the Topic resource that manages the topic moves it itself: the refusal of managed topics is for others. */
    byManagingTopic?: boolean;
}

export interface TopicTransferOptions {
    clock?: Clock;
    pollIntervalMs?: number;
    logIntervalMs?: number;
    /** How long step 6 keeps the deleted groups deleted (groupSettle.ts); 0 skips the watch. */
    groupSettleMs?: number;
}

export interface TopicTransferResult {
    steps: StepProgress[];
    groupsMoved: string[];
    /** Broker groups that hold the topic once the transfer is done. */
    topicBrokers: string[];
    /** True when this run continued a transfer an earlier run had left unfinished. */
    resumed: boolean;
    totalMs: number;
    /** Time step 4 spent waiting for consumers; totalMs minus this is the transfer's own overhead. */
    consumerWaitMs: number;
}

/** A refusal before anything changed: unknown cluster, missing topic, conflicting target. */
export class TopicTransferRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TopicTransferRefused";
    }
}

/** A step failed; `undone` lists what the rollback undid, `undoFailures` what it could not. */
export class TopicTransferError extends Error {
    constructor(
        message: string,
        readonly step: number,
        readonly stepName: string,
        readonly undone: string[],
        readonly undoFailures: string[],
        options?: { cause?: unknown },
    ) {
        super(message, options);
        this.name = "TopicTransferError";
    }
}

/** What a step sees: the record, both sides' masters (looked up when first needed), and the admin. */
interface StepContext {
    admin: TransferAdmin;
    record: TransferRecord;
    source(): Promise<BrokerRef[]>;
    target(): Promise<BrokerRef[]>;
    log: ProgressLog;
    clock: Clock;
    options: TopicTransferOptions;
    /** Milliseconds step 4 waited. */
    consumerWaitMs: number;
}

interface TransferStep {
    number: number;
    name: string;
    /** Does the step; returns what it did, in words. Must be safe to run again after a crash. */
    run(ctx: StepContext): Promise<string>;
    /** Undoes the step, even when it only partly ran; returns what it undid. Safe to run again. */
    undo(ctx: StepContext): Promise<string>;
}

export const TOTAL_STEPS = 7;

// ---- the seven steps, in order ----

export const transferSteps: readonly TransferStep[] = [
    {
        number: 1,
        name: "add the consumer groups to the target",
        async run(ctx) {
            const configs = ctx.record.groups.map((group) => sourceGroupConfig(ctx.record, group));
            await ctx.admin.putGroups(await ctx.target(), configs);
            return `added ${listOf(ctx.record.groups)} to the target`;
        },
        async undo(ctx) {
            const added = ctx.record.groups.filter((g) => !ctx.record.targetHad.groups.includes(g));
            if (ctx.record.keptOnTarget) return `kept ${listOf(added)} on the target, which still holds messages of the topic`;
            const target = await ctx.target();
            // A request of the group reaching the target (a heartbeat, a parked pull) makes its
            // brokers create it again: kept deleted as step 6 keeps the source's.
            await deleteGroupsAndSettle(ctx.admin, new Map(target.map((broker) => [broker, added])), ctx.record.topic, ctx.log, ctx.clock, {
                settleMs: ctx.options.groupSettleMs,
                pollIntervalMs: ctx.options.pollIntervalMs,
            });
            const removedRetry = await removeRetryTopicsBrokersMade(ctx, target, added);
            const retry = removedRetry.length > 0 ? ` and ${listOf(removedRetry)}, which the brokers made for them when a consumer's heartbeat came` : "";
            return `removed ${listOf(added)} from the target${retry}`;
        },
    },
    {
        number: 2,
        name: "add the topic to the target",
        async run(ctx) {
            await ctx.admin.putTopic(await ctx.target(), originalTopicConfig(ctx.record));
            return `created the topic on ${ctx.record.targetBrokers.join(", ")} with the source's queues, permission and attributes`;
        },
        async undo(ctx) {
            if (ctx.record.targetHad.topic) return "left the topic on the target, where it was before the transfer";
            const target = await ctx.target();
            // Producers could write to both sides between steps 2 and 3: never delete those messages.
            const stored = await ctx.admin.messageCount(target, ctx.record.topic);
            if (stored > 0) {
                await ctx.admin.putTopic(target, { ...originalTopicConfig(ctx.record), perm: Perm.READ });
                ctx.record.keptOnTarget = true;
                return `kept the topic on the target read-only: it holds ${stored} messages written while both sides took writes`;
            }
            await ctx.admin.deleteTopic(target, ctx.record.topic);
            return "removed the topic from the target";
        },
    },
    {
        number: 3,
        name: "forbid new writes to the topic on the source",
        async run(ctx) {
            for (const broker of await ctx.source()) {
                const original = ctx.record.sourceTopic[broker.brokerName];
                await ctx.admin.putTopic([broker], { ...original, perm: original.perm & ~Perm.WRITE });
            }
            return "made the topic read-only on the source";
        },
        undo: restoreSourceTopic,
    },
    {
        number: 4,
        name: "wait until every consumer group has consumed the topic on the source",
        async run(ctx) {
            ctx.consumerWaitMs = await waitForConsumers(
                ctx.admin,
                await ctx.source(),
                ctx.record.groups,
                ctx.record.topic,
                ctx.log,
                ctx.clock,
                { timeoutMs: ctx.record.consumeTimeoutSeconds * 1000, pollIntervalMs: ctx.options.pollIntervalMs, logIntervalMs: ctx.options.logIntervalMs },
            );
            return `every group had consumed every message after ${(ctx.consumerWaitMs / 1000).toFixed(1)} s`;
        },
        async undo() {
            return "nothing to undo";
        },
    },
    {
        number: 5,
        name: "delete the topic on the source",
        async run(ctx) {
            await ctx.admin.deleteTopic(await ctx.source(), ctx.record.topic);
            return `deleted the topic on ${ctx.record.sourceBrokers.join(", ")} and its route on the name servers`;
        },
        undo: restoreSourceTopic,
    },
    {
        number: 6,
        name: "delete the consumer groups on the source",
        async run(ctx) {
            const { groupsKeptOnSource } = ctx.record;
            const toDelete = new Map<BrokerRef, string[]>();
            for (const broker of await ctx.source()) {
                const onBroker = Object.keys(ctx.record.sourceGroups[broker.brokerName] ?? {});
                toDelete.set(broker, onBroker.filter((g) => !groupsKeptOnSource.includes(g)));
            }
            const recreated = await deleteGroupsAndSettle(ctx.admin, toDelete, ctx.record.topic, ctx.log, ctx.clock, {
                settleMs: ctx.options.groupSettleMs,
                pollIntervalMs: ctx.options.pollIntervalMs,
            });
            const deleted = ctx.record.groups.filter((g) => !groupsKeptOnSource.includes(g));
            const kept = groupsKeptOnSource.length > 0 ? `; kept ${listOf(groupsKeptOnSource)}, which also consume other topics there` : "";
            const again = Object.keys(recreated).length > 0 ? `; deleted ${listOf(Object.keys(recreated).sort())} again after the brokers re-created them` : "";
            return `deleted ${listOf(deleted)} on the source (their offsets are kept)${kept}${again}`;
        },
        async undo(ctx) {
            for (const broker of await ctx.source()) {
                await ctx.admin.putGroups([broker], Object.values(ctx.record.sourceGroups[broker.brokerName] ?? {}));
            }
            return `restored ${listOf(ctx.record.groups)} on the source with their original configs`;
        },
    },
    {
        number: 7,
        name: "add the retry topics to the target",
        async run(ctx) {
            const target = await ctx.target();
            await Promise.all(retryTopicsToAdd(ctx.record).map((retryTopic) => ctx.admin.putTopic(target, retryTopicConfig(ctx.record, retryTopic))));
            return `added ${listOf(ctx.record.groups.map(retryTopicOf))} to the target`;
        },
        async undo(ctx) {
            const target = await ctx.target();
            const added = retryTopicsToAdd(ctx.record);
            for (const retryTopic of added) await ctx.admin.deleteTopic(target, retryTopic);
            return `removed ${listOf(added)} from the target`;
        },
    },
];

/** Undo of steps 3 and 5: every source broker holds the topic again with its original config. */
async function restoreSourceTopic(ctx: StepContext): Promise<string> {
    for (const broker of await ctx.source()) {
        await ctx.admin.putTopic([broker], ctx.record.sourceTopic[broker.brokerName]);
    }
    return "the topic is on the source again with its original config and write permission";
}

// ---- running, resuming and rolling back ----

/**
 * Runs a transfer to its end, or rolls it back and throws TopicTransferError. When the name servers
 * hold the record of an unfinished transfer of the same topic between the same sides, it continues
 * that one (or finishes its rollback first) instead of starting over.
 */
export async function transferTopic(
    admin: TransferAdmin,
    request: TopicTransferRequest,
    log: ProgressLog,
    options: TopicTransferOptions = {},
): Promise<TopicTransferResult> {
    const clock = options.clock ?? realClock;
    const began = clock.now();
    const store = new TransferRecordStore(admin);
    let record = await store.read(request.topic);
    let resumed = false;
    if (record) {
        refuseOtherTransfer(record, request);
        if (record.phase === "rolling-back") {
            log.warn(`topic ${request.topic}: an earlier transfer was interrupted while rolling back; finishing its rollback first`);
            const ctx = contextFor(admin, record, log, clock, options);
            const outcome = await rollBack(ctx, store, record.failure ?? "an earlier run stopped");
            if (outcome.undoFailures.length > 0) {
                throw transferError(record, undefined, new Error(record.failure ?? "an earlier run stopped"), outcome);
            }
            record = undefined;
        } else {
            resumed = true;
            record.consumeTimeoutSeconds = request.consumeTimeoutSeconds;
            const done = record.steps.filter((s) => s.finishedAt).map((s) => s.step);
            log.info(`topic ${request.topic}: resuming the transfer recorded on the name servers (steps done: ${done.join(", ") || "none"})`);
        }
    }
    if (!record) {
        const managedOn = request.byManagingTopic ? undefined : await admin.managedTopicPlacement(request.topic);
        if (managedOn !== undefined) {
            throw new TopicTransferRefused(
                `topic ${request.topic} is managed by a Topic resource (on ${managedOn}); a TopicTransfer would move it behind that resource's back: change the Topic's clusterName or brokerNames instead`,
            );
        }
        const planned = await planTransfer(admin, request, clock);
        if (!planned.record) {
            log.warn(`topic ${request.topic} is already on ${request.targetCluster} and no longer on ${request.sourceCluster}; nothing to move`);
            return { steps: [], groupsMoved: [], topicBrokers: planned.alreadyOnTarget, resumed: false, totalMs: clock.now() - began, consumerWaitMs: 0 };
        }
        record = planned.record;
        await store.write(record);
    }

    const ctx = contextFor(admin, record, log, clock, options);
    for (const step of transferSteps) {
        if (record.steps.find((s) => s.step === step.number)?.finishedAt) continue;
        try {
            await runStep(ctx, store, step);
        } catch (cause) {
            const outcome = await rollBack(ctx, store, message(cause));
            throw transferError(record, step, cause, outcome);
        }
    }
    await store.remove(record.topic);
    log.info(`topic ${record.topic}: transfer from ${record.source} to ${record.target} complete`);
    return {
        steps: record.steps,
        groupsMoved: record.groups,
        topicBrokers: record.targetBrokers,
        resumed,
        totalMs: clock.now() - began,
        consumerWaitMs: ctx.consumerWaitMs,
    };
}

/** Records the step as started, runs it, records it as finished: a run dying in between leaves it "started". */
async function runStep(ctx: StepContext, store: TransferRecordStore, step: TransferStep): Promise<void> {
    const { record } = ctx;
    ctx.log.info(`topic ${record.topic}: step ${step.number} of ${TOTAL_STEPS}: ${step.name}`);
    let progress = record.steps.find((s) => s.step === step.number);
    if (!progress) {
        progress = { step: step.number, name: step.name, startedAt: isoTime(ctx.clock) };
        record.steps.push(progress);
    }
    await store.write(record);
    progress.note = await step.run(ctx);
    progress.finishedAt = isoTime(ctx.clock);
    await store.write(record);
}

interface RollbackOutcome {
    undone: string[];
    undoFailures: string[];
}

/** Undoes every started step, last first. Keeps the record while anything could not be undone. */
async function rollBack(ctx: StepContext, store: TransferRecordStore, failure: string): Promise<RollbackOutcome> {
    const { record, log } = ctx;
    const undone: string[] = [];
    const undoFailures: string[] = [];
    record.phase = "rolling-back";
    record.failure ??= failure;
    await store.write(record).catch((err) => undoFailures.push(`recording the rollback: ${message(err)}`));
    for (const progress of [...record.steps].sort((a, b) => b.step - a.step)) {
        const step = transferSteps[progress.step - 1];
        if (!progress.undoneAt) {
            try {
                progress.note = await step.undo(ctx);
                progress.undoneAt = isoTime(ctx.clock);
                log.info(`topic ${record.topic}: undid step ${step.number} (${step.name}): ${progress.note}`);
                await store.write(record);
            } catch (err) {
                undoFailures.push(`step ${step.number} (${step.name}): ${message(err)}`);
                continue;
            }
        }
        undone.push(`step ${step.number} (${progress.note})`);
    }
    if (undoFailures.length === 0) {
        await store.remove(record.topic).catch((err) => undoFailures.push(`removing the transfer record: ${message(err)}`));
    }
    return { undone, undoFailures };
}

function transferError(record: TransferRecord, step: TransferStep | undefined, cause: unknown, outcome: RollbackOutcome): TopicTransferError {
    const where = step ? `step ${step.number} of ${TOTAL_STEPS} (${step.name}) failed` : "an earlier run failed";
    const lines = [`transfer of topic ${record.topic} from ${record.source} to ${record.target}: ${where}: ${message(cause)}.`];
    lines.push(outcome.undone.length > 0 ? `Undone: ${outcome.undone.join("; ")}.` : "Nothing had been changed.");
    if (outcome.undoFailures.length > 0) {
        lines.push(`Could not undo: ${outcome.undoFailures.join("; ")}.`);
        lines.push("The transfer's record stays on the name servers; the next run finishes the rollback.");
    } else {
        lines.push("The source is as it was before the transfer.");
    }
    return new TopicTransferError(lines.join(" "), step?.number ?? 0, step?.name ?? "", outcome.undone, outcome.undoFailures, { cause });
}

function contextFor(admin: TransferAdmin, record: TransferRecord, log: ProgressLog, clock: Clock, options: TopicTransferOptions): StepContext {
    let source: Promise<BrokerRef[]> | undefined;
    let target: Promise<BrokerRef[]> | undefined;
    // Looked up lazily and once per run: with the target down, the source can still be restored.
    const lookUp = (names: string[]) => admin.brokersNamed(names);
    return {
        admin,
        record,
        log,
        clock,
        options,
        consumerWaitMs: 0,
        source: () => (source ??= lookUp(record.sourceBrokers).catch((err) => ((source = undefined), Promise.reject(err)))),
        target: () => (target ??= lookUp(record.targetBrokers).catch((err) => ((target = undefined), Promise.reject(err)))),
    };
}

function refuseOtherTransfer(record: TransferRecord, request: TopicTransferRequest): void {
    if (record.source !== request.sourceCluster || record.target !== request.targetCluster) {
        throw new TopicTransferRefused(
            `topic ${request.topic} is already being transferred from ${record.source} to ${record.target} (started ${record.startedAt}); ` +
                "that transfer must finish or roll back before another one starts",
        );
    }
}

// ---- planning: everything read, nothing changed ----

/** A transfer to run, or (after a crash past the last step) the broker groups already holding the topic. */
type Plan = { record: TransferRecord; alreadyOnTarget?: undefined } | { record?: undefined; alreadyOnTarget: string[] };

async function planTransfer(admin: TransferAdmin, request: TopicTransferRequest, clock: Clock): Promise<Plan> {
    const { topic, sourceCluster, targetCluster } = request;
    const side = (named: string[] | undefined, clusterOrGroup: string) => (named ? admin.brokersNamed(named) : admin.resolveBrokers(clusterOrGroup));
    const [sourceAll, targetAll] = await Promise.all([side(request.sourceBrokerNames, sourceCluster), side(request.targetBrokerNames, targetCluster)]);
    if (!sourceAll || sourceAll.length === 0) throw new TopicTransferRefused(`sourceCluster ${sourceCluster} is neither a broker cluster nor a broker group the name servers know`);
    if (!targetAll || targetAll.length === 0) throw new TopicTransferRefused(`targetCluster ${targetCluster} is neither a broker cluster nor a broker group the name servers know`);
    const shared = sourceAll.filter((s) => targetAll.some((t) => t.brokerName === s.brokerName)).map((b) => b.brokerName);
    if (shared.length > 0) throw new TopicTransferRefused(`sourceCluster ${sourceCluster} and targetCluster ${targetCluster} share broker groups ${shared.join(", ")}`);

    const [sourceTopics, targetTopics] = await Promise.all([admin.topicConfigs(sourceAll, [topic]), admin.topicConfigs(targetAll, [topic])]);
    const sourceBrokers = sourceAll.filter((b) => sourceTopics[b.brokerName]?.[topic]);
    const targetHolding = targetAll.filter((b) => targetTopics[b.brokerName]?.[topic]);
    if (sourceBrokers.length === 0) {
        if (targetHolding.length > 0) return { alreadyOnTarget: targetHolding.map((b) => b.brokerName) };
        throw new TopicTransferRefused(`topic ${topic} does not exist on ${sourceCluster}`);
    }
    const sourceTopic = objectFromEntries(sourceBrokers.map((b) => [b.brokerName, sourceTopics[b.brokerName][topic]]));
    const template = sourceTopic[sourceBrokers[0].brokerName];
    for (const b of targetHolding) {
        const existing = targetTopics[b.brokerName][topic];
        if (!sameQueues(existing, template)) {
            throw new TopicTransferRefused(
                `topic ${topic} already exists on target broker group ${b.brokerName} with other settings ` +
                    `(${describeTopic(existing)}, source has ${describeTopic(template)}); remove it or make it match first`,
            );
        }
    }

    const groups = request.consumerGroups ? [...new Set(request.consumerGroups)].sort() : await admin.consumerGroupsOf(sourceBrokers, topic);
    const retryTopics = groups.map(retryTopicOf);
    const consumedTopics = await Promise.all(groups.map((g) => admin.topicsConsumedBy(sourceBrokers, g)));
    // Deleting a group that still consumes other topics on the source would stop that consumption.
    const groupsKeptOnSource = groups.filter((_, i) => consumedTopics[i].some((t) => t !== topic && !isGroupTopic(t)));
    const [sourceGroups, targetGroups, sourceRetry, targetRetry] = await Promise.all([
        admin.subscriptionGroups(sourceBrokers, groups),
        admin.subscriptionGroups(targetAll, groups),
        admin.topicConfigs(sourceBrokers, retryTopics),
        admin.topicConfigs(targetAll, retryTopics),
    ]);
    if (request.consumerGroups) {
        const unknown = groups.filter((g) => !sourceBrokers.some((b) => sourceGroups[b.brokerName]?.[g]));
        if (unknown.length > 0) throw new TopicTransferRefused(`consumer groups ${unknown.join(", ")} do not exist on ${sourceCluster}`);
    }
    const onEveryTarget = (has: (brokerName: string) => boolean) => targetAll.every((b) => has(b.brokerName));
    const sourceRetryTopics: Record<string, TopicConfig> = {};
    for (const retryTopic of retryTopics) {
        const holder = sourceBrokers.find((b) => sourceRetry[b.brokerName]?.[retryTopic]);
        if (holder) sourceRetryTopics[retryTopic] = sourceRetry[holder.brokerName][retryTopic];
    }
    const record: TransferRecord = {
        format: 1,
        topic,
        source: sourceCluster,
        target: targetCluster,
        sourceBrokers: sourceBrokers.map((b) => b.brokerName),
        targetBrokers: targetAll.map((b) => b.brokerName),
        groups,
        groupsKeptOnSource,
        consumeTimeoutSeconds: request.consumeTimeoutSeconds,
        sourceTopic,
        sourceGroups,
        sourceRetryTopics,
        targetHad: {
            topic: targetHolding.length === targetAll.length,
            groups: groups.filter((g) => onEveryTarget((b) => targetGroups[b]?.[g] !== undefined)),
            retryTopics: retryTopics.filter((t) => onEveryTarget((b) => targetRetry[b]?.[t] !== undefined)),
        },
        phase: "running",
        steps: [],
        startedAt: isoTime(clock),
        revision: 0,
    };
    return { record };
}

// ---- small pieces ----

export function retryTopicOf(group: string): string {
    return `${RETRY_TOPIC_PREFIX}${group}`;
}

/**
 * A broker makes the retry topic of a subscription group it holds when a consumer of the group
 * sends it a heartbeat, so a group added to the target can leave one behind. Removes those the
 * target did not have, unless a message went there; returns the ones removed.
 */
async function removeRetryTopicsBrokersMade(ctx: StepContext, target: BrokerRef[], groups: string[]): Promise<string[]> {
    const candidates = groups.map(retryTopicOf).filter((t) => !ctx.record.targetHad.retryTopics.includes(t));
    if (candidates.length === 0) return [];
    const held = await ctx.admin.topicConfigs(target, candidates);
    const present = candidates.filter((t) => target.some((b) => held[b.brokerName]?.[t]));
    const removed: string[] = [];
    for (const retryTopic of present) {
        if ((await ctx.admin.messageCount(target, retryTopic)) > 0) continue;
        await ctx.admin.deleteTopic(target, retryTopic);
        removed.push(retryTopic);
    }
    return removed;
}

function retryTopicsToAdd(record: TransferRecord): string[] {
    return record.groups.map(retryTopicOf).filter((t) => !record.targetHad.retryTopics.includes(t));
}

/** A retry topic as the source had it, else as a broker makes one (one queue, read and write). */
function retryTopicConfig(record: TransferRecord, retryTopic: string): TopicConfig {
    return record.sourceRetryTopics[retryTopic] ?? { topicName: retryTopic, readQueueNums: 1, writeQueueNums: 1, perm: Perm.READ_WRITE };
}

function originalTopicConfig(record: TransferRecord): TopicConfig {
    return record.sourceTopic[record.sourceBrokers[0]];
}

function sourceGroupConfig(record: TransferRecord, group: string): SubscriptionGroupConfig {
    for (const broker of record.sourceBrokers) {
        const config = record.sourceGroups[broker]?.[group];
        if (config) return config;
    }
    return { groupName: group };
}

function sameQueues(a: TopicConfig, b: TopicConfig): boolean {
    return a.readQueueNums === b.readQueueNums && a.writeQueueNums === b.writeQueueNums && canonicalJson(a.attributes ?? {}) === canonicalJson(b.attributes ?? {});
}

function describeTopic(c: TopicConfig): string {
    return `${c.readQueueNums} read / ${c.writeQueueNums} write queues${c.attributes ? `, attributes ${JSON.stringify(c.attributes)}` : ""}`;
}

function listOf(names: string[]): string {
    return names.length === 0 ? "nothing" : names.join(", ");
}

function isoTime(clock: Clock): string {
    return new Date(clock.now()).toISOString();
}

function message(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
