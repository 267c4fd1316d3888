// Which pod serves a RocketMQ address. Name servers are addressed by their stable DNS name
// "<pod>.<service>.<namespace>.svc[.<domain>]", which names the pod. Brokers register with their
// pod IP, which only the API knows: a pod whose status.podIP is that IP, or, for a hostNetwork pod
// (whose pod IP is its node's IP, shared with other hostNetwork pods of that node), the one whose
// container declares the port.
import type * as k8s from "@kubernetes/client-node";
import { ConnectRefusedError, PodLocator, PodRef } from "./connector";
import { apiServerRefusal } from "./refusal";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isIpAddress(host: string): boolean {
  return IPV4.test(host) || host.includes(":");
}

/** The pod a "<pod>.<service>.<namespace>.svc..." name points at, or undefined for other names. */
export function podNamedBy(host: string): PodRef | undefined {
  const labels = host.split(".");
  if (labels.length >= 4 && labels[3] === "svc" && labels.slice(0, 3).every((l) => l !== "")) return { name: labels[0], namespace: labels[2] };
  return undefined;
}

/** The namespace a pod's or service's cluster DNS name ("...<namespace>.svc...") names, if any. */
export function namespaceOfName(host: string): string | undefined {
  const labels = host.split(".");
  const svc = labels.indexOf("svc");
  return svc >= 2 ? labels[svc - 1] : undefined;
}

/** Picks the pod serving ip:port among pods reported with that IP. */
export function matchPod(pods: readonly k8s.V1Pod[], ip: string, port: number): PodRef | undefined {
  const live = pods.filter(
    (p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && (p.status?.podIP === ip || p.status?.podIPs?.some((a) => a.ip === ip)),
  );
  const own = live.filter((p) => !p.spec?.hostNetwork);
  const onHost = live.filter((p) => p.spec?.hostNetwork);
  const declaresPort = (p: k8s.V1Pod) => (p.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.containerPort === port || cp.hostPort === port));
  let candidates = own.length > 0 ? own : onHost.filter(declaresPort);
  if (candidates.length === 0 && onHost.length === 1) candidates = onHost;
  if (candidates.length === 0) return undefined;
  if (candidates.length > 1) {
    const names = candidates.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(", ");
    throw new Error(`${candidates.length} pods serve ${ip}:${port} (${names}); cannot tell which one to forward to`);
  }
  const meta = candidates[0].metadata;
  if (!meta?.name || !meta.namespace) throw new Error(`the pod serving ${ip}:${port} has no name or namespace`);
  return { name: meta.name, namespace: meta.namespace };
}

type PodApi = Pick<k8s.CoreV1Api, "listNamespacedPod" | "listPodForAllNamespaces">;

/**
 * Looks pods up through the API: first in the namespaces the resource is known to live in (one
 * list per namespace per operation), then cluster-wide by field selector for an IP they do not
 * hold (a broker cluster in another namespace that registers with the same name servers).
 */
export class ApiPodLocator implements PodLocator {
  private readonly listed = new Map<string, Promise<k8s.V1Pod[]>>();

  constructor(
    private readonly core: PodApi,
    private readonly namespaces: readonly string[] = [],
  ) {}

  async podFor(host: string, port: number): Promise<PodRef> {
    const named = podNamedBy(host);
    if (named) return named;
    if (!isIpAddress(host)) {
      throw new Error(`cannot tell which pod serves ${host}:${port}: expected a pod IP or a <pod>.<service>.<namespace>.svc name`);
    }
    for (const namespace of this.namespaces) {
      const pod = matchPod(await this.podsIn(namespace), host, port);
      if (pod) return pod;
    }
    const everywhere = await apiCall(`list pods with IP ${host} in all namespaces`, "list on pods cluster-wide", () =>
      this.core.listPodForAllNamespaces({ fieldSelector: `status.podIP=${host}` }),
    );
    const pod = matchPod(everywhere.items, host, port);
    if (pod) return pod;
    const searched = this.namespaces.length > 0 ? `namespace ${this.namespaces.join(", ")} or any other` : "any namespace";
    throw new Error(`no running pod in ${searched} serves ${host}:${port}`);
  }

  private podsIn(namespace: string): Promise<k8s.V1Pod[]> {
    let pods = this.listed.get(namespace);
    if (!pods) {
      pods = apiCall(`list pods in namespace ${namespace}`, "list on pods", () => this.core.listNamespacedPod({ namespace })).then((list) => list.items);
      this.listed.set(namespace, pods);
    }
    return pods;
  }
}

/**
 * Runs an API call that takes `permission`; a failure says what was asked, and a refusal (401, 403,
 * an untrusted certificate) what was refused.
 */
async function apiCall<T>(what: string, permission: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const refusal = apiServerRefusal(err);
    if (refusal) {
      const needs = refusal.kind === "forbidden" && !refusal.permission ? `; the kubeconfig's user needs ${permission}` : "";
      throw new ConnectRefusedError(`cannot ${what}: ${refusal.description}${needs}`, { cause: err });
    }
    const code = (err as { code?: number }).code;
    const detail = typeof code === "number" ? `HTTP ${code}` : (err as Error).message;
    throw new Error(`cannot ${what}: ${detail}`, { cause: err });
  }
}
