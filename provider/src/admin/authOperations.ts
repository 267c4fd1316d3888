// ACL 2.0 users and ACLs on one broker (request codes 3001-3010, RocketMQ 5.3+). Brokers do not
// share these: a caller writes every master and replica itself. Bodies are the JSON of RocketMQ's
// UserInfo and AclInfo.
import type { RocketMQAdminClient } from "./client";
import { RequestCode, ResponseCode } from "./codes";
import { RocketMQAdminError } from "./errors";
import type { CallOptions } from "./connection";
import { parseFastjson } from "./fastjson";

export type UserType = "Super" | "Normal";
export type UserStatus = "enable" | "disable";

export interface UserInfo {
  username: string;
  password?: string;
  userType?: UserType;
  userStatus?: UserStatus;
}

export interface AclEntry {
  /** `Topic:orders`, `Group:billing-*`, `Topic:*`, `Cluster:x`, `Namespace:x` or `*`. */
  resource: string;
  actions: string[];
  sourceIps?: string[];
  decision: "Allow" | "Deny";
}

export interface AclPolicy {
  policyType: "Custom" | "Default";
  entries: AclEntry[];
}

export interface AclInfo {
  /** `User:<name>`. */
  subject: string;
  policies: AclPolicy[];
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");

export async function createUser(client: RocketMQAdminClient, broker: string, user: UserInfo, options?: CallOptions): Promise<void> {
  await client.call(broker, { code: RequestCode.AUTH_CREATE_USER, extFields: { username: user.username }, body: json(user) }, options);
}

export async function updateUser(client: RocketMQAdminClient, broker: string, user: UserInfo, options?: CallOptions): Promise<void> {
  await client.call(broker, { code: RequestCode.AUTH_UPDATE_USER, extFields: { username: user.username }, body: json(user) }, options);
}

/** Deletes a user; one already gone is not an error. */
export async function deleteUser(client: RocketMQAdminClient, broker: string, username: string, options?: CallOptions): Promise<void> {
  if ((await getUser(client, broker, username, options)) === undefined) return;
  await client.call(broker, { code: RequestCode.AUTH_DELETE_USER, extFields: { username } }, options);
}

/** The user as the broker keeps it (password included), or undefined when it has none of that name. */
export async function getUser(client: RocketMQAdminClient, broker: string, username: string, options?: CallOptions): Promise<UserInfo | undefined> {
  const reply = await client.call(broker, { code: RequestCode.AUTH_GET_USER, extFields: { username } }, options);
  const body = parseObject(reply.body);
  return body && typeof body.username === "string" ? (body as unknown as UserInfo) : undefined;
}

export async function createAcl(client: RocketMQAdminClient, broker: string, acl: AclInfo, options?: CallOptions): Promise<void> {
  await client.call(broker, { code: RequestCode.AUTH_CREATE_ACL, extFields: { subject: acl.subject }, body: json(acl) }, options);
}

export async function updateAcl(client: RocketMQAdminClient, broker: string, acl: AclInfo, options?: CallOptions): Promise<void> {
  await client.call(broker, { code: RequestCode.AUTH_UPDATE_ACL, extFields: { subject: acl.subject }, body: json(acl) }, options);
}

/** Deletes a subject's whole ACL, or only one resource's entry of one policy type. */
export async function deleteAcl(
  client: RocketMQAdminClient,
  broker: string,
  subject: string,
  only?: { policyType: string; resource: string },
  options?: CallOptions,
): Promise<void> {
  const extFields: Record<string, string> = { subject };
  if (only) Object.assign(extFields, only);
  await client.call(broker, { code: RequestCode.AUTH_DELETE_ACL, extFields }, options);
}

/**
 * The subject's ACL as the broker keeps it, or undefined when it has none. A broker that does not
 * know the subject's user answers NO_PERMISSION with "The subject is not exist.": that is absence too.
 */
export async function getAcl(client: RocketMQAdminClient, broker: string, subject: string, options?: CallOptions): Promise<AclInfo | undefined> {
  let reply;
  try {
    reply = await client.call(broker, { code: RequestCode.AUTH_GET_ACL, extFields: { subject } }, options);
  } catch (err) {
    if (err instanceof RocketMQAdminError && err.code === ResponseCode.NO_PERMISSION && /subject is not exist/i.test(err.remark ?? "")) return undefined;
    throw err;
  }
  const body = parseObject(reply.body);
  if (!body || typeof body.subject !== "string") return undefined;
  return body as unknown as AclInfo;
}

function parseObject(body: Buffer | undefined): Record<string, unknown> | undefined {
  if (!body || body.length === 0) return undefined;
  const parsed = parseFastjson(body.toString("utf8"));
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}
