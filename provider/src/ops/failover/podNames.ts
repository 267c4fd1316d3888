// Which pod of a namespace serves a broker address: brokers register with their pod IP (brokerIP1).
import { loadKubeConfig } from "../../connect/kubeconfig";
import { matchPod } from "../../connect/podLocator";
import { PodNamer } from "./groupMasters";

/** One list of the namespace's pods per call of the namer's owner (an operation), read through the API. */
export async function apiPodNamer(kubeconfig: string | undefined, namespace: string): Promise<PodNamer> {
    const loaded = await loadKubeConfig(kubeconfig);
    const { CoreV1Api } = await import("@kubernetes/client-node");
    const pods = (await loaded.config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;
    return async (address) => {
        const separator = address.lastIndexOf(":");
        const [ip, port] = separator < 0 ? [address, 0] : [address.slice(0, separator), Number(address.slice(separator + 1))];
        return matchPod(pods, ip, port)?.name;
    };
}
