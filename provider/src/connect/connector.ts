import type { Duplex } from "node:stream";

export interface ConnectOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * How the admin client reaches a RocketMQ address ("host:port" as the name server reports it).
 * Implementations return a connected byte stream; the client owns it from then on and destroys it
 * when done.
 */
export interface Connector {
  connect(address: string, options?: ConnectOptions): Promise<Duplex>;
}

/**
 * A connect failure no retry cures: the API server refused the credentials or the permission, or
 * its TLS certificate is not trusted. The admin client fails at once on it instead of retrying.
 */
export class ConnectRefusedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectRefusedError";
  }
}

/** A pod, as the API server names it. */
export interface PodRef {
  namespace: string;
  name: string;
}

/** Finds the pod that serves a RocketMQ address (pod IP and port, or a pod's DNS name). */
export interface PodLocator {
  podFor(host: string, port: number, signal?: AbortSignal): Promise<PodRef>;
}

/** Opens a byte stream to a port of a pod. */
export interface PodPortForwarder {
  open(pod: PodRef, port: number, signal?: AbortSignal): Promise<Duplex>;
}

/** Splits "host:port" (or "[v6]:port") into its parts. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!match) throw new Error(`not a host:port address: ${JSON.stringify(address)}`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`port out of range in ${JSON.stringify(address)}`);
  return { host: match[1], port };
}
