import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BadReplyError,
  decodeClusterInfo,
  decodeConsumerOffsetTable,
  decodeConsumeStats,
  decodeGroupList,
  decodeProperties,
  decodeSubscriptionGroupTable,
  decodeTopicConfigTable,
  decodeTopicRoute,
  decodeTopicStats,
  encodeProperties,
  encodeTopicConfigList,
} from "../../src/admin/bodies";
import { framesOf } from "./fakePeer";
import { nameMap, parsedJson } from "./nameMaps";

// Replies captured from real RocketMQ name servers and brokers, one set per release of the
// integration matrix (tests/support/rocketmq-capture.ts): topic "capture-topic" with 2 queues on
// broker-a of clusterA, 10 messages sent, all consumed by group "capture-group"; broker-b alone in
// clusterB. What differs between the releases, as captured:
//   - the protocol version each reply carries (MQVersion ordinal: V4_9_7 407, V5_3_2 477, V5_5_1 515);
//   - 4.9.7 has no topic or group attributes, no enableActingMaster, no pullOffset, no mappingDataVersion;
//   - 5.5.1 adds topicPutTps to topic stats and totalTopicNum / totalGroupNum headers to the
//     whole-table replies, and the system topic RMQ_SYS_ROCKSDB_TRANS_HALF_TOPIC.
// 5.5.1's broker writes JSON with fastjson2 (fastjson1 is gone), configured to keep fastjson's forms:
// unquoted Long keys and MessageQueue object keys decode the same on every release.
const FIXTURES = path.join(__dirname, "..", "fixtures", "remoting");
const CAPTURED = [
  { release: "4.9.7", protocolVersion: 407 },
  { release: "5.3.2", protocolVersion: 477 },
  { release: "5.5.1", protocolVersion: 515 },
];

function capturedFrame(release: string, name: string) {
  return framesOf(fs.readFileSync(path.join(FIXTURES, release, `${name}.bin`)))[0];
}

const ADDRESS = /^127\.0\.0\.1:\d+$/;

describe("admin bodies: captured replies", () => {
  it("were captured for every release listed here, and only those", () => {
    assert.deepEqual(fs.readdirSync(FIXTURES).sort(), CAPTURED.map((c) => c.release).sort());
  });
});

for (const { release, protocolVersion } of CAPTURED) describe(`admin bodies: decoding replies captured from RocketMQ ${release}`, () => {
  const capturedBody = (name: string): Buffer | undefined => capturedFrame(release, name).body;

  it(`every reply carries the release's protocol version ${protocolVersion}`, () => {
    for (const file of fs.readdirSync(path.join(FIXTURES, release))) {
      assert.equal(capturedFrame(release, file.replace(/\.bin$/, "")).version, protocolVersion, file);
    }
  });

  it("cluster info: clusters, groups, master address under broker id 0 (unquoted fastjson key)", () => {
    const raw = capturedBody("cluster-info")!.toString();
    assert.match(raw, /"brokerAddrs":\{0:"/, "the capture holds fastjson's unquoted Long key");
    const info = decodeClusterInfo(capturedBody("cluster-info"));
    assert.deepEqual(info.clusters, nameMap({ clusterA: ["broker-a"], clusterB: ["broker-b"] }));
    assert.equal(info.brokers["broker-a"].cluster, "clusterA");
    assert.match(info.brokers["broker-a"].addresses["0"], ADDRESS);
    assert.match(info.brokers["broker-b"].addresses["0"], ADDRESS);
    assert.notEqual(info.brokers["broker-a"].addresses["0"], info.brokers["broker-b"].addresses["0"]);
  });

  it("topic route: queues and perm per broker group", () => {
    const route = decodeTopicRoute(capturedBody("topic-route"));
    assert.deepEqual(route.queues, [{ brokerName: "broker-a", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 }]);
    assert.equal(route.brokers.length, 1);
    assert.equal(route.brokers[0].cluster, "clusterA");
    assert.match(route.brokers[0].addresses["0"], ADDRESS);
  });

  it("consume stats: MessageQueue object keys become typed queues with lag", () => {
    const raw = capturedBody("consume-stats")!.toString();
    assert.match(raw, /"offsetTable":\{\{"brokerName"/, "the capture holds object keys");
    const stats = decodeConsumeStats(capturedBody("consume-stats"));
    assert.deepEqual(
      stats.queues.map((q) => [q.topic, q.brokerName, q.queueId, q.brokerOffset, q.consumerOffset, q.lag]),
      [
        ["capture-topic", "broker-a", 0, 5, 5, 0],
        ["capture-topic", "broker-a", 1, 5, 5, 0],
      ],
    );
    assert.equal(stats.totalLag, 0);
    assert.ok(stats.queues.every((q) => q.lastTimestamp > 1_600_000_000_000));
  });

  it("topic stats: min and max offsets per queue", () => {
    const stats = decodeTopicStats(capturedBody("topic-stats"));
    assert.deepEqual(
      stats.queues.map((q) => [q.queueId, q.minOffset, q.maxOffset]),
      [
        [0, 0, 5],
        [1, 0, 5],
      ],
    );
  });

  it("consumer offsets: the consumed group's offset per queue of the topic, keyed topic@group", () => {
    const table = decodeConsumerOffsetTable(capturedBody("all-consumer-offsets"));
    assert.deepEqual(table.groups["capture-group"]?.["capture-topic"], nameMap({ 0: 5, 1: 5 }));
  });

  it("groups consuming a topic", () => {
    assert.deepEqual(decodeGroupList(capturedBody("consumed-by")), ["capture-group"]);
  });

  it("all topic configs of a broker", () => {
    const table = decodeTopicConfigTable(capturedBody("all-topic-configs"));
    assert.deepEqual(table.topics["capture-topic"], {
      topicName: "capture-topic",
      readQueueNums: 2,
      writeQueueNums: 2,
      perm: 6,
      order: false,
      topicSysFlag: 0,
      topicFilterType: "SINGLE_TAG",
    });
    assert.ok(table.topics["TBW102"], "system topics are listed too");
    assert.ok((table.dataVersion?.counter ?? 0) > 0);
  });

  it("all subscription groups of a broker", () => {
    const table = decodeSubscriptionGroupTable(capturedBody("all-subscription-groups"));
    assert.equal(table.groups["capture-group"].groupName, "capture-group");
    assert.equal(table.groups["capture-group"].consumeEnable, true);
    assert.equal(table.groups["capture-group"].retryMaxTimes, 16);
  });

  it("broker config properties", () => {
    const config = decodeProperties(capturedBody("broker-config"));
    assert.equal(config.brokerName, "broker-a");
    assert.equal(config.brokerClusterName, "clusterA");
    assert.match(config.namesrvAddr, ADDRESS);
  });

  it("the error capture has no body and the name server's not-found remark", () => {
    const reply = capturedFrame(release, "error-topic-route-unknown");
    assert.equal(reply.code, 17);
    assert.match(reply.remark ?? "", /No topic route info in name server for the topic: no-such-topic/);
    assert.throws(() => decodeTopicRoute(reply.body), BadReplyError);
  });

  it("whole-table replies: every entry in one reply, whether or not the release says how many (5.5 does)", () => {
    const topics = capturedFrame(release, "all-topic-configs");
    const groups = capturedFrame(release, "all-subscription-groups");
    const topicCount = Object.keys(decodeTopicConfigTable(topics.body).topics).length;
    const groupCount = Object.keys(decodeSubscriptionGroupTable(groups.body).groups).length;
    if (protocolVersion >= 513) {
      assert.equal(Number(topics.extFields?.totalTopicNum), topicCount);
      assert.equal(Number(groups.extFields?.totalGroupNum), groupCount);
    } else {
      assert.equal(topics.extFields?.totalTopicNum, undefined);
      assert.equal(groups.extFields?.totalGroupNum, undefined);
    }
  });
});

describe("admin bodies: encoding, and replies of the wrong shape", () => {

  it("broker config round-trips through encodeProperties and refuses line breaks", () => {
    assert.deepEqual(decodeProperties(encodeProperties({ brokerPermission: "4", namesrvAddr: "a:1;b:2" })), nameMap({
      brokerPermission: "4",
      namesrvAddr: "a:1;b:2",
    }));
    assert.throws(() => encodeProperties({ a: "1\nb=2" }), /cannot be encoded/);
  });

  it("consumer offsets: topic@group keys, queue ids written as unquoted numbers", () => {
    const body = Buffer.from('{"dataVersion":{"counter":3,"timestamp":1},"offsetTable":{"orders@billing":{0:12,1:7},"%RETRY%billing@billing":{0:0},"orders@audit":{}}}');
    assert.deepEqual(
      decodeConsumerOffsetTable(body).groups,
      parsedJson({
        billing: { orders: { 0: 12, 1: 7 }, "%RETRY%billing": { 0: 0 } },
        audit: { orders: {} },
      }),
    );
    assert.deepEqual(decodeConsumerOffsetTable(Buffer.from('{"offsetTable":{}}')).groups, nameMap({}));
    assert.throws(() => decodeConsumerOffsetTable(Buffer.from('{"offsetTable":{"no-at-sign":{0:1}}}')), /offsetTable key "no-at-sign" is not topic@group/);
    assert.throws(() => decodeConsumerOffsetTable(Buffer.from('{"offsetTable":{"t@g":{0:"x"}}}')), BadReplyError);
  });

  it("refuses bodies of the wrong shape with BadReplyError", () => {
    assert.throws(() => decodeClusterInfo(Buffer.from("[]")), /cluster info is not an object/);
    assert.throws(() => decodeTopicRoute(Buffer.from('{"queueDatas":[{"brokerName":1}]}')), /brokerName is not a string/);
    assert.throws(() => decodeConsumeStats(Buffer.from('{"offsetTable":{"plain":{}}}')), BadReplyError);
    assert.throws(() => decodeGroupList(Buffer.from("{oops")), /not readable JSON/);
  });

  it("batch topic bodies carry attribute modifications with a + sign", () => {
    const body = JSON.parse(
      encodeTopicConfigList([{ topicName: "t", readQueueNums: 1, writeQueueNums: 1, perm: 6, attributes: { "message.type": "FIFO" } }]).toString(),
    );
    assert.deepEqual(body.topicConfigList[0].attributes, { "+message.type": "FIFO" });
    assert.equal(body.topicConfigList[0].topicFilterType, "SINGLE_TAG");
  });
});
