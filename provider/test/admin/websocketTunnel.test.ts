import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketTunnel } from "../../src/connect/websocketTunnel";

/** Unmasks one client frame (payload < 65536 bytes). */
function clientPayload(frame: Buffer): Buffer {
  let length = frame[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    at = 4;
  }
  const mask = frame.subarray(at, at + 4);
  return Buffer.from(frame.subarray(at + 4, at + 4 + length).map((b, i) => b ^ mask[i & 3]));
}

function serverFrame(opcode: number, payload: Buffer): Buffer {
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length]) : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

describe("WebSocket tunnel", () => {
  let server: http.Server;
  let seenProtocol: string | undefined;
  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(403).end("forbidden: no port-forward for you");
    });
    server.on("upgrade", (req: http.IncomingMessage, socket: Socket) => {
      seenProtocol = req.headers["sec-websocket-protocol"] as string;
      const accept = crypto.createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${seenProtocol}\r\n\r\n`);
      socket.on("end", () => socket.end());
      // Answer every binary frame with a ping, then the payload echoed in two fragments.
      socket.on("data", (frame: Buffer) => {
        if ((frame[0] & 0x0f) !== 2) return;
        const payload = clientPayload(frame);
        socket.write(Buffer.concat([serverFrame(9, Buffer.from("p")), Buffer.from([0x02, 2]), payload.subarray(0, 2), serverFrame(0, payload.subarray(2))]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("upgrades with the SPDY tunnel subprotocol and carries bytes both ways", async () => {
    const port = (server.address() as AddressInfo).port;
    const tunnel = new WebSocketTunnel(`ws://127.0.0.1:${port}/x`, "SPDY/3.1+portforward.k8s.io", {});
    await new Promise<void>((resolve, reject) => {
      tunnel.on("open", resolve);
      tunnel.on("error", reject);
    });
    assert.equal(seenProtocol, "SPDY/3.1+portforward.k8s.io");
    const received: Buffer[] = [];
    const done = new Promise<void>((resolve) =>
      tunnel.on("message", (m: Buffer) => {
        received.push(m);
        if (Buffer.concat(received).length === 300) resolve();
      }),
    );
    tunnel.send(Buffer.alloc(300, 7));
    await done;
    assert.deepEqual(Buffer.concat(received), Buffer.alloc(300, 7));
    const closed = new Promise<void>((resolve) => tunnel.on("close", () => resolve()));
    tunnel.close();
    await closed;
  });

  it("reports a refused handshake with the server's status and text", async () => {
    const refusing = http.createServer((_req, res) => res.writeHead(403).end("forbidden: no port-forward here"));
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const port = (refusing.address() as AddressInfo).port;
      const tunnel = new WebSocketTunnel(`ws://127.0.0.1:${port}/x`, "SPDY/3.1+portforward.k8s.io", {});
      const err = await new Promise<Error>((resolve) => tunnel.on("error", resolve));
      assert.match(err.message, /WebSocket handshake refused: HTTP 403 forbidden: no port-forward here/);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
