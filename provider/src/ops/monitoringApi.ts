// Whether the cluster serves the Prometheus Operator's kinds (ServiceMonitor, PodMonitor): read from
// API discovery (/apis/monitoring.coreos.com/v1), which every authenticated identity may read.
import { loadKubeConfig } from "../connect/kubeconfig";

export const monitoringGroup = "monitoring.coreos.com";
export const monitoringVersion = "v1";

/** The resource kinds the cluster serves under monitoring.coreos.com/v1; empty when the group is not served. */
export type MonitoringKindsReader = (kubeconfig: string | undefined) => Promise<{ kinds: Set<string>; server: string }>;

export const readMonitoringKinds: MonitoringKindsReader = async (kubeconfig) => {
    const { CustomObjectsApi } = await import("@kubernetes/client-node");
    const loaded = await loadKubeConfig(kubeconfig);
    try {
        const list = await loaded.config.makeApiClient(CustomObjectsApi).getAPIResources({ group: monitoringGroup, version: monitoringVersion });
        return { kinds: new Set(list.resources.map((resource) => resource.kind)), server: loaded.server };
    } catch (error) {
        if ((error as { code?: number }).code === 404) {
            return { kinds: new Set(), server: loaded.server };
        }
        throw new Error(`cannot read the API server's discovery of ${monitoringGroup}/${monitoringVersion} at ${loaded.server} (${loaded.source}): ${(error as Error).message}`, { cause: error });
    }
};
