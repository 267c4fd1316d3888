// What a reply says about the RocketMQ release that sent it. Every reply header carries `version`,
// the ordinal of the peer's release in RocketMQ's MQVersion enum (V4_9_7 407, V5_0_0 413,
// V5_3_2 477, V5_5_1 515). 4.x brokers and name servers lack the batch requests
// (UPDATE_AND_CREATE_TOPIC_LIST, ..._SUBSCRIPTIONGROUP_LIST), GET_TOPIC_CONFIG,
// REGISTER_TOPIC_IN_NAMESRV and topic attributes; the client falls back for the first four and
// refuses attributes rather than let such a broker drop them.

import { RocketMQAdminError } from "./errors";
import { ResponseCode } from "./codes";

/** MQVersion.Version.V5_0_0.ordinal(): the first protocol version of the 5.x line. */
export const FIRST_5X_PROTOCOL_VERSION = 413;

/** True when a reply's protocol version is that of a 4.x (or older) release. */
export function isLegacyRelease(protocolVersion: number | undefined): boolean {
  return protocolVersion !== undefined && protocolVersion < FIRST_5X_PROTOCOL_VERSION;
}

/** The peer answered that it does not know the request code: an older release. */
export function isUnsupportedRequest(err: unknown): err is RocketMQAdminError {
  return err instanceof RocketMQAdminError && err.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED;
}
