// The one retry helper: bounded, jittered exponential backoff under a total deadline. It knows
// nothing of RocketMQ; the caller says which failures are worth another attempt.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; each later wait doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Time from the first attempt after which no attempt runs and a running one is aborted. */
  deadlineMs: number;
  /**
   * Share of each wait drawn at random, so clients that failed together do not retry together:
   * a wait is uniform in [base * (1 - jitter), base].
   */
  jitter: number;
}

/**
 * Sized for an admin call: a broker restart or a dropped port-forward stream heals in seconds; a
 * peer still failing after 30 s is down, and the operation should say so rather than wait on.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  deadlineMs: 30_000,
  jitter: 0.5,
};

export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  maxAttempts: number;
  /** How long the helper waits before the next attempt. */
  delayMs: number;
  /** Time since the first attempt began. */
  elapsedMs: number;
  error: unknown;
}

export interface GiveUp {
  attempts: number;
  elapsedMs: number;
  /** True when the deadline, not the attempt count, ended the retries. */
  deadlinePassed: boolean;
}

export interface RetryOptions extends Partial<RetryPolicy> {
  /** True for failures another attempt may cure; anything else is thrown at once. */
  isRetriable(error: unknown): boolean;
  /** The caller's signal: its abort ends the retries at once, and the operation sees it. */
  signal?: AbortSignal;
  /** Told before each wait, e.g. to log the retry. */
  onRetry?(event: RetryEvent): void;
  /** Turns the last failure into the error thrown when retries run out; the failure itself by default. */
  giveUp?(last: unknown, outcome: GiveUp): unknown;
  /** Source of randomness for the jitter, in [0, 1). */
  random?(): number;
}

/**
 * Runs `operation` until it succeeds, fails with a failure that is not retriable, or the attempts
 * or the deadline run out. The operation gets a signal that aborts at the deadline or when the
 * caller's signal aborts, and must honour it.
 */
export async function withRetry<T>(operation: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = policyOf(options);
  const random = options.random ?? Math.random;
  const began = Date.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`retry deadline of ${policy.deadlineMs} ms passed`)), policy.deadlineMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  let last: unknown;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation(signal);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const elapsedMs = Date.now() - began;
        // An attempt cut short by the deadline says only "aborted"; the failure before it says why.
        if (deadline.signal.aborted) throw giveUp(options, last ?? error, { attempts: attempt, elapsedMs, deadlinePassed: true });
        if (!options.isRetriable(error)) throw error;
        last = error;
        const delayMs = backoffDelay(policy, attempt, random());
        if (attempt >= policy.maxAttempts) throw giveUp(options, error, { attempts: attempt, elapsedMs, deadlinePassed: false });
        if (elapsedMs + delayMs >= policy.deadlineMs) throw giveUp(options, error, { attempts: attempt, elapsedMs, deadlinePassed: true });
        options.onRetry?.({ attempt, maxAttempts: policy.maxAttempts, delayMs, elapsedMs, error });
        await sleep(delayMs, signal);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The wait after failed attempt `attempt` (1-based), given a random draw in [0, 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, draw: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (1 - policy.jitter * draw));
}

function policyOf(options: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const key of Object.keys(DEFAULT_RETRY_POLICY) as Array<keyof RetryPolicy>) {
    if (options[key] !== undefined) policy[key] = options[key];
  }
  if (!(policy.maxAttempts >= 1)) throw new Error(`retry maxAttempts must be at least 1, got ${policy.maxAttempts}`);
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new Error(`retry jitter must be from 0 to 1, got ${policy.jitter}`);
  return policy;
}

function giveUp(options: RetryOptions, last: unknown, outcome: GiveUp): unknown {
  return options.giveUp ? options.giveUp(last, outcome) : last;
}

/** Waits, ending early when the signal aborts: the next attempt then sees the abort and reports it. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
