import { ClientFailureCode, ResponseCode } from "./codes";

const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SUBSCRIPTION_NOT_EXIST,
  ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
  ResponseCode.BROKER_NOT_EXIST,
  ClientFailureCode.CLUSTER_NOT_FOUND,
]);

/**
 * The one error the admin client throws. `code` is RocketMQ's response code when the peer replied
 * (e.g. 17 TOPIC_NOT_EXIST), or one of ClientFailureCode when no usable reply came.
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
}
