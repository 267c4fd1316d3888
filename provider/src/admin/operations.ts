// Operations at the level a user thinks in: a cluster, a topic, a group.

import type { RocketMQAdminClient } from "./client";
import type { CallOptions } from "./connection";
import { ClientFailureCode } from "./codes";
import { RocketMQAdminError } from "./errors";
import { emptyObject } from "./nameMaps";
import { ClusterInfo, MASTER_ID, TopicConfig } from "./types";

export interface MasterBroker {
  brokerName: string;
  address: string;
}

/** The master of every broker group of a cluster. Throws when the cluster is unknown. */
export function mastersOfCluster(info: ClusterInfo, cluster: string): MasterBroker[] {
  const names = info.clusters[cluster];
  if (!names) {
    throw new RocketMQAdminError(`cluster ${cluster} is not registered on the name servers`, { code: ClientFailureCode.CLUSTER_NOT_FOUND });
  }
  return names
    .map((brokerName) => ({ brokerName, address: info.brokers[brokerName]?.addresses[MASTER_ID] }))
    .filter((m): m is MasterBroker => typeof m.address === "string");
}

async function clusterMasters(client: RocketMQAdminClient, cluster: string, options?: CallOptions): Promise<MasterBroker[]> {
  return mastersOfCluster(await client.getClusterInfo(options), cluster);
}

/** Creates (or updates) a topic on every master of a cluster; returns the broker names it went to. */
export async function createTopicOnCluster(
  client: RocketMQAdminClient,
  cluster: string,
  config: TopicConfig,
  options?: CallOptions,
): Promise<string[]> {
  const masters = await clusterMasters(client, cluster, options);
  await Promise.all(masters.map((m) => client.createOrUpdateTopic(m.address, config, options)));
  return masters.map((m) => m.brokerName);
}

/** Deletes a topic from every master of a cluster, then its route on the name servers. */
export async function deleteTopicOnCluster(client: RocketMQAdminClient, cluster: string, topic: string, options?: CallOptions): Promise<void> {
  const masters = await clusterMasters(client, cluster, options);
  await Promise.all(masters.map((m) => client.deleteTopicInBroker(m.address, topic, options)));
  await client.deleteTopicInNameServers(topic, cluster, options);
}

export interface ConsumeProgress {
  /** True when the group's offset has reached the broker's on every queue of the topic. */
  consumedAll: boolean;
  totalLag: number;
  /** Lag per broker group. */
  lagByBroker: Record<string, number>;
}

/** Has group G consumed everything of topic T in cluster X? */
export async function consumeProgressOnCluster(
  client: RocketMQAdminClient,
  cluster: string,
  group: string,
  topic: string,
  options?: CallOptions,
): Promise<ConsumeProgress> {
  const masters = await clusterMasters(client, cluster, options);
  const lagByBroker = emptyObject<number>();
  for (const master of masters) {
    const stats = await client.getConsumeStats(master.address, group, topic, options);
    lagByBroker[master.brokerName] = stats.totalLag;
  }
  const totalLag = Object.values(lagByBroker).reduce((a, b) => a + b, 0);
  return { consumedAll: totalLag === 0, totalLag, lagByBroker };
}

/**
 * A topic's permission on each broker group of a cluster, as the name servers route it
 * (after wipeWritePermOfBroker a group reads 4 = read only). Groups not serving the topic are absent.
 */
export async function topicPermOnCluster(
  client: RocketMQAdminClient,
  cluster: string,
  topic: string,
  options?: CallOptions,
): Promise<Record<string, number>> {
  const [info, route] = await Promise.all([client.getClusterInfo(options), client.getTopicRoute(topic, options)]);
  const inCluster = new Set(info.clusters[cluster] ?? []);
  const perms = emptyObject<number>();
  for (const queue of route.queues) if (inCluster.has(queue.brokerName)) perms[queue.brokerName] = queue.perm;
  return perms;
}
