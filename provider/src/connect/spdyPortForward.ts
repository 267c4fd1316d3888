// Port-forward through the API server with SPDY/3.1 tunneled in a WebSocket
// ("SPDY/3.1+portforward.k8s.io", the protocol kubectl uses since Kubernetes 1.31). The API server
// relays the SPDY bytes to the kubelet, so this works with kubelets that serve only SPDY
// port-forward (such as the sandbox's node agent), where the plain WebSocket protocol of
// @kubernetes/client-node gets no stream.
//
// One WebSocket per forwarded connection; in it one SPDY session with two client streams, as the
// kubelet expects: an error stream (id 1) and a data stream (id 3) for the same request id.

import type * as k8s from "@kubernetes/client-node";
import { Duplex } from "node:stream";
import * as zlib from "node:zlib";
import type { PodPortForwarder, PodRef } from "./connector";
import { WebSocketTunnel } from "./websocketTunnel";

const SPDY_VERSION = 3;
const FrameType = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
const FLAG_FIN = 0x01;
const ERROR_STREAM = 1;
const DATA_STREAM = 3;
/** Largest DATA frame we send; SPDY allows 2^24 - 1. */
const MAX_DATA_FRAME = 64 * 1024;

/** The few parts of the `ws` WebSocket this module uses. */
interface TunnelSocket {
  readonly readyState: number;
  send(data: Buffer): void;
  close(): void;
  on(event: "open", listener: () => void): this;
  on(event: "message", listener: (data: Buffer) => void): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
}

export type TunnelSocketFactory = (url: string, protocols: string[], options: object) => TunnelSocket;

/** A SPDY name/value header block, compressed as SPDY requires (zlib; one context per session). */
function headerBlock(headers: Record<string, string>, deflate: zlib.Deflate): Promise<Buffer> {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(Object.keys(headers).length);
  parts.push(count);
  for (const [name, value] of Object.entries(headers)) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (chunk: Buffer) => out.push(chunk);
    deflate.on("data", onData);
    deflate.write(Buffer.concat(parts), (err) => {
      if (err) return reject(err);
      deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        deflate.off("data", onData);
        resolve(Buffer.concat(out));
      });
    });
  });
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | (payload.length & 0xffffff), 4);
  return Buffer.concat([head, payload]);
}

export function synStreamFrame(streamId: number, compressedHeaders: Buffer): Buffer {
  const ids = Buffer.alloc(10);
  ids.writeUInt32BE(streamId & 0x7fffffff, 0);
  ids.writeUInt32BE(0, 4); // associated stream
  ids.writeUInt8(0, 8); // priority
  ids.writeUInt8(0, 9); // slot
  return controlFrame(FrameType.SYN_STREAM, 0, Buffer.concat([ids, compressedHeaders]));
}

export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | (data.length & 0xffffff), 4);
  return Buffer.concat([head, data]);
}

export interface SpdyFrame {
  control: boolean;
  type: number;
  streamId: number;
  flags: number;
  payload: Buffer;
}

/** Splits the tunneled byte stream into SPDY frames. */
export class SpdyFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const first = this.buffered.readUInt32BE(0);
      const control = (first & 0x80000000) !== 0;
      const flags = this.buffered.readUInt8(4);
      const payload = this.buffered.subarray(8, 8 + length);
      const type = control ? first & 0xffff : 0;
      const streamId = control ? (type === FrameType.SYN_REPLY || type === FrameType.RST_STREAM || type === FrameType.HEADERS || type === FrameType.WINDOW_UPDATE ? payload.readUInt32BE(0) & 0x7fffffff : 0) : first & 0x7fffffff;
      frames.push({ control, type, streamId, flags, payload });
      this.buffered = this.buffered.subarray(8 + length);
    }
    return frames;
  }
}

/** Opens port-forward streams through the API server with SPDY tunneled in a WebSocket. */
export class SpdyTunnelPortForwarder implements PodPortForwarder {
  constructor(
    private readonly kubeConfig: k8s.KubeConfig,
    private readonly socketFactory?: TunnelSocketFactory,
  ) {}

  async open(pod: PodRef, port: number, signal?: AbortSignal): Promise<Duplex> {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const base = cluster.server.replace(/^http/, "ws").replace(/\/$/, "");
    const url = `${base}/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/portforward?ports=${port}`;
    const options: Record<string, unknown> = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const factory = this.socketFactory ?? ((u: string, p: string[], o: object) => new WebSocketTunnel(u, p[0], o) as unknown as TunnelSocket);
    const socket = factory(url, ["SPDY/3.1+portforward.k8s.io"], options);
    const stream = new SpdyForwardedStream(socket, `${pod.namespace}/${pod.name}:${port}`);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on("open", resolve);
        socket.on("error", reject);
        signal?.addEventListener("abort", () => reject(signal.reason ?? new Error("aborted")), { once: true });
      });
    } catch (err) {
      // The caller gets the failure; the stream nobody holds is closed without an error of its own.
      stream.destroy();
      throw err;
    }
    await stream.start(port);
    return stream;
  }
}

class SpdyForwardedStream extends Duplex {
  private readonly reader = new SpdyFrameReader();
  private readonly deflate = zlib.createDeflate();
  private errorText = "";
  private started = false;

  constructor(
    private readonly socket: TunnelSocket,
    private readonly target: string,
  ) {
    super();
    socket.on("message", (data: Buffer) => this.onBytes(Buffer.isBuffer(data) ? data : Buffer.from(data)));
    socket.on("close", () => this.push(null));
    // Before start, a socket error is the failure to open, which open() reports to its caller.
    socket.on("error", (err) => {
      if (this.started) this.destroy(new Error(`port-forward to ${target}: ${err.message}`));
    });
  }

  /** Opens the kubelet's error and data streams for one forwarded connection. */
  async start(port: number): Promise<void> {
    this.started = true;
    const headers = (streamType: string) => ({ streamType, port: String(port), requestID: "0" });
    this.socket.send(synStreamFrame(ERROR_STREAM, await headerBlock(headers("error"), this.deflate)));
    this.socket.send(synStreamFrame(DATA_STREAM, await headerBlock(headers("data"), this.deflate)));
  }

  private onBytes(chunk: Buffer): void {
    for (const frame of this.reader.push(chunk)) {
      if (!frame.control) {
        if (frame.streamId === DATA_STREAM && frame.payload.length > 0) this.push(Buffer.from(frame.payload));
        if (frame.streamId === ERROR_STREAM) this.errorText += frame.payload.toString("utf8");
        if (frame.flags & FLAG_FIN) {
          if (frame.streamId === DATA_STREAM) this.push(null);
          if (frame.streamId === ERROR_STREAM && this.errorText.trim() !== "") {
            this.destroy(new Error(`port-forward to ${this.target}: ${this.errorText.trim()}`));
          }
        }
        continue;
      }
      switch (frame.type) {
        case FrameType.PING:
          this.socket.send(controlFrame(FrameType.PING, 0, Buffer.from(frame.payload)));
          break;
        case FrameType.RST_STREAM:
          if (frame.streamId === DATA_STREAM) this.destroy(new Error(`port-forward to ${this.target}: stream reset (status ${frame.payload.readUInt32BE(4)})`));
          break;
        case FrameType.GOAWAY:
          this.push(null);
          break;
        default:
          // SYN_REPLY, SETTINGS, HEADERS, WINDOW_UPDATE need no answer here.
          break;
      }
    }
  }

  override _read(): void {
    // Data is pushed as frames arrive.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      for (let at = 0; at < chunk.length; at += MAX_DATA_FRAME) this.socket.send(dataFrame(DATA_STREAM, chunk.subarray(at, at + MAX_DATA_FRAME)));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.socket.send(dataFrame(DATA_STREAM, Buffer.alloc(0), true));
    } catch {
      // already closed
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.deflate.close();
    this.socket.close();
    callback(error);
  }
}
