// Inputs Kubernetes accepts but that do not do what they say: the cluster is built as asked and
// the preview warns, naming the field. Unknown or secret values are not judged.
import { ClusterInputs } from "./clusterInputs";
import { controllerReleaseWarning } from "./controller";
import { imageTag } from "./images";

/** A warning about one input, with its dotted path. */
export interface InputWarning {
    property: string;
    message: string;
}

export function clusterInputWarnings(inputs: ClusterInputs): InputWarning[] {
    return [
        ...dnsWarnings(inputs),
        ...controllerIdentityWarnings(inputs),
        ...controllerReleaseWarnings(inputs),
        ...authProxyReceiveWarnings(inputs),
    ];
}

/** A controller-mode cluster on a release whose elected replicas lack topics with attributes. */
function controllerReleaseWarnings(inputs: ClusterInputs): InputWarning[] {
    const mode = inputs.controller.mode;
    const image = inputs.broker.image;
    if ((mode !== "embedded" && mode !== "standalone") || typeof image !== "string") return [];
    const message = controllerReleaseWarning(image);
    return message === undefined ? [] : [{ property: "broker.image", message: `${message} (with controller.mode ${mode})` }];
}

/**
 * RocketMQ 5.3 brokers with authorization on lose the bornTime of a proxy's pop request and answer
 * every receive as timed out (apache/rocketmq#9862, fixed in 5.4.0): sends through the proxies work,
 * gRPC consumers get nothing.
 */
function authProxyReceiveWarnings(inputs: ClusterInputs): InputWarning[] {
    const image = inputs.broker.image;
    if (inputs.auth.enabled !== true || inputs.proxy.enabled !== true || typeof image !== "string") return [];
    // A release tag with a suffix (5.3.2-alpine) is that release, as for the other image checks.
    if (!/^5\.3\.\d+/.test(imageTag(image) ?? "")) return [];
    return [{
        property: "broker.image",
        message: `${image} with auth and proxies: RocketMQ 5.3 brokers with authorization on answer the proxies' receive requests as timed out, ` +
            "so gRPC consumers through the proxies get no message (sending works; fixed in 5.4.0). Use a 5.4.0 or later image to consume through the proxies",
    }];
}

/**
 * A controller-mode broker keeps the id the controller gave it in its store. On an emptyDir a
 * re-created pod comes back with a new id; if its old id was the group's only in-sync broker, the
 * controller has no broker it may elect (unclean elections are off) and the group takes no writes.
 */
function controllerIdentityWarnings(inputs: ClusterInputs): InputWarning[] {
    const mode = inputs.controller.mode;
    if ((mode !== "embedded" && mode !== "standalone") || inputs.broker.storageMode !== "EmptyDir") return [];
    return [{
        property: "broker.storageMode",
        message: `EmptyDir with controller.mode ${mode}: a broker pod that is re-created (not just restarted) loses the id the controller gave it and its log; ` +
            "if it was the group's only in-sync broker the group gets no master. Use StorageClass (or HostPath) for brokers that elect their master",
    }];
}

function dnsWarnings(inputs: ClusterInputs): InputWarning[] {
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
