// A fake RocketMQ peer on loopback for connection tests: it answers requests with a handler,
// or sends whatever raw bytes a test wants (bad frames included).

import * as net from "node:net";
import { decodeFrameContent, encodeFrame, FLAG_RESPONSE, FrameDecoder, RemotingCommand } from "../../src/admin/codec";

export type PeerHandler = (request: RemotingCommand, socket: net.Socket) => void;

export class FakePeer {
  private constructor(
    private readonly server: net.Server,
    readonly address: string,
    readonly sockets: Set<net.Socket>,
  ) {}

  static async start(handler: PeerHandler): Promise<FakePeer> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
      const decoder = new FrameDecoder();
      socket.on("data", (chunk) => {
        for (const request of decoder.push(chunk)) handler(request, socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return new FakePeer(server, `127.0.0.1:${port}`, sockets);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A successful reply to a request, with an optional JSON body. */
export function reply(request: RemotingCommand, body?: unknown, code = 0, remark?: string): Buffer {
  return encodeFrame({
    code,
    opaque: request.opaque,
    flag: FLAG_RESPONSE,
    remark,
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  });
}

/** Splits a captured byte stream into its frames. */
export function framesOf(bytes: Buffer): RemotingCommand[] {
  const out: RemotingCommand[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = bytes.readInt32BE(at);
    out.push(decodeFrameContent(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return out;
}
