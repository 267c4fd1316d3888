// Timeouts given to the admin client, checked where they enter it: Node turns a timer delay that
// is not a number from 1 to 2^31-1 ms into 1 ms, so an unchecked Infinity or 2^31 fires at once.

import { ClientFailureCode } from "./codes";
import { RocketMQAdminError } from "./errors";

export const MIN_TIMEOUT_MS = 1;
/** 24 hours: longer than any admin call should wait, well inside Node's timer range. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Returns the timeout when it is a finite number of milliseconds from 1 ms to 24 h; else throws. */
export function checkTimeoutMs(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < MIN_TIMEOUT_MS || value > MAX_TIMEOUT_MS) {
    throw new RocketMQAdminError(
      `${field} must be a finite number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} (24 h), got ${describe(value)}`,
      { code: ClientFailureCode.INVALID_ARGUMENT },
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || value === undefined) return String(value);
  return value === null ? "null" : `a value of type ${typeof value}`;
}
