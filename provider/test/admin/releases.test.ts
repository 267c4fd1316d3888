import { strict as assert } from "node:assert";
import { RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { encodeFrame, FLAG_RESPONSE, RemotingCommand } from "../../src/admin/codec";
import { ClientFailureCode, RequestCode, ResponseCode } from "../../src/admin/codes";
import { FakePeer } from "./fakePeer";

/** Request codes a RocketMQ 4.9.7 broker answers with REQUEST_CODE_NOT_SUPPORTED (read from its AdminBrokerProcessor). */
const UNKNOWN_TO_4X: ReadonlySet<number> = new Set([
  RequestCode.UPDATE_AND_CREATE_TOPIC_LIST,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST,
  RequestCode.GET_TOPIC_CONFIG,
]);

/** A loopback broker that answers as 4.9.7 does (protocol version 407), recording the request codes it got. */
async function legacyBroker(): Promise<{ peer: FakePeer; codes: number[] }> {
  const codes: number[] = [];
  const peer = await FakePeer.start((request: RemotingCommand, socket) => {
    codes.push(request.code);
    const answer = (code: number, body?: string, remark?: string) =>
      socket.write(encodeFrame({ code, opaque: request.opaque, flag: FLAG_RESPONSE, version: 407, remark, body: body === undefined ? undefined : Buffer.from(body) }));
    if (UNKNOWN_TO_4X.has(request.code)) answer(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, undefined, ` request type ${request.code} not supported`);
    else if (request.code === RequestCode.GET_ALL_TOPIC_CONFIG) {
      answer(0, JSON.stringify({ topicConfigTable: { t1: { topicName: "t1", readQueueNums: 2, writeQueueNums: 2, perm: 6 } }, dataVersion: { counter: 1, timestamp: 1 } }));
    } else if (request.code === RequestCode.GET_BROKER_CONFIG) answer(0, "brokerName=broker-a\n");
    else answer(0);
  });
  return { peer, codes };
}

describe("admin client and RocketMQ 4.x brokers (protocol version below 5.0's 413)", () => {
  let peer: FakePeer | undefined;
  let client: RocketMQAdminClient | undefined;
  afterEach(async () => {
    client?.close();
    await peer?.stop();
  });

  const topic = (topicName: string) => ({ topicName, readQueueNums: 1, writeQueueNums: 1, perm: 6 });

  it("batches the broker does not know become one request per topic or group; once known, no batch is tried again", async () => {
    const legacy = await legacyBroker();
    peer = legacy.peer;
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: false });
    await client.createOrUpdateTopics(peer.address, [topic("a"), topic("b")]);
    assert.deepEqual(legacy.codes, [RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, RequestCode.UPDATE_AND_CREATE_TOPIC, RequestCode.UPDATE_AND_CREATE_TOPIC]);
    legacy.codes.length = 0;
    await client.createOrUpdateSubscriptionGroups(peer.address, [{ groupName: "g1" }, { groupName: "g2" }]);
    await client.createOrUpdateTopics(peer.address, [topic("c")]);
    assert.deepEqual(legacy.codes, [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, RequestCode.UPDATE_AND_CREATE_TOPIC]);
  });

  it("one topic's config is read from the whole table; a missing topic is not-found", async () => {
    const legacy = await legacyBroker();
    peer = legacy.peer;
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: false });
    assert.equal((await client.getTopicConfig(peer.address, "t1")).writeQueueNums, 2);
    const missing = await client.getTopicConfig(peer.address, "t2").catch((e: unknown) => e);
    assert.ok(missing instanceof RocketMQAdminError && missing.isNotFound(), String(missing));
    assert.match(missing.message, /the broker has no topic t2/);
    assert.deepEqual(legacy.codes, [RequestCode.GET_TOPIC_CONFIG, RequestCode.GET_ALL_TOPIC_CONFIG, RequestCode.GET_ALL_TOPIC_CONFIG]);
  });

  it("topic attributes are refused before the topic is sent, naming the broker and its protocol version", async () => {
    const legacy = await legacyBroker();
    peer = legacy.peer;
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: false });
    const err = await client.createOrUpdateTopic(peer.address, { ...topic("fifo"), attributes: { "message.type": "FIFO" } }).catch((e: unknown) => e);
    assert.ok(err instanceof RocketMQAdminError, String(err));
    assert.equal(err.code, ClientFailureCode.INVALID_ARGUMENT);
    assert.match(err.message, /topic fifo: attributes \(message\.type\) need RocketMQ 5\.0 or later; the broker at 127\.0\.0\.1:\d+ runs a 4\.x release \(protocol version 407\)/);
    assert.deepEqual(legacy.codes, [RequestCode.GET_BROKER_CONFIG], "only the version was asked; no topic was sent");
  });
});

describe("admin client and RocketMQ 5.5 brokers with the timer wheel off", () => {
  // 5.5.1's answer to DELETE_TOPIC_IN_BROKER when timerWheelEnable=false, after it deleted the topic.
  const remark = 'Cannot invoke "org.apache.rocketmq.store.timer.TimerMessageStore.getTimerMetrics()" because the return value of "org.apache.rocketmq.store.MessageStore.getTimerMessageStore()" is null';

  async function brokerWith(topics: Record<string, unknown>): Promise<FakePeer> {
    return FakePeer.start((request, socket) => {
      const answer = (code: number, body?: string, text?: string) =>
        socket.write(encodeFrame({ code, opaque: request.opaque, flag: FLAG_RESPONSE, version: 515, remark: text, body: body === undefined ? undefined : Buffer.from(body) }));
      if (request.code === RequestCode.DELETE_TOPIC_IN_BROKER) answer(ResponseCode.SYSTEM_ERROR, undefined, remark);
      else answer(0, JSON.stringify({ topicConfigTable: topics, dataVersion: { counter: 1, timestamp: 1 } }));
    });
  }

  it("a delete that failed on the absent timer store but left the topic gone is a delete; one that left it is not", async () => {
    const gone = await brokerWith({});
    const kept = await brokerWith({ t: { topicName: "t", readQueueNums: 1, writeQueueNums: 1, perm: 6 } });
    const client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: false });
    try {
      await client.deleteTopicInBroker(gone.address, "t");
      const err = await client.deleteTopicInBroker(kept.address, "t").catch((e: unknown) => e);
      assert.ok(err instanceof RocketMQAdminError && err.code === ResponseCode.SYSTEM_ERROR, String(err));
      assert.match(err.message, /getTimerMessageStore\(\)/);
    } finally {
      client.close();
      await gone.stop();
      await kept.stop();
    }
  });
});
