import type { Connector } from "../connect/connector";
import { ClientFailureCode } from "./codes";
import { RemotingConnection } from "./connection";
import { RocketMQAdminError } from "./errors";

/**
 * One open connection per address, shared by every call to that address. A connection that
 * closes (peer gone, bad frame) is forgotten, so the next call opens a fresh one.
 */
export class ConnectionPool {
  private readonly open = new Map<string, RemotingConnection>();
  private readonly opening = new Map<string, Promise<RemotingConnection>>();
  private closed = false;

  constructor(
    private readonly connector: Connector,
    private readonly options: { connectTimeoutMs: number; callTimeoutMs: number; maxFrameLength?: number },
  ) {}

  async get(address: string, signal?: AbortSignal): Promise<RemotingConnection> {
    if (this.closed) throw new RocketMQAdminError("admin client is closed", { code: ClientFailureCode.CONNECTION, address });
    const existing = this.open.get(address);
    if (existing?.isOpen) return existing;
    let pending = this.opening.get(address);
    if (!pending) {
      pending = this.connect(address, signal);
      this.opening.set(address, pending);
      pending.then(
        () => this.opening.delete(address),
        () => this.opening.delete(address),
      );
    }
    return pending;
  }

  /** Closes every connection; later calls fail. */
  close(): void {
    this.closed = true;
    for (const connection of this.open.values()) connection.close();
    this.open.clear();
  }

  private async connect(address: string, signal?: AbortSignal): Promise<RemotingConnection> {
    let stream;
    try {
      stream = await this.connector.connect(address, { signal, timeoutMs: this.options.connectTimeoutMs });
    } catch (err) {
      throw new RocketMQAdminError(`cannot connect to ${address}: ${(err as Error).message}`, {
        code: ClientFailureCode.CONNECTION,
        address,
        cause: err,
      });
    }
    const connection = new RemotingConnection(address, stream, this.options.callTimeoutMs, this.options.maxFrameLength);
    if (this.closed) {
      connection.close();
      throw new RocketMQAdminError("admin client is closed", { code: ClientFailureCode.CONNECTION, address });
    }
    this.open.set(address, connection);
    connection.onClose(() => {
      if (this.open.get(address) === connection) this.open.delete(address);
    });
    return connection;
  }
}
