import { ConnectRefusedError, Connector } from "../connect/connector";
import { ClientFailureCode } from "./codes";
import { RemotingConnection } from "./connection";
import { RocketMQAdminError } from "./errors";
import { InFlightLimit } from "./inFlightLimit";

export interface PoolOptions {
  connectTimeoutMs: number;
  callTimeoutMs: number;
  maxFrameLength?: number;
  /** Requests in flight at once to one address; more wait their turn. */
  maxInFlightPerConnection: number;
}

/**
 * One open connection per address, shared by every call to that address. A connection that
 * closes (peer gone, bad frame) is forgotten, so the next call opens a fresh one. Requests to one
 * address are capped, so a burst (lag of many groups at once) queues here instead of in the peer.
 */
export class ConnectionPool {
  private readonly open = new Map<string, RemotingConnection>();
  private readonly opening = new Map<string, Promise<RemotingConnection>>();
  private readonly limits = new Map<string, InFlightLimit>();
  /** Aborts connects still under way when the pool closes; no caller's signal reaches a shared connect. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly connector: Connector,
    private readonly options: PoolOptions,
  ) {}

  /**
   * The connection to `address`, opening it when needed. Callers asking while it opens share that
   * connect; each caller's signal ends only its own wait.
   */
  async get(address: string, signal?: AbortSignal): Promise<RemotingConnection> {
    if (this.lifetime.signal.aborted) throw closedError(address);
    const existing = this.open.get(address);
    if (existing?.isOpen) return existing;
    let pending = this.opening.get(address);
    if (!pending) {
      pending = this.connect(address);
      this.opening.set(address, pending);
      const forget = () => this.opening.delete(address);
      pending.then(forget, forget);
    }
    return waitUnlessAborted(pending, signal, address);
  }

  /** Waits for a turn to send to `address`; call the returned function when the reply is in. */
  acquireTurn(address: string, signal?: AbortSignal): Promise<() => void> {
    let limit = this.limits.get(address);
    if (!limit) this.limits.set(address, (limit = new InFlightLimit(this.options.maxInFlightPerConnection)));
    return limit.acquire(signal, (reason) => abortedError(`waiting to send to ${address} aborted`, address, reason));
  }

  /** Closes every connection; later calls fail. */
  close(): void {
    this.lifetime.abort(closedError());
    for (const connection of this.open.values()) connection.close();
    this.open.clear();
  }

  private async connect(address: string): Promise<RemotingConnection> {
    let stream;
    try {
      stream = await this.connector.connect(address, { signal: this.lifetime.signal, timeoutMs: this.options.connectTimeoutMs });
    } catch (err) {
      if (this.lifetime.signal.aborted) throw closedError(address);
      throw new RocketMQAdminError(`cannot connect to ${address}: ${(err as Error).message}`, {
        code: err instanceof ConnectRefusedError ? ClientFailureCode.REFUSED : ClientFailureCode.CONNECTION,
        address,
        cause: err,
      });
    }
    const connection = new RemotingConnection(address, stream, this.options.callTimeoutMs, this.options.maxFrameLength);
    if (this.lifetime.signal.aborted) {
      connection.close();
      throw closedError(address);
    }
    this.open.set(address, connection);
    connection.onClose(() => {
      if (this.open.get(address) === connection) this.open.delete(address);
    });
    return connection;
  }
}

function waitUnlessAborted(pending: Promise<RemotingConnection>, signal: AbortSignal | undefined, address: string): Promise<RemotingConnection> {
  if (!signal) return pending;
  const aborted = () => abortedError(`connecting to ${address} aborted`, address, signal.reason);
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (connection) => {
        signal.removeEventListener("abort", onAbort);
        resolve(connection);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

function abortedError(message: string, address: string, reason: unknown): RocketMQAdminError {
  return new RocketMQAdminError(message, { code: ClientFailureCode.ABORTED, address, cause: reason });
}

/** ABORTED, not CONNECTION: a closed client is the caller's choice, and no retry can undo it. */
function closedError(address?: string): RocketMQAdminError {
  return new RocketMQAdminError("admin client is closed", { code: ClientFailureCode.ABORTED, address });
}
