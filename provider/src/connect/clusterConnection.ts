// One way for every resource that talks to RocketMQ to reach a cluster: the `kubeconfig` and
// `connection` inputs become a Connector for one operation (create, read, ...). Every stream it
// opens is closed when the operation closes it, so no port-forward outlives the operation.
import type { Duplex } from "node:stream";
import { ConnectOptions, Connector, parseAddress } from "./connector";
import { loadKubeConfig } from "./kubeconfig";
import { ConnectionMode } from "./modes";
import { ApiPodLocator, namespaceOfName } from "./podLocator";
import { DirectTcpConnector } from "./tcp";
import { ClientTls, TlsConnector } from "./tls";

export type ConnectionPath = "direct" | "portForward";

/** What a resource says about how to reach its RocketMQ cluster. */
export interface ClusterAccess {
  /** RocketMQ's "host:port;host:port" name server list. */
  nameServerAddresses: string;
  /** A kubeconfig's path or contents; the ambient one when absent. */
  kubeconfig?: string;
  connection: ConnectionMode;
  /** The ACL 2.0 user the admin client signs as (admin/signing.ts); connections themselves ignore it. */
  credentials?: { accessKey: string; secretKey: string };
  /** Set when the cluster speaks TLS: every stream, direct or port-forward, is then wrapped in a verified TLS session. */
  tls?: ClientTls;
}

/** Checks that a name server answers from this machine; rejects with the reason when not. */
export type DirectProbe = (address: string) => Promise<void>;

const probeTimeoutMs = 2000;

export const probeDirectly: DirectProbe = async (address) => {
  const socket = await new DirectTcpConnector({ timeoutMs: probeTimeoutMs }).connect(address);
  socket.destroy();
};

/**
 * auto: direct when a name server resolves and accepts a TCP connection from this machine (inside
 * the cluster network), else everything through the API server's port-forward.
 */
export async function choosePath(mode: ConnectionMode, nameServers: readonly string[], probe: DirectProbe = probeDirectly): Promise<{ path: ConnectionPath; reason: string }> {
  if (mode === "direct") return { path: "direct", reason: "connection is direct" };
  if (mode === "portForward") return { path: "portForward", reason: "connection is portForward" };
  const failures: string[] = [];
  for (const address of nameServers) {
    try {
      await probe(address);
      return { path: "direct", reason: `connection is auto and name server ${address} answers from this machine` };
    } catch (err) {
      failures.push(`${address}: ${(err as Error).message}`);
    }
  }
  return { path: "portForward", reason: `connection is auto and no name server answers from this machine (${failures.join("; ")})` };
}

export interface ClusterConnection {
  readonly connector: Connector;
  readonly path: ConnectionPath;
  /** Why this path was taken, for the engine log. */
  readonly reason: string;
  /** How many streams (port-forward streams or TCP connections) were opened, per address. */
  readonly opened: ReadonlyMap<string, number>;
  /** Closes every stream still open; later connects fail. */
  close(): void;
}

export interface ClusterConnectionDependencies {
  probe?: DirectProbe;
  /** Builds the port-forward connector; the default loads the kubeconfig and talks to its API server. */
  portForward?: (kubeconfig: string | undefined, namespaces: string[]) => Promise<Connector>;
}

export async function openClusterConnection(access: ClusterAccess, deps: ClusterConnectionDependencies = {}): Promise<ClusterConnection> {
  const nameServers = access.nameServerAddresses.split(";").map((a) => a.trim()).filter((a) => a !== "");
  const { path, reason } = await choosePath(access.connection, nameServers, deps.probe);
  let inner: Connector;
  if (path === "direct") {
    inner = new DirectConnector(access.connection);
  } else {
    const namespaces = [...new Set(nameServers.map((a) => namespaceOfName(parseAddress(a).host)).filter((n): n is string => n !== undefined))];
    inner = await (deps.portForward ?? kubernetesPortForward)(access.kubeconfig, namespaces);
  }
  const secured = access.tls ? new TlsConnector(inner, access.tls) : inner;
  return new OperationConnection(secured, path, access.tls ? `${reason}; TLS verified against tls.caBundle` : reason);
}

async function kubernetesPortForward(kubeconfig: string | undefined, namespaces: string[]): Promise<Connector> {
  const loaded = await loadKubeConfig(kubeconfig);
  // Loaded here, when an operation first goes through the API server: the tunnel's modules import
  // node:http, whose module namespace makes Node.js load its fetch implementation (20 ms of CPU)
  // into every operation and construct otherwise.
  const [{ CoreV1Api }, { KubernetesPortForwardConnector }, { SpdyTunnelPortForwarder }] = await Promise.all([
    import("@kubernetes/client-node"),
    import("./portForward"),
    import("./spdyPortForward"),
  ]);
  const locator = new ApiPodLocator(loaded.config.makeApiClient(CoreV1Api), namespaces);
  return new KubernetesPortForwardConnector(locator, new SpdyTunnelPortForwarder(loaded.config), `${loaded.server} (kubeconfig from ${loaded.source})`);
}

/** Direct TCP whose failures say what the user can do. */
class DirectConnector implements Connector {
  private readonly tcp = new DirectTcpConnector();
  constructor(private readonly mode: ConnectionMode) {}

  async connect(address: string, options?: ConnectOptions): Promise<Duplex> {
    try {
      return await this.tcp.connect(address, options);
    } catch (err) {
      const advice =
        this.mode === "direct"
          ? "If this machine is outside the cluster network, set connection to portForward (or auto) to go through the Kubernetes API server"
          : "The name server answered from this machine but this address does not: set connection to portForward to reach every pod through the Kubernetes API server";
      throw new Error(`direct TCP connection to ${address} failed: ${(err as Error).message}. ${advice}`, { cause: err });
    }
  }
}

class OperationConnection implements ClusterConnection, Connector {
  private readonly live = new Set<Duplex>();
  private readonly counts = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly inner: Connector,
    readonly path: ConnectionPath,
    readonly reason: string,
  ) {}

  get connector(): Connector {
    return this;
  }

  get opened(): ReadonlyMap<string, number> {
    return this.counts;
  }

  async connect(address: string, options?: ConnectOptions): Promise<Duplex> {
    if (this.closed) throw new Error(`the operation has ended; no new connection to ${address}`);
    const stream = await this.inner.connect(address, options);
    if (this.closed) {
      stream.destroy();
      throw new Error(`the operation has ended; no new connection to ${address}`);
    }
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
    this.live.add(stream);
    stream.once("close", () => this.live.delete(stream));
    return stream;
  }

  close(): void {
    this.closed = true;
    for (const stream of this.live) stream.destroy();
    this.live.clear();
  }
}
