// The reply to GET_CONSUMER_CONNECTION_LIST: which clients of a consumer group are connected to a
// broker now. Kept apart from bodies.ts: only deletes of groups ask it.
import { BadReplyError, BodyLimits, parseBody } from "./bodies";
import type { ConsumerClient } from "./types";

export function decodeConsumerConnections(body: Buffer | undefined, limits?: BodyLimits): ConsumerClient[] {
  const reply = parseBody(body, "consumer connections", limits);
  if (reply === null || typeof reply !== "object" || Array.isArray(reply)) throw new BadReplyError("consumer connections: expected an object");
  const connections = reply.connectionSet ?? [];
  if (!Array.isArray(connections)) throw new BadReplyError("consumer connections: connectionSet is not a list");
  return connections
    .map((connection, i) => {
      if (connection === null || typeof connection !== "object" || Array.isArray(connection) || typeof connection.clientId !== "string") {
        throw new BadReplyError(`consumer connections: connectionSet[${i}] has no clientId`);
      }
      return { clientId: connection.clientId, clientAddress: typeof connection.clientAddr === "string" ? connection.clientAddr : "" };
    })
    .sort((a, b) => a.clientId.localeCompare(b.clientId));
}
