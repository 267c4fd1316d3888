// Admin operations a topic transfer needs beyond the typed client: the name servers' key/value
// config, which each name server keeps in its own kvConfig.json and which outlives any client, and
// registering a topic's route for given broker groups directly on the name servers.

import type { RocketMQAdminClient } from "./client";
import type { CallOptions } from "./connection";
import { RocketMQAdminError } from "./errors";
import type { QueueData } from "./types";

/** Request codes of the name server's key/value config (RequestCode in RocketMQ 5.x). */
export const KvRequestCode = {
    PUT_KV_CONFIG: 100,
    GET_KV_CONFIG: 101,
    DELETE_KV_CONFIG: 102,
} as const;

/** REGISTER_TOPIC_IN_NAMESRV: adds route entries (queue data per broker group) for a topic. */
export const REGISTER_TOPIC_IN_NAMESRV = 217;

/** GET_KV_CONFIG's reply code when the key is absent. */
const QUERY_NOT_FOUND = 22;

/** Stores a value under namespace/key on every name server; all must accept it. */
export async function putKvConfigEverywhere(
    client: RocketMQAdminClient,
    namespace: string,
    key: string,
    value: string,
    options?: CallOptions,
): Promise<void> {
    await Promise.all(
        client.nameServers.map((address) =>
            client.call(address, { code: KvRequestCode.PUT_KV_CONFIG, extFields: { namespace, key, value } }, options),
        ),
    );
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
                const reply = await client.call(address, { code: KvRequestCode.GET_KV_CONFIG, extFields: { namespace, key } }, options);
                const value = reply.extFields?.value;
                if (typeof value === "string") values[address] = value;
            } catch (err) {
                if (err instanceof RocketMQAdminError && err.code === QUERY_NOT_FOUND) return;
                throw err;
            }
        }),
    );
    return values;
}

/** Removes namespace/key from every name server (absent is fine). */
export async function deleteKvConfigEverywhere(client: RocketMQAdminClient, namespace: string, key: string, options?: CallOptions): Promise<void> {
    await Promise.all(
        client.nameServers.map((address) =>
            client.call(address, { code: KvRequestCode.DELETE_KV_CONFIG, extFields: { namespace, key } }, options),
        ),
    );
}

/**
 * Puts route entries for a topic on every name server, for broker groups the name servers know.
 * The name servers delete routes per cluster only; this gives back the entries of groups that
 * still hold the topic after another group of their cluster dropped it.
 */
export async function registerTopicRouteEverywhere(client: RocketMQAdminClient, topic: string, queues: QueueData[], options?: CallOptions): Promise<void> {
    if (queues.length === 0) return;
    const body = Buffer.from(JSON.stringify({ queueDatas: queues, brokerDatas: [] }), "utf8");
    await Promise.all(
        client.nameServers.map((address) => client.call(address, { code: REGISTER_TOPIC_IN_NAMESRV, extFields: { topic }, body }, options)),
    );
}
