// Admin operations a topic transfer needs beyond the typed client: the name servers' key/value
// config, which each name server keeps in its own kvConfig.json and which outlives any client, and
// registering a topic's route for given broker groups directly on the name servers.

import type { RocketMQAdminClient } from "./client";
import { RequestCode, ResponseCode } from "./codes";
import type { CallOptions } from "./connection";
import { RocketMQAdminError } from "./errors";
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
 */
export async function registerTopicRouteEverywhere(client: RocketMQAdminClient, topic: string, queues: QueueData[], options?: CallOptions): Promise<void> {
    if (queues.length === 0) return;
    const body = Buffer.from(JSON.stringify({ queueDatas: queues, brokerDatas: [] }), "utf8");
    await client.callEveryNameServer({ code: RequestCode.REGISTER_TOPIC_IN_NAMESRV, extFields: { topic }, body }, options);
}
