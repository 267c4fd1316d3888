// A peer that sends bad frames must never crash the provider: the connection closes and every
// call on it fails with a RocketMQAdminError naming the problem.

import { strict as assert } from "node:assert";
import * as net from "node:net";
import { RocketMQAdminClient, RocketMQAdminError } from "../../provider/src/admin";
import { encodeFrame, FLAG_RESPONSE, FrameDecoder, RemotingCommand } from "../../provider/src/admin/codec";
import { nameMap } from "../../provider/test/admin/nameMaps";

type Misbehaviour = (request: RemotingCommand, socket: net.Socket) => void;

/** A loopback server that reads our requests and answers with whatever `misbehave` writes. */
async function startPeer(misbehave: Misbehaviour): Promise<{ address: string; closedByClient: Promise<void>; stop(): Promise<void> }> {
  let resolveClosed: () => void = () => undefined;
  const closedByClient = new Promise<void>((resolve) => (resolveClosed = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      resolveClosed();
    });
    const decoder = new FrameDecoder();
    socket.on("data", (chunk) => decoder.push(chunk).forEach((request) => misbehave(request, socket)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    closedByClient,
    stop: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function goodReply(request: RemotingCommand, body = "brokerName=ok\n"): Buffer {
  return encodeFrame({ code: 0, opaque: request.opaque, flag: FLAG_RESPONSE, body: Buffer.from(body) });
}

async function expectAdminError(call: Promise<unknown>, pattern: RegExp): Promise<RocketMQAdminError> {
  const err = await call.then(
    () => assert.fail("the call should have failed"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RocketMQAdminError, `a RocketMQAdminError, got ${String(err)}`);
  assert.match(err.message, pattern);
  return err;
}

describe("admin client against a peer sending bad frames", () => {
  let client: RocketMQAdminClient;
  const peers: Array<{ stop(): Promise<void> }> = [];
  const unexpected: unknown[] = [];
  const onUncaught = (err: unknown) => unexpected.push(err);

  before(() => process.on("uncaughtException", onUncaught));
  after(() => process.off("uncaughtException", onUncaught));
  beforeEach(() => {
    client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1", timeoutMs: 3000 });
  });
  afterEach(async () => {
    client.close();
    await Promise.all(peers.splice(0).map((p) => p.stop()));
    assert.deepEqual(unexpected, [], "no uncaught exception");
  });

  it("truncated frame, then the peer hangs up: the call fails with a connection error", async () => {
    const peer = await startPeer((request, socket) => {
      const whole = goodReply(request);
      socket.end(whole.subarray(0, whole.length - 5));
    });
    peers.push(peer);
    const err = await expectAdminError(client.getBrokerConfig(peer.address), /connection to 127\.0\.0\.1:\d+ closed by peer/);
    assert.ok(err.isConnectionFailure());
  });

  it("oversized length: the client closes the connection and fails every pending call", async () => {
    const peer = await startPeer((_request, socket) => {
      const huge = Buffer.alloc(8);
      huge.writeInt32BE(0x7fffff00, 0);
      socket.write(huge);
    });
    peers.push(peer);
    const calls = [client.getBrokerConfig(peer.address), client.getBrokerConfig(peer.address)];
    for (const call of calls) {
      const err = await expectAdminError(call, /bad frame from 127\.0\.0\.1:\d+: invalid frame length 2147483392/);
      assert.ok(err.isBadReply(), "an unreadable frame is a bad reply, not a passing connection fault");
    }
    await peer.closedByClient;
  });

  it("negative length: refused the same way", async () => {
    const peer = await startPeer((_request, socket) => {
      const negative = Buffer.alloc(4);
      negative.writeInt32BE(-1, 0);
      socket.write(negative);
    });
    peers.push(peer);
    await expectAdminError(client.getBrokerConfig(peer.address), /invalid frame length -1/);
    await peer.closedByClient;
  });

  it("invalid header JSON: the connection closes with the decode error", async () => {
    const peer = await startPeer((_request, socket) => {
      const header = Buffer.from('{"code":0,"opaque":');
      const frame = Buffer.alloc(8);
      frame.writeInt32BE(4 + header.length, 0);
      frame.writeInt32BE(header.length, 4);
      socket.write(Buffer.concat([frame, header]));
    });
    peers.push(peer);
    await expectAdminError(client.getBrokerConfig(peer.address), /bad frame .*header is not valid JSON/);
    await peer.closedByClient;
  });

  it("header length larger than the frame: refused", async () => {
    const peer = await startPeer((_request, socket) => {
      const frame = Buffer.alloc(12);
      frame.writeInt32BE(8, 0);
      frame.writeInt32BE(1000, 4);
      socket.write(frame);
    });
    peers.push(peer);
    await expectAdminError(client.getBrokerConfig(peer.address), /header length 1000 exceeds/);
  });

  it("a valid frame whose body is not what the operation expects: a bad-reply error, connection kept", async () => {
    let calls = 0;
    const peer = await startPeer((request, socket) => {
      calls++;
      socket.write(goodReply(request, calls === 1 ? '{"brokerAddrTable":[1,2]}' : '{"brokerAddrTable":{},"clusterAddrTable":{}}'));
    });
    peers.push(peer);
    const nsClient = new RocketMQAdminClient({ nameServers: peer.address });
    try {
      const err = await expectAdminError(nsClient.getClusterInfo(), /GET_BROKER_CLUSTER_INFO at 127\.0\.0\.1:\d+: brokerAddrTable is not an object/);
      assert.equal(err.code, -1008);
      assert.deepEqual(await nsClient.getClusterInfo(), { clusters: nameMap({}), brokers: nameMap({}) });
    } finally {
      nsClient.close();
    }
  });

  it("after a bad peer, the same client still talks to a good one", async () => {
    const bad = await startPeer((_request, socket) => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff])));
    const good = await startPeer((request, socket) => socket.write(goodReply(request)));
    peers.push(bad, good);
    await expectAdminError(client.getBrokerConfig(bad.address), /invalid frame length -1/);
    assert.deepEqual(await client.getBrokerConfig(good.address), nameMap({ brokerName: "ok" }));
  });
});
