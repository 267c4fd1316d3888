// Whether the way an operation would reach a RocketMQ cluster is open from this machine, found
// without talking to RocketMQ: a preview asks it to say when its plan was made without the cluster.
import { ClusterAccess, choosePath, DirectProbe, probeDirectly } from "./clusterConnection";
import { isKubeConfigContents, LoadedKubeConfig, loadKubeConfig } from "./kubeconfig";

/** What did not answer, and why. */
export interface Unreached {
  /** e.g. "the Kubernetes API server https://10.0.0.1:6443 (kubeconfig from $KUBECONFIG (/home/me/.kube/prod))". */
  target: string;
  reason: string;
}

/** Asks the API server a question any client may ask; rejects with the reason when it does not answer. */
export type ApiServerProbe = (loaded: LoadedKubeConfig) => Promise<void>;

export interface ReachabilityDependencies {
  /** Checks that a name server accepts a TCP connection from this machine. */
  probe?: DirectProbe;
  apiServer?: ApiServerProbe;
}

const apiServerTimeoutMs = 5000;

const askVersion: ApiServerProbe = async (loaded) => {
  const { VersionApi } = await import("@kubernetes/client-node");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to GET /version within ${apiServerTimeoutMs} ms`)), apiServerTimeoutMs);
  });
  try {
    await Promise.race([loaded.config.makeApiClient(VersionApi).getCode(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Undefined when the way in answers: a name server over direct TCP, or else the API server whose
 * port-forward an operation would use. `deployed` says the resource exists, so its name servers
 * run; before that they may belong to a cluster the same run creates, so with `connection: direct`
 * nothing can be learnt from their silence.
 */
export async function findUnreached(access: ClusterAccess, deployed: boolean, deps: ReachabilityDependencies = {}): Promise<Unreached | undefined> {
  const nameServers = access.nameServerAddresses.split(";").map((a) => a.trim()).filter((a) => a !== "");
  if (access.connection === "direct") {
    if (!deployed) return undefined;
    const failures: string[] = [];
    for (const address of nameServers) {
      try {
        await (deps.probe ?? probeDirectly)(address);
        return undefined;
      } catch (err) {
        failures.push(`${address}: ${(err as Error).message}`);
      }
    }
    return { target: `the name servers ${nameServers.join(";")} over direct TCP`, reason: failures.join("; ") };
  }
  const { path } = await choosePath(access.connection, nameServers, deps.probe);
  if (path === "direct") return undefined;
  let loaded: LoadedKubeConfig;
  try {
    loaded = await loadKubeConfig(access.kubeconfig);
  } catch (err) {
    // A parse error may quote the file; the kubeconfig input's contents are a secret.
    const given = access.kubeconfig !== undefined && isKubeConfigContents(access.kubeconfig);
    return { target: "the Kubernetes API server", reason: given ? "the kubeconfig input's contents cannot be loaded as a kubeconfig" : (err as Error).message };
  }
  try {
    await (deps.apiServer ?? askVersion)(loaded);
    return undefined;
  } catch (err) {
    return { target: `the Kubernetes API server ${loaded.server} (kubeconfig from ${loaded.source})`, reason: (err as Error).message };
  }
}
