// Which failures of the Kubernetes API server no retry cures: it refused the credentials (401) or
// a permission (403), or this machine does not trust its TLS certificate. Another attempt only
// delays the error the user must act on; resets, timeouts and a restarting API server are worth one.
// Read by duck typing (a status code, a Node.js error code, a cause chain), so this module loads no
// HTTP client.

export type RefusalKind = "unauthorized" | "forbidden" | "untrusted certificate";

/** What a 403 says was refused, as the API server's RBAC message names it. */
export interface RefusedPermission {
  /** The identity the API server saw, e.g. system:serviceaccount:mq:deployer; absent when its message does not say. */
  user?: string;
  verb: string;
  /** Resource and subresource, e.g. pods/portforward. */
  resource: string;
  /** Absent for a cluster-wide request. */
  namespace?: string;
}

export interface Refusal {
  kind: RefusalKind;
  /** One sentence for an error message: what was refused, in the API server's words where it gave them. */
  description: string;
  /** For a 403 whose message names the verb and resource. */
  permission?: RefusedPermission;
  /** For a 401 or 403: the message of the API server's Status, as it gave it. */
  statusText?: string;
}

/**
 * OpenSSL's certificate verification failures as Node.js reports them (err.code), and Node's own
 * host name check: the server's certificate is not one this machine trusts for that address.
 */
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The RBAC authorizer's denial, e.g. `User "u" cannot get resource "pods/portforward" in API group "" in the namespace "mq"`. */
const RBAC_DENIAL = /User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)")?/;

export function refusedPermission(statusMessage: string): RefusedPermission | undefined {
  const match = RBAC_DENIAL.exec(statusMessage);
  if (!match) return undefined;
  return { user: match[1], verb: match[2], resource: match[3], namespace: match[4] };
}

/** A Kubernetes Status body's message (JSON text or an object), else the body's text. */
export function statusMessage(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === "" ? undefined : body.trim();
    }
  }
  const message = (parsed as { message?: unknown }).message;
  return typeof message === "string" ? message : typeof body === "string" ? body.trim() : undefined;
}

/** The refusal an error (or an error in its cause chain) carries, or undefined when another attempt may succeed. */
export function apiServerRefusal(err: unknown): Refusal | undefined {
  for (let at = err, depth = 0; at !== null && typeof at === "object" && depth < 8; at = (at as { cause?: unknown }).cause, depth++) {
    const refusal = refusalOf(at as Record<string, unknown>);
    if (refusal) return refusal;
  }
  return undefined;
}

function refusalOf(err: Record<string, unknown>): Refusal | undefined {
  const status = typeof err.statusCode === "number" ? err.statusCode : typeof err.code === "number" ? err.code : undefined;
  if (status === 401) {
    return {
      kind: "unauthorized",
      description: "the API server does not accept the kubeconfig's credentials (HTTP 401 Unauthorized: a token that expired or was revoked, or a client certificate it does not trust)",
    };
  }
  if (status === 403) {
    const text = statusMessage(err.body);
    const permission = text === undefined ? undefined : refusedPermission(text);
    if (permission) {
      const where = permission.namespace ? `in namespace ${permission.namespace}` : "cluster-wide";
      return { kind: "forbidden", permission, statusText: text, description: `the API server forbids ${permission.user} to ${permission.verb} ${permission.resource} ${where} (HTTP 403: ${text})` };
    }
    return { kind: "forbidden", statusText: text, description: `the API server refused the request (HTTP 403 Forbidden${text ? `: ${text}` : ""})` };
  }
  if (typeof err.code === "string" && UNTRUSTED_CERTIFICATE_CODES.has(err.code)) {
    return {
      kind: "untrusted certificate",
      description: `this machine does not trust the API server's TLS certificate (${err.code}: ${String(err.message)}); the kubeconfig's certificate-authority data must be the CA that signed it, for the server address the kubeconfig names`,
    };
  }
  return undefined;
}
