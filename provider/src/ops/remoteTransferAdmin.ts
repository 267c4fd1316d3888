// TransferAdmin over the RocketMQ admin protocol: the only place where a topic transfer's
// wishes turn into admin requests. The client retries each request on a transient failure, and
// every request made here is safe to repeat (admin/client.ts lists why, request by request). A
// method made of several requests is never re-run as a whole: deleteTopic, say, must read the
// route before it deletes it.
import { RocketMQAdminClient } from "../admin/client";
import { objectFromEntries } from "../admin/nameMaps";
import { isSystemGroup } from "../admin/systemNames";
import { mastersOfCluster } from "../admin/operations";
import { RocketMQAdminError } from "../admin/errors";
import { managedPlacement } from "./topics/managedTopics";
import { deleteKvConfigEverywhere, getKvConfigEverywhere, putKvConfigEverywhere, registerTopicRouteEverywhere } from "../admin/transferOperations";
import { ClusterInfo, MASTER_ID, SubscriptionGroupConfig, TopicConfig } from "../admin/types";
import { BrokerRef, TransferAdmin } from "./transferAdmin";

/** Name server key/value namespace holding transfer records (one key per topic in transfer). */
export const TRANSFER_RECORD_NAMESPACE = "PULUMI_ROCKETMQ_TOPIC_TRANSFER";

export class RemoteTransferAdmin implements TransferAdmin {
    constructor(private readonly client: RocketMQAdminClient) {}

    async resolveBrokers(clusterOrGroup: string): Promise<BrokerRef[] | undefined> {
        const info = await this.client.getClusterInfo();
        if (info.clusters[clusterOrGroup]) {
            return mastersOfCluster(info, clusterOrGroup).map((m) => ({ ...m, cluster: clusterOrGroup }));
        }
        if (info.brokers[clusterOrGroup]?.addresses[MASTER_ID] === undefined) return undefined;
        return [masterOf(info, clusterOrGroup)];
    }

    async brokersNamed(brokerNames: string[]): Promise<BrokerRef[]> {
        const info = await this.client.getClusterInfo();
        return brokerNames.map((name) => masterOf(info, name));
    }

    async topicConfigs(brokers: BrokerRef[], topicNames: string[]): Promise<Record<string, Record<string, TopicConfig>>> {
        const wanted = new Set(topicNames);
        const tables = await Promise.all(brokers.map((b) => this.client.getAllTopicConfigs(b.address)));
        return objectFromEntries(
            brokers.map((b, i) => [b.brokerName, objectFromEntries(Object.entries(tables[i].topics).filter(([name]) => wanted.has(name)))]),
        );
    }

    async putTopic(brokers: BrokerRef[], config: TopicConfig): Promise<void> {
        await Promise.all(brokers.map((b) => this.client.createOrUpdateTopic(b.address, config)));
    }

    /**
     * The name servers delete a route per cluster, not per broker group. So the route entries of
     * other groups of the same clusters (a transfer between two groups of one cluster) are read
     * first and put back right after.
     */
    async deleteTopic(brokers: BrokerRef[], topic: string): Promise<void> {
        await Promise.all(brokers.map((b) => this.client.deleteTopicInBroker(b.address, topic)));
        const info = await this.client.getClusterInfo();
        const clusters = [...new Set(brokers.map((b) => b.cluster))];
        const deleted = new Set(brokers.map((b) => b.brokerName));
        const sameClusters = new Set(clusters.flatMap((cluster) => info.clusters[cluster] ?? []));
        const route = await this.client.getTopicRoute(topic).catch((err: unknown) => {
            if (err instanceof RocketMQAdminError && err.isNotFound()) return { queues: [] };
            throw err;
        });
        const keep = route.queues.filter((q) => sameClusters.has(q.brokerName) && !deleted.has(q.brokerName));
        for (const cluster of clusters) await this.client.deleteTopicInNameServers(topic, cluster);
        await registerTopicRouteEverywhere(this.client, topic, keep);
    }

    async messageCount(brokers: BrokerRef[], topic: string): Promise<number> {
        const present = await this.topicConfigs(brokers, [topic]);
        let count = 0;
        for (const b of brokers.filter((b) => present[b.brokerName][topic])) {
            const stats = await this.client.getTopicStats(b.address, topic);
            count += stats.queues.reduce((sum, q) => sum + Math.max(0, q.maxOffset - q.minOffset), 0);
        }
        return count;
    }

    async subscriptionGroups(brokers: BrokerRef[], groupNames: string[]): Promise<Record<string, Record<string, SubscriptionGroupConfig>>> {
        const wanted = new Set(groupNames);
        const tables = await Promise.all(brokers.map((b) => this.client.getAllSubscriptionGroups(b.address)));
        return objectFromEntries(
            brokers.map((b, i) => [b.brokerName, objectFromEntries(Object.entries(tables[i].groups).filter(([name]) => wanted.has(name)))]),
        );
    }

    async putGroups(brokers: BrokerRef[], configs: SubscriptionGroupConfig[]): Promise<void> {
        if (configs.length === 0) return;
        await Promise.all(brokers.map((b) => this.client.createOrUpdateSubscriptionGroups(b.address, configs)));
    }

    async deleteGroups(brokers: BrokerRef[], groupNames: string[]): Promise<void> {
        for (const b of brokers) {
            await Promise.all(groupNames.map((g) => this.client.deleteSubscriptionGroup(b.address, g, false)));
        }
    }

    async createsGroupsOnDemand(broker: BrokerRef): Promise<boolean> {
        // RocketMQ's default is true; only an explicit false turns it off.
        return (await this.client.getBrokerConfig(broker.address)).autoCreateSubscriptionGroup !== "false";
    }

    async consumerGroupsOf(brokers: BrokerRef[], topic: string): Promise<string[]> {
        const lists = await Promise.all(brokers.map((b) => this.client.queryTopicConsumeByWho(b.address, topic)));
        return [...new Set(lists.flat())].filter((g) => !isSystemGroup(g)).sort();
    }

    async topicsConsumedBy(brokers: BrokerRef[], group: string): Promise<string[]> {
        const stats = await Promise.all(brokers.map((b) => this.client.getConsumeStats(b.address, group)));
        return [...new Set(stats.flatMap((s) => s.queues.map((q) => q.topic)))].sort();
    }

    async lag(brokers: BrokerRef[], group: string, topic: string): Promise<number> {
        const stats = await Promise.all(brokers.map((b) => this.client.getConsumeStats(b.address, group, topic)));
        return stats.reduce((sum, s) => sum + s.totalLag, 0);
    }

    managedTopicPlacement(topic: string): Promise<string | undefined> {
        return managedPlacement(this.client, topic);
    }

    async readRecords(key: string): Promise<string[]> {
        return Object.values(await getKvConfigEverywhere(this.client, TRANSFER_RECORD_NAMESPACE, key));
    }

    async writeRecord(key: string, value: string): Promise<void> {
        await putKvConfigEverywhere(this.client, TRANSFER_RECORD_NAMESPACE, key, value);
    }

    async deleteRecord(key: string): Promise<void> {
        await deleteKvConfigEverywhere(this.client, TRANSFER_RECORD_NAMESPACE, key);
    }
}

function masterOf(info: ClusterInfo, brokerName: string): BrokerRef {
    const group = info.brokers[brokerName];
    const address = group?.addresses[MASTER_ID];
    if (!group || address === undefined) throw new Error(`broker group ${brokerName} has no master registered on the name servers`);
    return { cluster: group.cluster, brokerName, address };
}
