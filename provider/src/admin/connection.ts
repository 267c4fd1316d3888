import type { Duplex } from "node:stream";
import { DEFAULT_MAX_FRAME_LENGTH, encodeFrame, FLAG_ONEWAY, FrameDecoder, FrameError, isResponse, RemotingCommand } from "./codec";
import { ClientFailureCode } from "./codes";
import { RocketMQAdminError } from "./errors";
import { checkTimeoutMs } from "./timeouts";

export interface CallOptions {
  /** Milliseconds to wait for the reply: a finite number from 1 to 86,400,000 (24 h). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface OutgoingRequest {
  code: number;
  extFields?: Record<string, string>;
  body?: Buffer;
}

interface PendingCall {
  resolve(reply: RemotingCommand): void;
  reject(err: Error): void;
}

/**
 * One connection to a RocketMQ peer. Many calls may be in flight at once; replies are matched to
 * calls by their opaque id. The connection closes, failing every pending call with a
 * RocketMQAdminError, when a frame cannot be read (BAD_REPLY: the stream position is lost) and when
 * a call times out while part of a frame is buffered (the peer may have sent a length it never
 * fills, which would swallow every later reply).
 */
export class RemotingConnection {
  private nextOpaque = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly decoder: FrameDecoder;
  private closeReason: Error | undefined;
  private readonly closeListeners: Array<(reason: Error) => void> = [];

  constructor(
    readonly address: string,
    private readonly stream: Duplex,
    private readonly defaultTimeoutMs = 10_000,
    maxFrameLength = DEFAULT_MAX_FRAME_LENGTH,
  ) {
    this.decoder = new FrameDecoder(maxFrameLength);
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("error", (err) =>
      this.shutdown(this.failure(`connection to ${address} failed: ${err.message}`, ClientFailureCode.CONNECTION, err)),
    );
    stream.on("close", () => this.shutdown(this.failure(`connection to ${address} closed`, ClientFailureCode.CONNECTION)));
    stream.on("end", () => this.shutdown(this.failure(`connection to ${address} closed by peer`, ClientFailureCode.CONNECTION)));
  }

  get isOpen(): boolean {
    return this.closeReason === undefined;
  }

  onClose(listener: (reason: Error) => void): void {
    if (this.closeReason) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  /** Sends a request and resolves with the reply, whatever its response code. */
  invoke(request: OutgoingRequest, options: CallOptions = {}): Promise<RemotingCommand> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    let timeoutMs: number;
    try {
      timeoutMs = checkTimeoutMs(options.timeoutMs ?? this.defaultTimeoutMs, "timeoutMs");
    } catch (err) {
      return Promise.reject(err);
    }
    const opaque = this.takeOpaque();
    return new Promise<RemotingCommand>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(this.failure(`call ${request.code} to ${this.address} aborted`, ClientFailureCode.ABORTED, signal.reason, request.code));
        return;
      }
      const timer = setTimeout(() => {
        finish();
        reject(
          this.failure(`no reply to request ${request.code} from ${this.address} within ${timeoutMs} ms`, ClientFailureCode.TIMEOUT, undefined, request.code),
        );
        const buffered = this.decoder.bufferedBytes;
        if (buffered > 0) {
          this.shutdown(
            this.failure(
              `connection to ${this.address} closed: a call timed out with ${buffered} bytes of an unfinished frame buffered`,
              ClientFailureCode.CONNECTION,
            ),
          );
        }
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(this.failure(`call ${request.code} to ${this.address} aborted`, ClientFailureCode.ABORTED, signal?.reason, request.code));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.pending.delete(opaque);
      };
      this.pending.set(opaque, {
        resolve: (reply) => {
          finish();
          resolve(reply);
        },
        reject: (err) => {
          finish();
          reject(err);
        },
      });
      try {
        this.stream.write(encodeFrame({ code: request.code, opaque, flag: 0, extFields: request.extFields, body: request.body }));
      } catch (err) {
        this.shutdown(this.failure(`cannot send to ${this.address}: ${(err as Error).message}`, ClientFailureCode.CONNECTION, err, request.code));
      }
    });
  }

  /** Sends a request the peer will not answer. */
  sendOneway(request: OutgoingRequest): void {
    if (this.closeReason) throw this.closeReason;
    this.stream.write(
      encodeFrame({ code: request.code, opaque: this.takeOpaque(), flag: FLAG_ONEWAY, extFields: request.extFields, body: request.body }),
    );
  }

  close(): void {
    this.shutdown(this.failure(`connection to ${this.address} closed by the client`, ClientFailureCode.CONNECTION));
  }

  private takeOpaque(): number {
    const opaque = this.nextOpaque;
    this.nextOpaque = this.nextOpaque >= 0x7fffffff ? 1 : this.nextOpaque + 1;
    return opaque;
  }

  private onData(chunk: Buffer): void {
    if (this.closeReason) return;
    try {
      this.deliver(this.decoder.push(chunk));
    } catch (err) {
      // Replies whole before the bad frame still reach their calls; then the stream is unusable.
      if (err instanceof FrameError) this.deliver(err.decoded);
      this.shutdown(this.failure(`bad frame from ${this.address}: ${(err as Error).message}`, ClientFailureCode.BAD_REPLY, err));
    }
  }

  private deliver(frames: RemotingCommand[]): void {
    for (const frame of frames) {
      // Requests from the peer (e.g. broker-initiated checks) are not for an admin client.
      if (!isResponse(frame)) continue;
      // A reply to a call that already timed out or was aborted is dropped.
      this.pending.get(frame.opaque)?.resolve(frame);
    }
  }

  private shutdown(reason: RocketMQAdminError): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.stream.destroy();
    for (const call of [...this.pending.values()]) call.reject(reason);
    this.pending.clear();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  private failure(message: string, code: number, cause?: unknown, requestCode?: number): RocketMQAdminError {
    return new RocketMQAdminError(message, { code, address: this.address, cause, requestCode });
  }
}
