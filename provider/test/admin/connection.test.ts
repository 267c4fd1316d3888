import { strict as assert } from "node:assert";
import { RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { encodeFrame } from "../../src/admin/codec";
import { FakePeer, reply } from "./fakePeer";
import { nameMap } from "./nameMaps";

describe("admin client over a fake peer", () => {
  let peer: FakePeer | undefined;
  let client: RocketMQAdminClient | undefined;
  afterEach(async () => {
    client?.close();
    await peer?.stop();
    peer = undefined;
    client = undefined;
  });

  it("matches replies to calls by opaque, whatever order they come in", async () => {
    const held: Array<() => void> = [];
    peer = await FakePeer.start((request, socket) => {
      held.push(() => socket.write(reply(request, { groupList: [request.extFields?.topic] })));
      if (held.length === 3) held.reverse().forEach((send) => send());
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
    const results = await Promise.all(["t1", "t2", "t3"].map((t) => client!.queryTopicConsumeByWho(peer!.address, t)));
    assert.deepEqual(results, [["t1"], ["t2"], ["t3"]]);
    assert.equal(peer.sockets.size, 1, "one pooled connection per address");
  });

  it("sends the request code and header fields RocketMQ expects", async () => {
    let seen: { code: number; ext?: Record<string, string>; body?: string } | undefined;
    peer = await FakePeer.start((request, socket) => {
      seen = { code: request.code, ext: request.extFields, body: request.body?.toString() };
      socket.write(reply(request));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
    await client.createOrUpdateTopic(peer.address, { topicName: "orders", readQueueNums: 4, writeQueueNums: 4, perm: 6, attributes: { "message.type": "FIFO" } });
    assert.deepEqual(seen, {
      code: 17,
      ext: nameMap({
        topic: "orders",
        defaultTopic: "TBW102",
        readQueueNums: "4",
        writeQueueNums: "4",
        perm: "6",
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: "0",
        order: "false",
        attributes: "+message.type=FIFO",
      }),
      body: undefined,
    });
    await client.updateBrokerConfig(peer.address, { brokerPermission: "4" });
    assert.deepEqual(seen, { code: 25, ext: undefined, body: "brokerPermission=4\n" });
  });

  it("turns an error reply into RocketMQAdminError with code and remark", async () => {
    peer = await FakePeer.start((request, socket) => socket.write(reply(request, undefined, 17, "No topic route info")));
    client = new RocketMQAdminClient({ nameServers: peer.address });
    const err = await client.getTopicRoute("missing").then(
      () => assert.fail("expected an error"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RocketMQAdminError);
    assert.equal(err.code, 17);
    assert.equal(err.remark, "No topic route info");
    assert.equal(err.requestCode, 105);
    assert.ok(err.isNotFound());
    assert.match(err.message, /GET_ROUTEINFO_BY_TOPIC at 127\.0\.0\.1:\d+ failed with code 17: No topic route info/);
  });

  it("times out a call the peer never answers, and the next call goes over a fresh connection", async () => {
    let calls = 0;
    const connections = new Set<unknown>();
    peer = await FakePeer.start((request, socket) => {
      connections.add(socket);
      if (++calls > 1) socket.write(reply(request, { groupList: [] }));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs: 200, retry: false });
    const started = Date.now();
    await assert.rejects(client.queryTopicConsumeByWho(peer.address, "t"), (e: RocketMQAdminError) => e.isTimeout() && /within 200 ms/.test(e.message));
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(await client.queryTopicConsumeByWho(peer.address, "t"), []);
    assert.equal(connections.size, 2, "the connection that timed out was dropped: it may be stuck");
  });

  it("honours an AbortSignal", async () => {
    peer = await FakePeer.start(() => undefined);
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
    const controller = new AbortController();
    const call = client.getBrokerConfig(peer.address, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(call, (e: RocketMQAdminError) => e.code === -1007 && /aborted/.test(e.message));
  });

  it("fails with a connection error when nothing listens", async () => {
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", connectTimeoutMs: 1000, retry: false });
    await assert.rejects(client.getClusterInfo(), (e: RocketMQAdminError) => e.isConnectionFailure() && /cannot connect to 127\.0\.0\.1:1/.test(e.message));
  });

  it("tries the next name server when one is unreachable", async () => {
    peer = await FakePeer.start((request, socket) => socket.write(reply(request, '{"brokerAddrTable":{},"clusterAddrTable":{}}')));
    client = new RocketMQAdminClient({ nameServers: `127.0.0.1:1;${peer.address}` });
    assert.deepEqual(await client.getClusterInfo(), { clusters: nameMap({}), brokers: nameMap({}) });
  });

  it("ignores requests the peer initiates and replies to calls already given up", async () => {
    peer = await FakePeer.start((request, socket) => {
      // A reply to an opaque nobody waits for, then a request from the peer reusing our opaque.
      socket.write(reply({ ...request, opaque: 123456 }, "stale=1\n"));
      socket.write(encodeFrame({ code: 40, opaque: request.opaque, flag: 0, body: Buffer.from("notify=1\n") }));
      socket.write(reply(request, "a=b\n"));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
    assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ a: "b" }));
  });

  it("reopens a connection after the peer closed it", async () => {
    let first = true;
    peer = await FakePeer.start((request, socket) => {
      if (first) {
        first = false;
        socket.destroy();
        return;
      }
      socket.write(reply(request, "k=v\n"));
    });
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", retry: false });
    await assert.rejects(client.getBrokerConfig(peer.address), (e: RocketMQAdminError) => e.isConnectionFailure());
    assert.deepEqual(await client.getBrokerConfig(peer.address), nameMap({ k: "v" }));
  });
});
