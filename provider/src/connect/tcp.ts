import * as net from "node:net";
import type { Duplex } from "node:stream";
import { Connector, parseAddress } from "./connector";

/** Connects straight to the address: for runs inside the cluster network, and the local sandbox. */
export class DirectTcpConnector implements Connector {
  constructor(private readonly defaults: { timeoutMs?: number } = {}) {}

  connect(address: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Duplex> {
    const { host, port } = parseAddress(address);
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs ?? 5000;
    return new Promise<Duplex>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason ?? new Error("aborted"));
        return;
      }
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => fail(new Error(`connect to ${address} timed out after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => fail(options.signal?.reason ?? new Error("aborted"));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        socket.off("error", fail);
        socket.off("connect", ok);
      };
      function fail(err: Error) {
        cleanup();
        socket.destroy();
        reject(err);
      }
      function ok() {
        cleanup();
        resolve(socket);
      }
      socket.once("error", fail);
      socket.once("connect", ok);
    });
  }
}
