import { ClientFailureCode, ResponseCode } from "./codes";

const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SUBSCRIPTION_NOT_EXIST,
  ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
  ResponseCode.BROKER_NOT_EXIST,
  ClientFailureCode.CLUSTER_NOT_FOUND,
]);

/**
 * Replies that mean "not now" rather than "no", read from RocketMQ's remoting server and broker:
 * - SYSTEM_BUSY (2): the request was never run. The remoting server answers it when the request's
 *   thread pool rejects it ("[OVERLOAD]"), when a processor sheds load ("[REJECTREQUEST]"), and the
 *   broker's fast-failure sweep answers it for requests that waited in a queue too long
 *   ("[TIMEOUT_CLEAN_QUEUE]", "[PCBUSY_CLEAN_QUEUE]").
 * - SERVICE_NOT_AVAILABLE (14): the broker's store refuses work for now (shutting down, disk over
 *   its limit); RocketMQ's own producer retries on it too. A disk that stays full outlasts the
 *   retry deadline, and the error then says so.
 * SYSTEM_ERROR (1) is not among them: RocketMQ also answers it for bad requests (an illegal or
 * system topic name, an unreadable body), where another attempt only delays the real error.
 */
const TRANSIENT_REPLY_CODES: ReadonlySet<number> = new Set([ResponseCode.SYSTEM_BUSY, ResponseCode.SERVICE_NOT_AVAILABLE]);

/**
 * The one error the admin client throws. `code` is RocketMQ's response code when the peer replied
 * (e.g. 17 TOPIC_NOT_EXIST), or one of ClientFailureCode when no usable reply came; `cause` holds
 * the underlying error (a socket error, the parse error of a bad body) where there is one.
 */
export class RocketMQAdminError extends Error {
  readonly code: number;
  readonly remark: string | undefined;
  /** The address the request went to. */
  readonly address: string | undefined;
  /** The request code of the operation that failed. */
  readonly requestCode: number | undefined;

  constructor(
    message: string,
    details: { code: number; remark?: string; address?: string; requestCode?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "RocketMQAdminError";
    this.code = details.code;
    this.remark = details.remark;
    this.address = details.address;
    this.requestCode = details.requestCode;
  }

  /** True when the thing asked about does not exist, so reads and deletes can treat it as absent. */
  isNotFound(): boolean {
    return NOT_FOUND_CODES.has(this.code);
  }

  isTimeout(): boolean {
    return this.code === ClientFailureCode.TIMEOUT;
  }

  isConnectionFailure(): boolean {
    return this.code === ClientFailureCode.CONNECTION;
  }

  /** The peer answered with something this client cannot read or use. */
  isBadReply(): boolean {
    return this.code === ClientFailureCode.BAD_REPLY;
  }

  isInvalidArgument(): boolean {
    return this.code === ClientFailureCode.INVALID_ARGUMENT;
  }

  /** The way to the peer refused us: credentials, a permission or a certificate, which only the user can change. */
  isRefused(): boolean {
    return this.code === ClientFailureCode.REFUSED;
  }

  /**
   * True when another attempt may succeed: no reply in time, a connection that could not open or
   * broke (ECONNREFUSED, reset, closed), or a transient reply code. A bad reply is not (a frame we
   * cannot read, a body of the wrong shape: the peer would say the same again), nor an invalid
   * argument, nor a connection refused by the API server (credentials, permission, certificate).
   * Not found, no permission and bad requests are real answers.
   */
  isRetriable(): boolean {
    if (this.code === ClientFailureCode.TIMEOUT || this.code === ClientFailureCode.CONNECTION) return true;
    return TRANSIENT_REPLY_CODES.has(this.code);
  }
}

/**
 * The peer refused the request (NO_PERMISSION, 16): the user lacks the right, its keys are wrong,
 * or none were given to a cluster with authentication on. Another attempt would be refused the same
 * way, so it is never retried; the message names the user and the operation.
 */
export class RocketMQPermissionError extends RocketMQAdminError {
  /** The access key the request was signed with; undefined when it was not signed. */
  readonly user: string | undefined;
  /** The request's name, e.g. UPDATE_AND_CREATE_TOPIC. */
  readonly operation: string;

  constructor(operation: string, user: string | undefined, details: { remark?: string; address?: string; requestCode?: number }) {
    const who = user === undefined ? "no credentials (the request was not signed; give credentials)" : `user ${user}`;
    super(`${operation} at ${details.address ?? "the peer"} refused (NO_PERMISSION) for ${who}${details.remark ? `: ${details.remark}` : ""}`, {
      ...details,
      code: ResponseCode.NO_PERMISSION,
    });
    this.name = "RocketMQPermissionError";
    this.user = user;
    this.operation = operation;
  }
}
