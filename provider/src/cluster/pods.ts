// Pod-level settings every RocketMQ pod shares: scheduling, pull secrets, service account,
// security contexts, host network and its DNS policy.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { ClusterInputs } from "../inputs/clusterInputs";
import { derive } from "./derive";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface NetworkSettings {
    hostNetwork: pulumi.Input<boolean>;
    dnsPolicy?: pulumi.Input<string | undefined>;
}

export function sharedPodSettings(args: ClusterInputs): Partial<PodSpec> {
    const settings: Partial<PodSpec> = {};
    if (args.nodeSelector) settings.nodeSelector = args.nodeSelector as PodSpec["nodeSelector"];
    if (args.tolerations) settings.tolerations = args.tolerations as PodSpec["tolerations"];
    if (args.affinity) settings.affinity = args.affinity as PodSpec["affinity"];
    if (args.imagePullSecrets) settings.imagePullSecrets = args.imagePullSecrets as PodSpec["imagePullSecrets"];
    if (args.serviceAccountName) settings.serviceAccountName = args.serviceAccountName as PodSpec["serviceAccountName"];
    if (args.priorityClassName) settings.priorityClassName = args.priorityClassName as PodSpec["priorityClassName"];
    if (args.podSecurityContext) settings.securityContext = args.podSecurityContext as PodSpec["securityContext"];
    return settings;
}

/** With host networking, ClusterFirstWithHostNet keeps cluster DNS names resolvable. */
export function networkSettings(network: NetworkSettings): Partial<PodSpec> {
    return {
        hostNetwork: network.hostNetwork,
        dnsPolicy: derive([network.hostNetwork, network.dnsPolicy] as const, ([hostNetwork, dnsPolicy]) =>
            dnsPolicy ?? (hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst")),
    };
}

export function containerSecurityContext(args: ClusterInputs): k8s.types.input.core.v1.SecurityContext | undefined {
    return args.securityContext as k8s.types.input.core.v1.SecurityContext | undefined;
}

export function tcpReadinessProbe(port: number): k8s.types.input.core.v1.Probe {
    return { tcpSocket: { port }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 6 };
}
