// A Service's cluster DNS name resolved as the sandbox's pods resolve cluster names: through a
// hosts file. No cluster DNS or Service routing exists on this machine (pod IPs are loopback
// addresses, ClusterIPs route nowhere), so the name maps to the Ready pods behind the Service,
// where kube-proxy would route.
import * as fs from "node:fs";
import { Sandbox } from "../sandbox/client";

interface PodJson {
    status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

/**
 * Writes `hostsFile`: the host of `endpoint` (`<service>.<namespace>.svc...:<port>`) -> the IPs of
 * the Ready pods its Service's selector picks, the addresses an EndpointSlice would list (the
 * sandbox's API server refuses loopback addresses in EndpointSlices, so the pods are read).
 * Returns those IPs.
 */
export async function resolveServiceThroughHostsFile(sandbox: Sandbox, endpoint: string, hostsFile: string): Promise<string[]> {
    const host = endpoint.slice(0, endpoint.lastIndexOf(":"));
    const [serviceName, serviceNamespace] = host.split(".");
    const service = JSON.parse(await sandbox.kubectl(["get", "service", serviceName, "-n", serviceNamespace, "-o", "json"])) as { spec: { selector: Record<string, string> } };
    const selector = Object.entries(service.spec.selector).map(([key, value]) => `${key}=${value}`).join(",");
    const pods = JSON.parse(await sandbox.kubectl(["get", "pods", "-n", serviceNamespace, "-l", selector, "-o", "json"])) as { items: PodJson[] };
    const addresses = pods.items
        .filter((pod) => pod.status.podIP && pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((pod) => pod.status.podIP as string);
    fs.writeFileSync(hostsFile, addresses.map((address) => `${address} ${host}\n`).join(""));
    return addresses;
}
