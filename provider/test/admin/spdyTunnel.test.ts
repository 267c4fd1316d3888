import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import * as zlib from "node:zlib";
import type * as k8s from "@kubernetes/client-node";
import { dataFrame, SpdyFrameReader, SpdyTunnelPortForwarder, synStreamFrame } from "../../src/connect/spdyPortForward";

/** Parses one uncompressed SPDY header block; returns it and the bytes after it. */
function readHeaderBlock(raw: Buffer): [Record<string, string>, Buffer] {
  const out: Record<string, string> = {};
  let at = 4;
  for (let i = 0; i < raw.readUInt32BE(0); i++) {
    const nameLength = raw.readUInt32BE(at);
    const name = raw.toString("utf8", at + 4, at + 4 + nameLength);
    at += 4 + nameLength;
    const valueLength = raw.readUInt32BE(at);
    out[name] = raw.toString("utf8", at + 4, at + 4 + valueLength);
    at += 4 + valueLength;
  }
  return [out, raw.subarray(at)];
}

class FakeTunnel extends EventEmitter {
  readyState = 1;
  readonly sent: Buffer[] = [];
  closed = false;
  send(data: Buffer) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
}

const kubeConfig = {
  getCurrentCluster: () => ({ server: "https://127.0.0.1:6443" }),
  applyToHTTPSOptions: async (o: Record<string, unknown>) => {
    o.headers = { Authorization: "Bearer t" };
  },
} as unknown as k8s.KubeConfig;

async function openFake(): Promise<{ tunnel: FakeTunnel; url: string; protocols: string[]; stream: import("node:stream").Duplex }> {
  const tunnel = new FakeTunnel();
  let url = "";
  let protocols: string[] = [];
  const forwarder = new SpdyTunnelPortForwarder(kubeConfig, (u, p) => {
    url = u;
    protocols = p;
    setImmediate(() => tunnel.emit("open"));
    return tunnel as never;
  });
  const stream = await forwarder.open({ namespace: "mq", name: "broker-0" }, 10911);
  return { tunnel, url, protocols, stream };
}

describe("SPDY port-forward tunnel", () => {
  it("frames round-trip through the reader, split anywhere", () => {
    const bytes = Buffer.concat([synStreamFrame(1, Buffer.from("hdr")), dataFrame(3, Buffer.from("hello")), dataFrame(3, Buffer.alloc(0), true)]);
    const reader = new SpdyFrameReader();
    const frames = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
    assert.deepEqual(
      frames.map((f) => [f.control, f.type, f.streamId, f.flags, f.payload.length]),
      [
        [true, 1, 0, 0, 13],
        [false, 0, 3, 0, 5],
        [false, 0, 3, 1, 0],
      ],
    );
    assert.equal(bytes.readUInt16BE(0), 0x8003, "control bit and SPDY version 3");
  });

  it("opens the kubelet's error and data streams for the port, through the tunnel protocol", async () => {
    const { tunnel, url, protocols } = await openFake();
    assert.equal(url, "wss://127.0.0.1:6443/api/v1/namespaces/mq/pods/broker-0/portforward?ports=10911");
    assert.deepEqual(protocols, ["SPDY/3.1+portforward.k8s.io"]);
    const frames = new SpdyFrameReader().push(Buffer.concat(tunnel.sent));
    assert.deepEqual(frames.map((f) => [f.type, f.payload.readUInt32BE(0)]), [
      [1, 1],
      [1, 3],
    ]);
    // One zlib context spans both header blocks, as SPDY requires.
    const raw = zlib.inflateSync(Buffer.concat(frames.map((f) => f.payload.subarray(10))), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const [error, rest] = readHeaderBlock(raw);
    const [data] = readHeaderBlock(rest);
    assert.deepEqual(error, { streamtype: "error", port: "10911", requestid: "0" });
    assert.deepEqual(data, { streamtype: "data", port: "10911", requestid: "0" });
  });

  it("carries bytes both ways and ends with the data stream", async () => {
    const { tunnel, stream } = await openFake();
    tunnel.sent.length = 0;
    stream.write(Buffer.from("ping"));
    const out = new SpdyFrameReader().push(Buffer.concat(tunnel.sent));
    assert.deepEqual(out.map((f) => [f.streamId, f.payload.toString()]), [[3, "ping"]]);
    const received: string[] = [];
    stream.on("data", (d: Buffer) => received.push(d.toString()));
    const ended = new Promise<void>((resolve) => stream.once("end", resolve));
    tunnel.emit("message", Buffer.concat([dataFrame(3, Buffer.from("pong")), dataFrame(3, Buffer.alloc(0), true)]));
    await ended;
    assert.deepEqual(received, ["pong"]);
  });

  it("fails the stream with the kubelet's error text, and answers pings", async () => {
    const { tunnel, stream } = await openFake();
    tunnel.sent.length = 0;
    const ping = Buffer.alloc(12);
    ping.writeUInt32BE(0x80030006, 0);
    ping.writeUInt32BE(4, 4);
    ping.writeUInt32BE(7, 8);
    tunnel.emit("message", ping);
    assert.deepEqual(tunnel.sent, [ping]);
    const failed = new Promise<Error>((resolve) => stream.once("error", resolve));
    tunnel.emit("message", Buffer.concat([dataFrame(1, Buffer.from("dial tcp 10.0.0.1:10911: connection refused")), dataFrame(1, Buffer.alloc(0), true)]));
    assert.match((await failed).message, /port-forward to mq\/broker-0:10911: dial tcp 10\.0\.0\.1:10911: connection refused/);
    assert.ok(tunnel.closed);
  });

  it("a tunnel that fails to open rejects open() with the failure, closes the tunnel and leaves no stray error behind", async () => {
    const tunnel = new FakeTunnel();
    const forwarder = new SpdyTunnelPortForwarder(kubeConfig, () => {
      setImmediate(() => tunnel.emit("error", new Error("WebSocket handshake refused: HTTP 403 forbidden")));
      return tunnel as never;
    });
    const stray: unknown[] = [];
    const onUncaught = (err: unknown) => stray.push(err);
    const mochaHandlers = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      await assert.rejects(forwarder.open({ namespace: "mq", name: "broker-0" }, 10911), /HTTP 403 forbidden/);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("uncaughtException", onUncaught);
      for (const handler of mochaHandlers) process.on("uncaughtException", handler);
    }
    assert.deepEqual(stray.map(String), []);
    assert.ok(tunnel.closed);
  });
});
