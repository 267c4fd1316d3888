// Admin operations a topic transfer needs beyond the typed client: the name servers' key/value
// config, which each name server keeps in its own kvConfig.json and which outlives any client, and
// registering a topic's route for given broker groups directly on the name servers.

import { decodeTopicRoute } from "./bodies";
import type { RocketMQAdminClient } from "./client";
import { RequestCode, ResponseCode } from "./codes";
import type { CallOptions } from "./connection";
import { RocketMQAdminError } from "./errors";
import { isLegacyRelease } from "./releases";
import type { QueueData } from "./types";

/** Stores a value under namespace/key on every name server; all must accept it. */
export async function putKvConfigEverywhere(
    client: RocketMQAdminClient,
    namespace: string,
    key: string,
    value: string,
    options?: CallOptions,
): Promise<void> {
    await client.callEveryNameServer({ code: RequestCode.PUT_KV_CONFIG, extFields: { namespace, key, value } }, options);
}

/** The value each name server holds under namespace/key, by name server address; absent ones left out. */
export async function getKvConfigEverywhere(
    client: RocketMQAdminClient,
    namespace: string,
    key: string,
    options?: CallOptions,
): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    await Promise.all(
        client.nameServers.map(async (address) => {
            try {
                const reply = await client.call(address, { code: RequestCode.GET_KV_CONFIG, extFields: { namespace, key } }, options);
                const value = reply.extFields?.value;
                if (typeof value === "string") values[address] = value;
            } catch (err) {
                if (err instanceof RocketMQAdminError && err.code === ResponseCode.QUERY_NOT_FOUND) return;
                throw err;
            }
        }),
    );
    return values;
}

/** Removes namespace/key from every name server (absent is fine). */
export async function deleteKvConfigEverywhere(client: RocketMQAdminClient, namespace: string, key: string, options?: CallOptions): Promise<void> {
    await client.callEveryNameServer({ code: RequestCode.DELETE_KV_CONFIG, extFields: { namespace, key } }, options);
}

/**
 * Puts route entries for a topic on every name server, for broker groups the name servers know.
 * The name servers delete routes per cluster only; this gives back the entries of groups that
 * still hold the topic after another group of their cluster dropped it.
 * 4.x name servers lack REGISTER_TOPIC_IN_NAMESRV (and never answer it): there each group's
 * master is given its own topic config again, which makes it register that topic with the name
 * servers (a registration that can time out inside the broker while its reply still says success),
 * until every name server routes the topic to every such group, for up to LEGACY_ROUTE_WAIT_MS.
 */
export async function registerTopicRouteEverywhere(client: RocketMQAdminClient, topic: string, queues: QueueData[], options?: CallOptions): Promise<void> {
    if (queues.length === 0) return;
    const probe = { code: RequestCode.GET_BROKER_CLUSTER_INFO };
    const versions = await Promise.all(client.nameServers.map((address) => client.protocolVersionOf(address, probe, options)));
    if (!versions.some(isLegacyRelease)) {
        const body = Buffer.from(JSON.stringify({ queueDatas: queues, brokerDatas: [] }), "utf8");
        await client.callEveryNameServer({ code: RequestCode.REGISTER_TOPIC_IN_NAMESRV, extFields: { topic }, body }, options);
        return;
    }
    const info = await client.getClusterInfo(options);
    // A group without its master registers nothing until the master is back.
    const masters = queues.map((q) => ({ brokerName: q.brokerName, address: info.brokers[q.brokerName]?.addresses["0"] })).filter((m) => m.address);
    const deadline = Date.now() + LEGACY_ROUTE_WAIT_MS;
    for (;;) {
        for (const { address } of masters) await client.createOrUpdateTopic(address!, await client.getTopicConfig(address!, topic, options), options);
        const missing = await groupsNotRouted(client, topic, masters.map((m) => m.brokerName), options);
        if (missing.length === 0) return;
        if (Date.now() > deadline) {
            throw new RocketMQAdminError(`topic ${topic}: the name servers still route it to none of ${missing.join(", ")} ${LEGACY_ROUTE_WAIT_MS / 1000} s after their masters registered it again`, {
                code: ResponseCode.TOPIC_NOT_EXIST,
                requestCode: RequestCode.UPDATE_AND_CREATE_TOPIC,
            });
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

/** How long a 4.x topic route is given to come back: a broker's own registration period is 30 s. */
export const LEGACY_ROUTE_WAIT_MS = 35_000;

/** The broker groups some name server does not route the topic to. */
async function groupsNotRouted(client: RocketMQAdminClient, topic: string, groups: string[], options?: CallOptions): Promise<string[]> {
    const missing = new Set<string>();
    await Promise.all(
        client.nameServers.map(async (address) => {
            const routed = await client.call(address, { code: RequestCode.GET_ROUTEINFO_BY_TOPIC, extFields: { topic } }, options).then(
                (reply) => new Set(decodeTopicRoute(reply.body).queues.map((q) => q.brokerName)),
                (err: unknown) => {
                    if (err instanceof RocketMQAdminError && err.isNotFound()) return new Set<string>();
                    throw err;
                },
            );
            for (const group of groups) if (!routed.has(group)) missing.add(group);
        }),
    );
    return [...missing].sort();
}
