// Reaching RocketMQ from outside the cluster through the Kubernetes API server's port-forward.
//
// The name server reports brokers by pod IP, which a laptop or CI runner cannot route to. This
// connector finds the pod that serves an address (podLocator.ts) and opens a port-forward stream
// to it through the API server (spdyPortForward.ts: SPDY/3.1 tunneled in a WebSocket, as kubectl
// does since Kubernetes 1.31, which also works with kubelets that serve only SPDY port-forward).
import type { Duplex } from "node:stream";
import { ConnectOptions, ConnectRefusedError, Connector, parseAddress, PodLocator, PodPortForwarder, PodRef } from "./connector";
import { namespaceOfName } from "./podLocator";
import { apiServerRefusal, Refusal } from "./refusal";

/**
 * The permissions a port-forward takes. Its WebSocket upgrade is a GET, authorized as get on
 * pods/portforward; API servers from Kubernetes 1.35 also require create on it
 * (AuthorizePodWebsocketUpgradeCreatePermission, on by default), as SPDY's POST always did.
 */
export const portForwardPermissions = "get and list on pods, and get and create on pods/portforward";

/** What the user can do when a port-forward fails. */
const portForwardAdvice =
  `The kubeconfig's user needs ${portForwardPermissions}; set the kubeconfig input for another cluster or user, ` +
  "or connection: direct when this machine is inside the cluster network";

/** What to change when the API server refused: the credentials, a permission or the certificate. */
function refusalAdvice(refusal: Refusal, namespace: string): string {
  switch (refusal.kind) {
    case "forbidden": {
      const missing = refusal.permission ? `${refusal.permission.verb} on ${refusal.permission.resource}` : "a permission";
      return (
        `The kubeconfig's user lacks ${missing}: grant it ${portForwardPermissions} in namespace ${namespace} ` +
        "(the Role in the provider's installation and configuration docs), or set connection: direct when this machine is inside the cluster network"
      );
    }
    case "unauthorized":
      return "Set the kubeconfig input (or $KUBECONFIG) to credentials the API server accepts";
    case "untrusted certificate":
      return "Fix the kubeconfig's certificate-authority data or server address";
  }
}

export class KubernetesPortForwardConnector implements Connector {
  constructor(
    private readonly locator: PodLocator,
    private readonly forwarder: PodPortForwarder,
    /** The API server's URL, named in errors. */
    private readonly server: string,
  ) {}

  async connect(address: string, options: ConnectOptions = {}): Promise<Duplex> {
    const { host, port } = parseAddress(address);
    let pod: PodRef;
    try {
      pod = await this.locator.podFor(host, port, options.signal);
    } catch (err) {
      const through = `port-forward through the API server ${this.server}`;
      const refusal = apiServerRefusal(err);
      if (refusal) {
        const advice = refusalAdvice(refusal, podNamespaceOf(refusal, host));
        throw new ConnectRefusedError(`${through}: the pod for ${address} cannot be looked up: ${(err as Error).message}. ${advice}`, { cause: err });
      }
      throw new Error(`${through}: no pod found for ${address}: ${(err as Error).message}. ${portForwardAdvice}`, { cause: err });
    }
    try {
      return await withTimeout(this.forwarder.open(pod, port, options.signal), options.timeoutMs, `timed out after ${options.timeoutMs} ms`);
    } catch (err) {
      const target = `port-forward to pod ${pod.namespace}/${pod.name} port ${port} (for ${address}) through the API server ${this.server}`;
      const found = apiServerRefusal(err);
      const refusal = found && upgradeRefusal(found, pod);
      if (refusal) throw new ConnectRefusedError(`${target} was refused: ${refusal.description}. ${refusalAdvice(refusal, pod.namespace)}`, { cause: err });
      throw new Error(`${target} failed: ${(err as Error).message}. ${portForwardAdvice}`, { cause: err });
    }
  }
}

/**
 * What a refused port-forward lacks. The API server authorizes the upgrade's GET as get on
 * pods/portforward before anything else, and that denial names the verb. A 403 naming none came
 * after it: on Kubernetes 1.35 and later, the port-forward handler's own check of create, whose
 * message (`pods "<pod>" is forbidden: `) gives no verb and no reason. Admission denials say so.
 */
function upgradeRefusal(refusal: Refusal, pod: PodRef): Refusal {
  if (refusal.kind !== "forbidden" || refusal.permission || /admission/i.test(refusal.statusText ?? "")) return refusal;
  return {
    ...refusal,
    permission: { verb: "create", resource: "pods/portforward", namespace: pod.namespace },
    description:
      `the API server forbids the kubeconfig's user to create pods/portforward in namespace ${pod.namespace}: it allowed the WebSocket upgrade's get, ` +
      `and from Kubernetes 1.35 it also requires create (HTTP 403: ${refusal.statusText ?? "Forbidden"})`,
  };
}

/** The namespace to grant in: the one the API server named, else the address's, else a placeholder. */
function podNamespaceOf(refusal: Refusal, host: string): string {
  return refusal.permission?.namespace ?? namespaceOfName(host) ?? "the pods' namespace";
}

/** Bounds how long a stream takes to open; a stream that opens late is closed at once. */
function withTimeout(opening: Promise<Duplex>, timeoutMs: number | undefined, message: string): Promise<Duplex> {
  if (timeoutMs === undefined) return opening;
  return new Promise<Duplex>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(message));
      opening.then((late) => late.destroy(), () => undefined);
    }, timeoutMs);
    opening.then(
      (stream) => {
        clearTimeout(timer);
        resolve(stream);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
