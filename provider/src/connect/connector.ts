import type { Duplex } from "node:stream";

/**
 * How the admin client reaches a RocketMQ address ("host:port" as the name server reports it).
 * Implementations return a connected byte stream; the client owns it from then on and destroys it
 * when done.
 */
export interface Connector {
  connect(address: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Duplex>;
}

/** Splits "host:port" (or "[v6]:port") into its parts. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!match) throw new Error(`not a host:port address: ${JSON.stringify(address)}`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`port out of range in ${JSON.stringify(address)}`);
  return { host: match[1], port };
}
