// A minimal WebSocket client (RFC 6455) for the API server's tunneled port-forward. The `ws`
// package refuses the subprotocol name "SPDY/3.1+portforward.k8s.io" ('/' is not a token
// character), which the API server requires, so the handshake and framing are done here.
// Only what a byte tunnel needs: binary frames out (masked), any data frames in, ping/pong, close.

import { EventEmitter } from "node:events";
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The server answered the upgrade with an HTTP status instead of switching protocols. */
export class HandshakeRefusedError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    /** The response body: for the Kubernetes API server, a Status object in JSON. */
    readonly body: string,
  ) {
    super(`WebSocket handshake refused: HTTP ${statusCode} ${body.trim().slice(0, 300)}`);
    this.name = "HandshakeRefusedError";
  }
}
const Opcode = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

export class WebSocketTunnel extends EventEmitter {
  readyState = 0;
  private socket?: Socket;
  private buffered: Buffer = Buffer.alloc(0);

  constructor(url: string, protocol: string, options: https.RequestOptions & { headers?: Record<string, string> }) {
    super();
    const target = new URL(url.replace(/^ws/, "http"));
    const key = crypto.randomBytes(16).toString("base64");
    const request = (target.protocol === "https:" ? https : http).request({
      ...options,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: "GET",
      headers: {
        ...(options.headers ?? {}),
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Protocol": protocol,
      },
    });
    request.on("upgrade", (response: http.IncomingMessage, socket: Socket, head: Buffer) => {
      const expected = crypto.createHash("sha1").update(key + WS_GUID).digest("base64");
      if (response.headers["sec-websocket-accept"] !== expected) {
        socket.destroy();
        this.fail(new Error("WebSocket handshake: bad Sec-WebSocket-Accept"));
        return;
      }
      this.socket = socket;
      this.readyState = 1;
      socket.on("data", (chunk: Buffer) => this.onBytes(chunk));
      socket.on("close", () => this.closed(1006));
      socket.on("error", (err) => this.fail(err));
      this.emit("open");
      if (head.length > 0) this.onBytes(head);
    });
    request.on("response", (response: http.IncomingMessage) => {
      let body = "";
      response.on("data", (d) => (body += d));
      response.on("end", () => this.fail(new HandshakeRefusedError(response.statusCode, body)));
    });
    request.on("error", (err) => this.fail(err));
    request.end();
  }

  send(data: Buffer): void {
    if (!this.socket || this.readyState !== 1) throw new Error("WebSocket is not open");
    this.socket.write(this.frame(Opcode.BINARY, data));
  }

  /** Sends a close frame and lets the connection go; a byte tunnel has nothing left to wait for. */
  close(): void {
    if (this.socket && this.readyState === 1) {
      const socket = this.socket;
      this.readyState = 2;
      socket.end(this.frame(Opcode.CLOSE, Buffer.from([0x03, 0xe8])), () => socket.destroy());
      this.closed(1000);
    }
  }

  private frame(opcode: number, payload: Buffer): Buffer {
    const mask = crypto.randomBytes(4);
    let head: Buffer;
    if (payload.length < 126) {
      head = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    } else if (payload.length < 65536) {
      head = Buffer.alloc(4);
      head.writeUInt8(0x80 | opcode, 0);
      head.writeUInt8(0x80 | 126, 1);
      head.writeUInt16BE(payload.length, 2);
    } else {
      head = Buffer.alloc(10);
      head.writeUInt8(0x80 | opcode, 0);
      head.writeUInt8(0x80 | 127, 1);
      head.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const masked = Buffer.allocUnsafe(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
    return Buffer.concat([head, mask, masked]);
  }

  private onBytes(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) return;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      const maskKey = masked ? b.subarray(at, at + 4) : undefined;
      if (masked) at += 4;
      if (b.length < at + length) return;
      let payload = b.subarray(at, at + length);
      if (maskKey) payload = Buffer.from(payload.map((byte, i) => byte ^ maskKey[i & 3]));
      this.buffered = b.subarray(at + length);
      switch (opcode) {
        case Opcode.CONTINUATION:
        case Opcode.TEXT:
        case Opcode.BINARY:
          if (payload.length > 0) this.emit("message", Buffer.from(payload));
          break;
        case Opcode.PING:
          this.socket?.write(this.frame(Opcode.PONG, payload));
          break;
        case Opcode.CLOSE:
          this.close();
          this.closed(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
          return;
        default:
          break;
      }
    }
  }

  private closed(code: number): void {
    if (this.readyState === 3) return;
    const closing = this.readyState === 2;
    this.readyState = 3;
    if (!closing) this.socket?.destroy();
    this.emit("close", code, Buffer.alloc(0));
  }

  private fail(err: Error): void {
    if (this.readyState === 3) return;
    if (this.listenerCount("error") > 0) this.emit("error", err);
    this.closed(1006);
  }
}
