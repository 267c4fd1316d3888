// Pod-level settings every RocketMQ pod shares: scheduling, pull secrets, service account,
// security contexts, host network and its DNS policy.
import * as k8s from "./k8s";
import { ResolvedClusterArgs } from "../inputs/cluster";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface NetworkSettings {
    hostNetwork: boolean;
    dnsPolicy?: string;
}

export function sharedPodSettings(args: ResolvedClusterArgs): Partial<PodSpec> {
    const settings: Partial<PodSpec> = {};
    if (args.nodeSelector) settings.nodeSelector = args.nodeSelector;
    if (args.tolerations) settings.tolerations = args.tolerations as PodSpec["tolerations"];
    if (args.affinity) settings.affinity = args.affinity as PodSpec["affinity"];
    if (args.imagePullSecrets) settings.imagePullSecrets = args.imagePullSecrets;
    if (args.serviceAccountName) settings.serviceAccountName = args.serviceAccountName;
    if (args.priorityClassName) settings.priorityClassName = args.priorityClassName;
    if (args.podSecurityContext) settings.securityContext = args.podSecurityContext as PodSpec["securityContext"];
    return settings;
}

/** With host networking, ClusterFirstWithHostNet keeps cluster DNS names resolvable. */
export function networkSettings(network: NetworkSettings): Partial<PodSpec> {
    return {
        hostNetwork: network.hostNetwork,
        dnsPolicy: network.dnsPolicy ?? (network.hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst"),
    };
}

export function containerSecurityContext(args: ResolvedClusterArgs): k8s.types.input.core.v1.SecurityContext | undefined {
    return args.securityContext as k8s.types.input.core.v1.SecurityContext | undefined;
}

export function tcpReadinessProbe(port: number): k8s.types.input.core.v1.Probe {
    return { tcpSocket: { port }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 6 };
}
