// Reaching RocketMQ from outside the cluster through the Kubernetes API server's port-forward.
//
// The name server reports brokers by pod IP, which a laptop or CI runner cannot route to. This
// connector finds the pod that serves an address (podLocator.ts) and opens a port-forward stream
// to it through the API server (spdyPortForward.ts: SPDY/3.1 tunneled in a WebSocket, as kubectl
// does since Kubernetes 1.31, which also works with kubelets that serve only SPDY port-forward).
import type { Duplex } from "node:stream";
import { ConnectOptions, Connector, parseAddress, PodLocator, PodPortForwarder, PodRef } from "./connector";

/** What the user can do when a port-forward fails. */
const portForwardAdvice =
  "The kubeconfig's user needs get and list on pods and create on pods/portforward; set the kubeconfig input for another cluster or user, " +
  "or connection: direct when this machine is inside the cluster network";

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
      throw new Error(`port-forward through the API server ${this.server}: no pod found for ${address}: ${(err as Error).message}. ${portForwardAdvice}`, { cause: err });
    }
    try {
      return await withTimeout(this.forwarder.open(pod, port, options.signal), options.timeoutMs, `timed out after ${options.timeoutMs} ms`);
    } catch (err) {
      throw new Error(
        `port-forward to pod ${pod.namespace}/${pod.name} port ${port} (for ${address}) through the API server ${this.server} failed: ${(err as Error).message}. ${portForwardAdvice}`,
        { cause: err },
      );
    }
  }
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
