// The admin client survives any reply: each case here is a reply that once crashed the plugin,
// threw an untyped error, wedged a pooled connection, lost a name or fired a timer at once.

import { strict as assert } from "node:assert";
import * as net from "node:net";
import { copyMetadata, RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { FLAG_RESPONSE, RemotingCommand } from "../../src/admin/codec";
import { RequestCode } from "../../src/admin/codes";
import { parseFastjson } from "../../src/admin/fastjson";
import { FakePeer, reply } from "./fakePeer";
import { nameMap } from "./nameMaps";

/** K0 = {"a":0}, K(n+1) = { K(n) :0}: an object key nested n levels in object keys. */
function nestedKey(depth: number): string {
  let key = '{"a":0}';
  for (let i = 0; i < depth; i++) key = `{${key}:0}`;
  return key;
}

async function adminError(call: Promise<unknown>): Promise<RocketMQAdminError> {
  const err = await call.then(
    () => assert.fail("the call should have failed"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RocketMQAdminError, `a RocketMQAdminError, got ${String(err)}`);
  return err;
}

/** A frame with this exact JSON header text. */
function frameWithHeader(header: string, body = ""): Buffer {
  const headerBytes = Buffer.from(header);
  const bodyBytes = Buffer.from(body);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + headerBytes.length + bodyBytes.length, 0);
  prefix.writeInt32BE(headerBytes.length, 4);
  return Buffer.concat([prefix, headerBytes, bodyBytes]);
}

describe("admin client: replies that must not hurt it", () => {
  let peer: FakePeer | undefined;
  let client: RocketMQAdminClient | undefined;
  const unexpected: unknown[] = [];
  const onUnexpected = (err: unknown) => unexpected.push(err);

  before(() => {
    process.on("uncaughtException", onUnexpected);
    process.on("unhandledRejection", onUnexpected);
  });
  after(() => {
    process.off("uncaughtException", onUnexpected);
    process.off("unhandledRejection", onUnexpected);
  });
  afterEach(async () => {
    client?.close();
    await peer?.stop();
    peer = undefined;
    client = undefined;
    assert.deepEqual(unexpected.splice(0), [], "no uncaught exception or unhandled rejection");
  });

  /** A peer answering every request with the body `answer` gives for it. */
  async function answering(answer: (request: RemotingCommand) => string | Buffer): Promise<string> {
    peer = await FakePeer.start((request, socket) => socket.write(reply(request, answer(request))));
    client = new RocketMQAdminClient({ nameServers: peer.address, timeoutMs: 1000 });
    return peer.address;
  }

  describe("bounded parsing", () => {
    it("a 151-byte body with an object key nested 22 deep is a quick bad reply, not a 16-million-character key", async () => {
      const body = `{"offsetTable":{${nestedKey(22)}:{}}}`;
      assert.ok(body.length < 200);
      const address = await answering(() => body);
      const started = Date.now();
      const err = await adminError(client!.getConsumeStats(address, "g", "t", { timeoutMs: 1000 }));
      assert.ok(err.isBadReply(), err.message);
      assert.match(err.message, /GET_CONSUME_STATS at 127\.0\.0\.1:\d+: consume stats: body is not readable JSON: object key nested deeper than 8/);
      assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    });

    it("sixteen distinct keys nested 25 deep (the reply that killed the process) fail fast within the call's timeout", async () => {
      const keys = Array.from({ length: 16 }, (_, i) => nestedKey(25).replace('"a"', `"a${i}"`));
      const address = await answering(() => `{"offsetTable":{${keys.map((k) => `${k}:{"brokerOffset":1,"consumerOffset":1}`).join(",")}}}`);
      const rssBefore = process.memoryUsage().rss;
      const started = Date.now();
      const err = await adminError(client!.getConsumeStats(address, "g", undefined, { timeoutMs: 1000 }));
      assert.ok(err.isBadReply(), err.message);
      assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
      assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, "no runaway memory");
    });

    it("thirty keys nested 22 deep (5 KB) do not block the event loop", async () => {
      const keys = Array.from({ length: 30 }, (_, i) => nestedKey(22).replace('"a"', `"k${i}"`));
      const body = `{"offsetTable":{${keys.map((k) => `${k}:{}`).join(",")}}}`;
      const address = await answering(() => body);
      const started = Date.now();
      const err = await adminError(client!.getTopicStats(address, "t"));
      const elapsed = Date.now() - started;
      assert.ok(err.isBadReply());
      assert.ok(elapsed < 500, `took ${elapsed} ms`);
    });

    it("object keys up to the structured-key limit still parse, in linear time", () => {
      const key = nestedKey(7);
      const parsed = parseFastjson(`{${key}:1}`) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed), [key], "the canonical key is the key as written, escaped nowhere");
      const wide = Array.from({ length: 2000 }, (_, i) => `${nestedKey(7).replace('"a"', `"w${i}"`)}:${i}`).join(",");
      const started = Date.now();
      assert.equal(Object.keys(parseFastjson(`{${wide}}`) as object).length, 2000);
      assert.ok(Date.now() - started < 1000);
    });

    it("nesting 100,000 deep is a bad reply, strict JSON or not", async () => {
      const address = await answering((request) =>
        request.code === RequestCode.GET_BROKER_CLUSTER_INFO ? `{"brokerAddrTable":${"[".repeat(100_000)}${"]".repeat(100_000)}}` : `{0:${"{0:".repeat(100_000)}`,
      );
      for (const call of [client!.getClusterInfo(), client!.getTopicStats(address, "t")]) {
        const err = await adminError(call);
        assert.ok(err.isBadReply());
        assert.match(err.message, /nesting deeper than 64/);
      }
    });
  });

  describe("typed errors", () => {
    it("an object with its own toString where an address belongs: BAD_REPLY, not TypeError", async () => {
      const address = await answering((request) => {
        switch (request.code) {
          case RequestCode.GET_BROKER_CLUSTER_INFO:
            return '{"brokerAddrTable":{"b":{"cluster":"c","brokerName":"b","brokerAddrs":{"0":{"toString":0}}}}}';
          case RequestCode.GET_ROUTEINFO_BY_TOPIC:
            return '{"queueDatas":[],"brokerDatas":[{"cluster":"c","brokerName":"b","brokerAddrs":{"0":{"toString":0}}}]}';
          default:
            return '{"topicConfigTable":{"t":{"topicName":"t","readQueueNums":1,"writeQueueNums":1,"perm":6,"attributes":{"a":{"toString":0}}}}}';
        }
      });
      const errors = [await adminError(client!.getClusterInfo()), await adminError(client!.getTopicRoute("t")), await adminError(client!.getAllTopicConfigs(address))];
      for (const err of errors) {
        assert.ok(err.isBadReply(), err.message);
        assert.match(err.message, /is not a string/);
      }
      assert.match(errors[0].message, /brokerAddrTable\.b\.brokerAddrs\.0 is not a string/);
    });

    it("a header whose extFields value has its own toString: the connection closes with BAD_REPLY; the next call gets a fresh one", async () => {
      let calls = 0;
      peer = await FakePeer.start((request, socket) => {
        if (++calls === 1) socket.write(frameWithHeader(JSON.stringify({ code: 0, flag: FLAG_RESPONSE, opaque: request.opaque, extFields: { value: { toString: 0 } } })));
        else socket.write(reply(request, "k=v\n"));
      });
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs: 1000 });
      const err = await adminError(client.getBrokerConfig(peer.address));
      assert.ok(err.isBadReply());
      assert.match(err.message, /bad frame from 127\.0\.0\.1:\d+: header extFields\.value is not a string/);
      assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ k: "v" }));
    });

    it("a quoted offsetTable key that is not JSON is a bad reply, with the parse error as cause", async () => {
      const address = await answering(() => '{"offsetTable":{"{oops":{"brokerOffset":1,"consumerOffset":1,"minOffset":0,"maxOffset":1}}}');
      for (const call of [client!.getConsumeStats(address, "g"), client!.getTopicStats(address, "t")]) {
        const err = await adminError(call);
        assert.ok(err.isBadReply());
        assert.match(err.message, /offsetTable key is not a message queue/);
        assert.ok(err.cause instanceof Error, "the cause is attached");
      }
    });

    it("offsets of 1e999 are refused, not turned into a NaN lag", async () => {
      const queue = '{"brokerName":"b","queueId":0,"topic":"t"}';
      const address = await answering((request) =>
        request.code === RequestCode.GET_CONSUME_STATS
          ? `{"offsetTable":{${queue}:{"brokerOffset":1e999,"consumerOffset":5}}}`
          : `{"offsetTable":{${queue}:{"minOffset":0,"maxOffset":-1e999}}}`,
      );
      const stats = await adminError(client!.getConsumeStats(address, "g"));
      assert.match(stats.message, /brokerOffset is not a finite number/);
      const topicStats = await adminError(client!.getTopicStats(address, "t"));
      assert.match(topicStats.message, /maxOffset is not a finite number/);
    });

    it("1e999 in a group field the client passes through unread is refused too (a copy would write null)", async () => {
      const address = await answering(() => '{"subscriptionGroupTable":{"g":{"groupName":"g","groupRetryPolicy":{"type":1e999}}}}');
      const err = await adminError(client!.getAllSubscriptionGroups(address));
      assert.ok(err.isBadReply());
      assert.match(err.message, /subscriptionGroupTable\.g\.groupRetryPolicy\.type is not a finite number/);
    });

    it("a negative response code is a bad reply, never one of the client's own failure codes", async () => {
      peer = await FakePeer.start((request, socket) => socket.write(reply(request, undefined, -1006, "posing as a timeout")));
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
      const err = await adminError(client.getBrokerConfig(peer.address));
      assert.ok(err.isBadReply() && !err.isTimeout(), err.message);
      assert.match(err.message, /reply has response code -1006, which RocketMQ never sends/);
    });

    it("a request that cannot be encoded is INVALID_ARGUMENT, and nothing is sent", async () => {
      let requests = 0;
      peer = await FakePeer.start((request, socket) => {
        requests++;
        socket.write(reply(request));
      });
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
      const err = await adminError(client.updateBrokerConfig(peer.address, { a: "1\nb=2" }));
      assert.ok(err.isInvalidArgument());
      assert.match(err.message, /broker config entry "a" cannot be encoded/);
      const cyclic: Record<string, unknown> = { groupName: "g" };
      cyclic.self = cyclic;
      assert.ok((await adminError(client.createOrUpdateSubscriptionGroup(peer.address, cyclic as never))).isInvalidArgument());
      assert.equal(requests, 0);
    });
  });

  describe("no wedged connection", () => {
    it("a reply claiming 1 MiB that never comes: that call times out, the connection is replaced, later calls work", async () => {
      let calls = 0;
      peer = await FakePeer.start((request, socket) => {
        if (++calls === 1) {
          const lie = Buffer.alloc(8);
          lie.writeInt32BE(1024 * 1024, 0);
          socket.write(lie);
        } else socket.write(reply(request, `call=${calls}\n`));
      });
      // One attempt per call, so the timed-out call shows, not a retry that hides it.
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs: 300, retry: false });
      const err = await adminError(client.getBrokerConfig(peer.address));
      assert.ok(err.isTimeout());
      for (let i = 0; i < 3; i++) assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ call: String(calls) }));
      assert.equal(calls, 4);
    });

    it("a valid reply followed by garbage in the same chunk: the reply is delivered, then the connection closes", async () => {
      let calls = 0;
      peer = await FakePeer.start((request, socket) => {
        calls++;
        socket.write(Buffer.concat([reply(request, "good=1\n"), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0])]));
      });
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs: 1000 });
      assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ good: "1" }));
      assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ good: "1" }), "a fresh connection serves the next call");
      assert.equal(calls, 2);
    });
  });

  describe("names that are Object.prototype's", () => {
    const names = ["__proto__", "constructor", "toString"];
    const topicConfig = (topicName: string) => ({ topicName, readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0, order: false, topicFilterType: "SINGLE_TAG" });

    it("keeps __proto__, constructor and toString as topics, groups, clusters and brokers", async () => {
      const table = (build: (name: string) => object) => `{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(build(n))}`).join(",")}}`;
      const address = await answering((request) => {
        switch (request.code) {
          case RequestCode.GET_BROKER_CLUSTER_INFO:
            return `{"brokerAddrTable":${table((n) => ({ cluster: n, brokerName: n, brokerAddrs: { 0: `${n}:1` } }))},"clusterAddrTable":${table((n) => [n])}}`;
          case RequestCode.GET_ALL_TOPIC_CONFIG:
            return `{"topicConfigTable":${table(topicConfig)}}`;
          default:
            return `{"subscriptionGroupTable":${table((n) => ({ groupName: n, retryMaxTimes: 16 }))}}`;
        }
      });
      const info = await client!.getClusterInfo();
      const topics = (await client!.getAllTopicConfigs(address)).topics;
      const groups = (await client!.getAllSubscriptionGroups(address)).groups;
      for (const map of [info.clusters, info.brokers, topics, groups]) {
        assert.equal(Object.getPrototypeOf(map), null);
        assert.deepEqual(Object.keys(map).sort(), [...names].sort());
      }
      assert.deepEqual(info.clusters["__proto__"], ["__proto__"]);
      assert.equal(info.brokers["constructor"].addresses["0"], "constructor:1");
      assert.equal(topics["toString"].topicName, "toString");
      assert.equal(groups["__proto__"].groupName, "__proto__");
      assert.equal(({} as Record<string, unknown>).retryMaxTimes, undefined, "Object.prototype untouched");
    });

    it("copies topics and groups named __proto__, constructor and toString between brokers", async () => {
      const target = { topics: {} as Record<string, object>, groups: {} as Record<string, object> };
      const serve = (source: boolean) => (request: RemotingCommand, socket: net.Socket) => {
        const tables = source
          ? { topics: Object.fromEntries(names.map((n) => [n, topicConfig(n)])), groups: Object.fromEntries(names.map((n) => [n, { groupName: n }])) }
          : target;
        switch (request.code) {
          case RequestCode.GET_ALL_TOPIC_CONFIG:
            return socket.write(reply(request, { topicConfigTable: tables.topics }));
          case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
            return socket.write(reply(request, { subscriptionGroupTable: tables.groups }));
          case RequestCode.GET_BROKER_CONFIG:
            return socket.write(reply(request, `brokerName=${source ? "s" : "t"}\n`));
          case RequestCode.UPDATE_AND_CREATE_TOPIC_LIST:
            for (const t of JSON.parse(request.body!.toString()).topicConfigList) Object.defineProperty(target.topics, t.topicName, { value: t, enumerable: true });
            return socket.write(reply(request));
          default:
            for (const g of JSON.parse(request.body!.toString()).groupConfigList) Object.defineProperty(target.groups, g.groupName, { value: g, enumerable: true });
            return socket.write(reply(request));
        }
      };
      const source = await FakePeer.start(serve(true));
      const targetPeer = await FakePeer.start(serve(false));
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
      try {
        const result = await copyMetadata(client, source.address, targetPeer.address);
        assert.deepEqual([result.topicsCopied, result.groupsCopied], [3, 3]);
        assert.deepEqual(Object.keys(target.topics).sort(), [...names].sort());
        assert.deepEqual(Object.keys(target.groups).sort(), [...names].sort());
        const again = await copyMetadata(client, source.address, targetPeer.address);
        assert.deepEqual([again.topicsCopied, again.topicsAlreadyEqual, again.groupsCopied, again.groupsAlreadyEqual], [0, 3, 0, 3]);
      } finally {
        await source.stop();
        await targetPeer.stop();
      }
    });

    it("keeps numeric keys 0, -0 and 0.0 apart, as the broker wrote them", async () => {
      await answering(() => '{"brokerAddrTable":{"b":{"cluster":"c","brokerName":"b","brokerAddrs":{0:"a:1",-0:"a:2",0.0:"a:3"}}}}');
      const info = await client!.getClusterInfo();
      assert.deepEqual(info.brokers.b.addresses, nameMap({ "0": "a:1", "-0": "a:2", "0.0": "a:3" }));
    });
  });

  describe("timeouts checked at the boundary", () => {
    const rule = /timeoutMs must be a finite number of milliseconds from 1 to 86400000 \(24 h\), got /;

    it("refuses 0, -1, NaN, Infinity and 2^31 ms per call, before sending anything", async () => {
      let requests = 0;
      peer = await FakePeer.start((request, socket) => {
        requests++;
        socket.write(reply(request, "k=v\n"));
      });
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
      for (const timeoutMs of [0, -1, NaN, Infinity, 2 ** 31, 86_400_001]) {
        const err = await adminError(client.getBrokerConfig(peer.address, { timeoutMs }));
        assert.ok(err.isInvalidArgument());
        assert.match(err.message, rule);
        assert.ok(err.message.endsWith(`got ${timeoutMs}`), err.message);
      }
      assert.equal(requests, 0);
    });

    it("refuses them as client defaults too", () => {
      for (const timeoutMs of [0, NaN, Infinity, 2 ** 31]) {
        assert.throws(
          () => new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs }),
          (e: unknown) => e instanceof RocketMQAdminError && e.isInvalidArgument() && rule.test(e.message),
        );
      }
      assert.throws(() => new RocketMQAdminClient({ nameServers: "127.0.0.1:1", connectTimeoutMs: -5 }), /connectTimeoutMs must be a finite number/);
      assert.throws(() => new RocketMQAdminClient({ nameServers: " ; " }), (e: unknown) => e instanceof RocketMQAdminError && e.isInvalidArgument());
    });

    it("a 24 h timeout waits for the reply instead of firing at once", async () => {
      peer = await FakePeer.start((request, socket) => setTimeout(() => socket.write(reply(request, "late=1\n")), 100));
      client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
      assert.deepEqual(await client.getBrokerConfig(peer.address, { timeoutMs: 86_400_000 }), nameMap({ late: "1" }));
    });
  });
});
