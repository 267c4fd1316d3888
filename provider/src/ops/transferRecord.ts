// The progress of a topic transfer, kept on the name servers (their key/value config) while the
// transfer runs, so a provider or machine that dies mid-way leaves behind what the next run needs
// to resume or roll back: which steps ran, and the source's original configs to restore.
// The record lives only while a transfer is in flight, one per topic: a second transfer of the same
// topic finds it and is refused, and transfers of different topics never share anything.
import type { SubscriptionGroupConfig, TopicConfig } from "../admin/types";
import type { TransferAdmin } from "./transferAdmin";

export interface StepProgress {
    step: number;
    name: string;
    startedAt: string;
    finishedAt?: string;
    /** Set once the step has been undone during a rollback. */
    undoneAt?: string;
    /** What the step (or its undo) did, in words. */
    note?: string;
}

export interface TransferRecord {
    format: 1;
    topic: string;
    source: string;
    target: string;
    /** Broker groups on each side, by name (addresses are looked up again on every run). */
    sourceBrokers: string[];
    targetBrokers: string[];
    groups: string[];
    /** Moved groups that also consume other topics on the source: step 6 leaves them there. */
    groupsKeptOnSource: string[];
    /** How long step 4 waits; a run that resumes takes the latest value asked for. */
    consumeTimeoutSeconds: number;
    /** The topic's config on each source broker before the transfer. */
    sourceTopic: Record<string, TopicConfig>;
    /** The moved groups' configs on each source broker before the transfer. */
    sourceGroups: Record<string, Record<string, SubscriptionGroupConfig>>;
    /** Retry topic configs on the source, by topic name (the first broker's). */
    sourceRetryTopics: Record<string, TopicConfig>;
    /** What the target already had, which a rollback must leave alone. */
    targetHad: { topic: boolean; groups: string[]; retryTopics: string[] };
    /** Set when a rollback had to leave the topic on the target (read-only) because it held messages. */
    keptOnTarget?: boolean;
    phase: "running" | "rolling-back";
    /** The failure that started a rollback. */
    failure?: string;
    steps: StepProgress[];
    startedAt: string;
    /** Bumped on every write: the newest copy wins when name servers disagree. */
    revision: number;
}

/** Reads, writes and removes one topic's record through the admin's key/value store. */
export class TransferRecordStore {
    constructor(private readonly admin: TransferAdmin) {}

    /** The newest copy on any name server, or undefined when no transfer of the topic is in flight. */
    async read(topic: string): Promise<TransferRecord | undefined> {
        const copies = (await this.admin.readRecords(topic)).map((text) => parseRecord(text, topic));
        return copies.sort((a, b) => b.revision - a.revision)[0];
    }

    async write(record: TransferRecord): Promise<void> {
        // Bumped once per write, not per attempt: a write the client retries sends the same text.
        record.revision += 1;
        await this.admin.writeRecord(record.topic, JSON.stringify(record));
    }

    async remove(topic: string): Promise<void> {
        await this.admin.deleteRecord(topic);
    }
}

function parseRecord(text: string, topic: string): TransferRecord {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new Error(`the transfer record of topic ${topic} on the name servers is not readable JSON`, { cause: err });
    }
    const record = value as Partial<TransferRecord>;
    if (record.format !== 1 || record.topic !== topic || !Array.isArray(record.steps)) {
        throw new Error(`the transfer record of topic ${topic} on the name servers has an unknown format`);
    }
    return record as TransferRecord;
}
