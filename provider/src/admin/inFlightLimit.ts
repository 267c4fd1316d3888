// A counting semaphore: at most `limit` holders at once, the rest wait in arrival order.

/** Thrown to a waiter whose signal aborted before its turn came. */
export type AbortedWait = (reason: unknown) => Error;

export class InFlightLimit {
  private inFlight = 0;
  private readonly waiting: Array<{ grant(): void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`an in-flight limit must be a whole number of at least 1, got ${limit}`);
  }

  /** Requests waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a turn is free; a signal that aborts first rejects. */
  acquire(signal: AbortSignal | undefined, aborted: AbortedWait): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(aborted(signal.reason));
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(aborted(signal?.reason));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The turn passes straight to the next waiter, so the count stays at the limit.
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.inFlight--;
    };
  }
}
