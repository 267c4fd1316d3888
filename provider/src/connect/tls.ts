// TLS on top of whatever stream a connector opened: a direct TCP socket or a port-forward stream
// through the API server. The certificate is checked against the cluster's CA bundle and a DNS name
// of the cluster, never against the address the bytes happen to travel through: a port-forward
// ends at 127.0.0.1 on the API server's side of things, and a broker is reported by its pod IP,
// neither of which a certificate names.
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { ConnectOptions, ConnectRefusedError, Connector, parseAddress } from "./connector";

/** How the provider verifies RocketMQ's certificates. */
export interface ClientTls {
  /** PEM certificates of the CA(s) that signed the cluster's certificate. */
  caBundle: string;
  /**
   * The DNS name every certificate is verified against. Without it, a DNS address is verified
   * against its own host name; an IP address (a broker's pod IP) then cannot be verified.
   */
  serverName?: string;
}

const defaultHandshakeTimeoutMs = 10_000;

/** Connects through `inner`, then runs a TLS handshake that verifies the peer's certificate. */
export class TlsConnector implements Connector {
  constructor(
    private readonly inner: Connector,
    private readonly settings: ClientTls,
  ) {}

  async connect(address: string, options: ConnectOptions = {}): Promise<Duplex> {
    const serverName = verifiedNameFor(address, this.settings);
    const stream = await this.inner.connect(address, options);
    try {
      return await handshake(stream, address, serverName, this.settings.caBundle, options);
    } catch (err) {
      stream.destroy();
      throw err;
    }
  }
}

/** The name the certificate of `address` must carry. */
export function verifiedNameFor(address: string, settings: ClientTls): string {
  if (settings.serverName) return settings.serverName;
  const { host } = parseAddress(address);
  if (isIP(host) !== 0) {
    throw new ConnectRefusedError(`TLS to ${address}: an IP address names no certificate; set tls.serverName to a DNS name the cluster's certificate carries`);
  }
  return host;
}

function handshake(stream: Duplex, address: string, serverName: string, ca: string, options: ConnectOptions): Promise<tls.TLSSocket> {
  const timeoutMs = options.timeoutMs ?? defaultHandshakeTimeoutMs;
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const socket = tls.connect({ socket: stream, ca, servername: serverName, rejectUnauthorized: true, minVersion: "TLSv1.2" });
    const timer = setTimeout(() => fail(new Error(`TLS handshake with ${address} timed out after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(options.signal?.reason ?? new Error("aborted"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off("secureConnect", ok);
    };
    function fail(err: Error) {
      cleanup();
      socket.destroy();
      reject(err);
    }
    function onError(err: Error) {
      fail(describeTlsFailure(err, address, serverName));
    }
    function ok() {
      cleanup();
      socket.setNoDelay?.(true);
      resolve(socket);
    }
    socket.once("error", onError);
    socket.once("secureConnect", ok);
  });
}

/** OpenSSL's verification codes: a certificate no retry will make trusted. */
const certificateProblems: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is not signed by a CA of tls.caBundle",
  UNABLE_TO_GET_ISSUER_CERT: "its certificate's issuer is not in tls.caBundle",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its certificate's issuer is not in tls.caBundle",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate chain ends in a CA that tls.caBundle does not hold",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its certificate is self-signed and not in tls.caBundle",
  CERT_SIGNATURE_FAILURE: "its certificate's signature does not verify",
  CERT_HAS_EXPIRED: "its certificate has expired",
  CERT_NOT_YET_VALID: "its certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate does not name the server",
};

/**
 * A certificate problem becomes a ConnectRefusedError (the admin client does not retry it) naming
 * the problem and what to fix; anything else (a reset, a plaintext peer) stays an ordinary error.
 */
export function describeTlsFailure(err: Error, address: string, serverName: string): Error {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const problem = certificateProblems[code];
  if (problem) {
    return new ConnectRefusedError(
      `TLS to ${address} (verified as ${serverName}) failed: ${problem} (${code}: ${err.message}). ` +
        "Give tls.caBundle the CA that signed the cluster's certificate and tls.serverName a DNS name it carries",
      { cause: err },
    );
  }
  return new Error(`TLS handshake with ${address} failed: ${err.message}${code ? ` (${code})` : ""}`, { cause: err });
}
