// Signs a request as RocketMQ's ACL RPC hook does (AclClientRPCHook, AclUtils.combineRequestContent),
// which is what a broker with authentication on checks (DefaultAuthenticationContextBuilder):
// `AccessKey` joins the header fields, every field but `Signature` is sorted by key (Java's TreeMap:
// UTF-16 code unit order, as Array.prototype.sort), their values are concatenated as UTF-8 and the
// body bytes appended, and `Signature` is base64(HmacSHA1(secretKey, those bytes)).
import { createHmac } from "node:crypto";
import type { OutgoingRequest } from "./connection";

/** An ACL 2.0 user's access key (its username) and secret key (its password). */
export interface Credentials {
  accessKey: string;
  secretKey: string;
}

export const ACCESS_KEY_FIELD = "AccessKey";
export const SIGNATURE_FIELD = "Signature";

/** A copy of `request` carrying the access key and its signature; the request itself is left as it was. */
export function signRequest(request: OutgoingRequest, credentials: Credentials): OutgoingRequest {
  // An old Signature is dropped here, so it is neither signed over nor sent beside the new one.
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.extFields ?? {})) {
    if (value !== undefined && value !== null && key !== SIGNATURE_FIELD) fields[key] = String(value);
  }
  fields[ACCESS_KEY_FIELD] = credentials.accessKey;
  const signature = createHmac("sha1", credentials.secretKey).update(signedContent(fields, request.body)).digest("base64");
  return { ...request, extFields: { ...fields, [SIGNATURE_FIELD]: signature } };
}

/** The bytes the signature covers: the values of `fields` (which signRequest gave no `Signature`) in key order, then the body. */
function signedContent(fields: Record<string, string>, body?: Buffer): Buffer {
  const values = Object.keys(fields)
    .sort()
    .map((key) => fields[key])
    .join("");
  const head = Buffer.from(values, "utf8");
  return body && body.length > 0 ? Buffer.concat([head, body]) : head;
}
