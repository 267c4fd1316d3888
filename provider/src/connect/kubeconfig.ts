// Which Kubernetes API server a resource talks to, and as whom. The same choice as kubectl and the
// kubernetes provider: the `kubeconfig` input (a file's path or its contents), else $KUBECONFIG,
// else ~/.kube/config, else the pod's service account when running inside the cluster.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as k8s from "@kubernetes/client-node";

export interface LoadedKubeConfig {
  config: k8s.KubeConfig;
  /** Where it came from, for error messages: never the contents. */
  source: string;
  /** The API server's URL of the current context. */
  server: string;
}

/** A kubeconfig's contents rather than a path: YAML or JSON with more than one line or a brace. */
export function isKubeConfigContents(value: string): boolean {
  return value.includes("\n") || value.trimStart().startsWith("{");
}

/** Says which ambient kubeconfig loadFromDefault will use, or undefined when there is none. */
export function ambientKubeConfigSource(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string | undefined {
  if (env.KUBECONFIG) return `$KUBECONFIG (${env.KUBECONFIG})`;
  const file = path.join(home, ".kube", "config");
  if (fs.existsSync(file)) return file;
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return "the in-cluster service account";
  return undefined;
}

export async function loadKubeConfig(kubeconfig: string | undefined): Promise<LoadedKubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  let source: string;
  try {
    if (kubeconfig !== undefined) {
      source = isKubeConfigContents(kubeconfig) ? "the kubeconfig input (file contents)" : `the kubeconfig input (file ${kubeconfig})`;
      if (isKubeConfigContents(kubeconfig)) config.loadFromString(kubeconfig);
      else config.loadFromFile(kubeconfig);
    } else {
      const ambient = ambientKubeConfigSource();
      if (!ambient) {
        throw new Error("no kubeconfig: the kubeconfig input is not set, $KUBECONFIG is empty, ~/.kube/config does not exist and this is not a pod");
      }
      source = ambient;
      config.loadFromDefault();
    }
  } catch (err) {
    throw new Error(`cannot load a kubeconfig: ${(err as Error).message}. Set the kubeconfig input to a kubeconfig file's path or contents`, { cause: err });
  }
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`${source} has no current context with a cluster: set its current-context or pass another kubeconfig`);
  return { config, source, server };
}
