// Inputs Kubernetes accepts but that do not do what they say: the cluster is built as asked and
// the preview warns, naming the field. Unknown or secret values are not judged.
import { ClusterInputs } from "./clusterInputs";

/** A warning about one input, with its dotted path. */
export interface InputWarning {
    property: string;
    message: string;
}

export function clusterInputWarnings(inputs: ClusterInputs): InputWarning[] {
    return (["nameServer", "broker"] as const).flatMap((section): InputWarning[] => {
        const { hostNetwork, dnsPolicy } = inputs[section];
        // Kubernetes treats ClusterFirstWithHostNet on a pod without host networking as ClusterFirst.
        if (hostNetwork === false && dnsPolicy === "ClusterFirstWithHostNet") {
            return [{
                property: `${section}.dnsPolicy`,
                message: `ClusterFirstWithHostNet applies only with ${section}.hostNetwork true; without it Kubernetes uses ClusterFirst`,
            }];
        }
        return [];
    });
}
