// A fake broker for metadata copy tests: it keeps topic and group tables in memory, answers the
// reads and batch requests a copy sends, and records them.
import type * as net from "node:net";
import type { RemotingCommand } from "../../src/admin/codec";
import { RequestCode } from "../../src/admin/codes";
import { FakePeer, reply } from "./fakePeer";

/** A fake broker that keeps topic and group tables, records the batches it applies and counts the topic table reads. */
export async function fakeBroker(
  name: string,
  topics: Record<string, object>,
  groups: Record<string, object>,
  /** Handles a topic batch itself when it returns true (to inject a fault or delay the reply). */
  interceptTopicBatch?: (list: Array<{ topicName: string }>, socket: net.Socket, request: RemotingCommand) => boolean,
) {
  const batches: Array<{ code: number; names: string[] }> = [];
  const served = { topicTableReads: 0 };
  const peer = await FakePeer.start((request, socket) => {
    const body = request.body ? JSON.parse(request.body.toString()) : undefined;
    switch (request.code) {
      case RequestCode.GET_ALL_TOPIC_CONFIG:
        served.topicTableReads++;
        return socket.write(reply(request, { topicConfigTable: topics, dataVersion: { counter: 1, timestamp: 1 } }));
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        return socket.write(reply(request, { subscriptionGroupTable: groups }));
      case RequestCode.GET_BROKER_CONFIG:
        return socket.write(reply(request, `brokerName=${name}\nbrokerClusterName=cluster-${name}\n`));
      case RequestCode.UPDATE_AND_CREATE_TOPIC_LIST:
        if (interceptTopicBatch?.(body.topicConfigList, socket, request)) return;
        batches.push({ code: request.code, names: body.topicConfigList.map((t: { topicName: string }) => t.topicName) });
        for (const t of body.topicConfigList) topics[t.topicName] = t;
        return socket.write(reply(request));
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST:
        batches.push({ code: request.code, names: body.groupConfigList.map((g: { groupName: string }) => g.groupName) });
        for (const g of body.groupConfigList) groups[g.groupName] = g;
        return socket.write(reply(request));
      default:
        return socket.write(reply(request, undefined, 3, "not supported here"));
    }
  });
  return { peer, batches, served, topics, groups };
}

export const topic = (topicName: string, writeQueueNums = 4) => ({ topicName, readQueueNums: writeQueueNums, writeQueueNums, perm: 6, order: false, topicSysFlag: 0, topicFilterType: "SINGLE_TAG" });
