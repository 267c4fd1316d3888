// An in-memory RocketMQ for topic transfer unit tests: broker groups in clusters, each holding
// topics, subscription groups, stored messages and consumed counts; name server records; a log of
// every change; failures and hangs injected on demand.
import type { SubscriptionGroupConfig, TopicConfig } from "../src/admin/types";
import type { BrokerRef, TransferAdmin } from "../src/ops/transferAdmin";

export interface FakeBroker {
    cluster: string;
    topics: Record<string, TopicConfig>;
    groups: Record<string, SubscriptionGroupConfig>;
    /** Messages stored per topic. */
    messages: Record<string, number>;
    /** Messages consumed per "group topic". */
    consumed: Record<string, number>;
    /** autoCreateSubscriptionGroup=false on this broker (RocketMQ's default is true). */
    noGroupsOnDemand?: boolean;
    down?: boolean;
}

type Method = keyof TransferAdmin;

export interface Injection {
    method: Method;
    /** Only when this returns true for the call's arguments (default: every call). */
    when?: (args: unknown[]) => boolean;
    /** "before": fail without doing anything; "after": do it, then fail; "hang": never answer. */
    mode: "before" | "after" | "hang";
    /** Fire once (default) or on every matching call. */
    always?: boolean;
    fired?: boolean;
}

export class FakeRocketMQ implements TransferAdmin {
    readonly brokers: Record<string, FakeBroker> = {};
    readonly records: Record<string, string> = {};
    /** Changes made, in order, as "method broker detail". */
    readonly changes: string[] = [];
    readonly injections: Injection[] = [];

    addBroker(cluster: string, brokerName: string): FakeBroker {
        this.brokers[brokerName] = { cluster, topics: {}, groups: {}, messages: {}, consumed: {} };
        return this.brokers[brokerName];
    }

    inject(injection: Injection): void {
        this.injections.push(injection);
    }

    /** A deep copy of one broker group, to compare before and after. */
    snapshot(brokerName: string): FakeBroker {
        return JSON.parse(JSON.stringify(this.brokers[brokerName]));
    }

    // ---- TransferAdmin ----

    resolveBrokers = this.op("resolveBrokers", async (name: string) => {
        const inCluster = Object.entries(this.brokers).filter(([, b]) => b.cluster === name).map(([n]) => this.ref(n));
        if (inCluster.length > 0) return inCluster;
        return this.brokers[name] ? [this.ref(name)] : undefined;
    });

    brokersNamed = this.op("brokersNamed", async (names: string[]) => names.map((n) => this.ref(n)));

    topicConfigs = this.op("topicConfigs", async (brokers: BrokerRef[], topics: string[]) =>
        Object.fromEntries(
            brokers.map((b) => [b.brokerName, Object.fromEntries(topics.filter((t) => this.live(b).topics[t]).map((t) => [t, { ...this.live(b).topics[t] }]))]),
        ),
    );

    putTopic = this.op("putTopic", async (brokers: BrokerRef[], config: TopicConfig) => {
        for (const b of brokers) {
            this.live(b).topics[config.topicName] = { ...config };
            this.changes.push(`putTopic ${b.brokerName} ${config.topicName} perm=${config.perm}`);
        }
    });

    deleteTopic = this.op("deleteTopic", async (brokers: BrokerRef[], topic: string) => {
        for (const b of brokers) {
            const broker = this.live(b);
            delete broker.topics[topic];
            delete broker.messages[topic];
            this.changes.push(`deleteTopic ${b.brokerName} ${topic}`);
        }
    });

    messageCount = this.op("messageCount", async (brokers: BrokerRef[], topic: string) =>
        brokers.reduce((sum, b) => sum + (this.live(b).topics[topic] ? this.live(b).messages[topic] ?? 0 : 0), 0),
    );

    subscriptionGroups = this.op("subscriptionGroups", async (brokers: BrokerRef[], groups: string[]) =>
        Object.fromEntries(
            brokers.map((b) => [b.brokerName, Object.fromEntries(groups.filter((g) => this.live(b).groups[g]).map((g) => [g, { ...this.live(b).groups[g] }]))]),
        ),
    );

    putGroups = this.op("putGroups", async (brokers: BrokerRef[], configs: SubscriptionGroupConfig[]) => {
        for (const b of brokers) {
            for (const c of configs) this.live(b).groups[c.groupName] = { ...c };
            this.changes.push(`putGroups ${b.brokerName} ${configs.map((c) => c.groupName).join(",")}`);
        }
    });

    deleteGroups = this.op("deleteGroups", async (brokers: BrokerRef[], groups: string[]) => {
        for (const b of brokers) {
            for (const g of groups) delete this.live(b).groups[g];
            this.changes.push(`deleteGroups ${b.brokerName} ${groups.join(",")}`);
        }
    });

    createsGroupsOnDemand = this.op("createsGroupsOnDemand", async (broker: BrokerRef) => !this.live(broker).noGroupsOnDemand);

    consumerGroupsOf = this.op("consumerGroupsOf", async (brokers: BrokerRef[], topic: string) => {
        const groups = new Set<string>();
        for (const b of brokers) {
            for (const key of Object.keys(this.live(b).consumed)) {
                const [group, consumedTopic] = key.split(" ");
                if (consumedTopic === topic) groups.add(group);
            }
        }
        return [...groups].sort();
    });

    topicsConsumedBy = this.op("topicsConsumedBy", async (brokers: BrokerRef[], group: string) => {
        const topics = new Set<string>();
        for (const b of brokers) {
            for (const key of Object.keys(this.live(b).consumed)) {
                const [consumer, topic] = key.split(" ");
                if (consumer === group) topics.add(topic);
            }
        }
        return [...topics].sort();
    });

    lag = this.op("lag", async (brokers: BrokerRef[], group: string, topic: string) =>
        brokers.reduce((sum, b) => {
            const broker = this.live(b);
            if (!broker.topics[topic]) return sum;
            return sum + Math.max(0, (broker.messages[topic] ?? 0) - (broker.consumed[`${group} ${topic}`] ?? 0));
        }, 0),
    );

    /** Topics a Topic resource manages, with its placement. */
    managedTopics: Record<string, string> = {};

    managedTopicPlacement = this.op("managedTopicPlacement", async (topic: string) => this.managedTopics[topic]);

    readRecords = this.op("readRecords", async (key: string) => (this.records[key] === undefined ? [] : [this.records[key]]));

    writeRecord = this.op("writeRecord", async (key: string, value: string) => {
        this.records[key] = value;
    });

    deleteRecord = this.op("deleteRecord", async (key: string) => {
        delete this.records[key];
    });

    // ---- plumbing ----

    private ref(brokerName: string): BrokerRef {
        const broker = this.brokers[brokerName];
        if (!broker || broker.down) throw new Error(`broker group ${brokerName} has no master registered on the name servers`);
        return { cluster: broker.cluster, brokerName, address: `fake:${brokerName}` };
    }

    private live(ref: BrokerRef): FakeBroker {
        const broker = this.brokers[ref.brokerName];
        if (broker.down) throw new Error(`cannot connect to ${ref.address}: connection refused`);
        return broker;
    }

    /** Wraps an operation with the injections that apply to it. */
    private op<A extends unknown[], R>(method: Method, body: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
        return async (...args: A) => {
            const injection = this.injections.find((i) => i.method === method && (i.always || !i.fired) && (i.when?.(args) ?? true));
            if (!injection) return body(...args);
            injection.fired = true;
            if (injection.mode === "hang") return new Promise<R>(() => undefined);
            if (injection.mode === "before") throw new Error(`injected failure in ${method}`);
            await body(...args);
            throw new Error(`injected failure in ${method} after it took effect`);
        };
    }
}
