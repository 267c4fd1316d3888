// Pod-level settings every RocketMQ pod shares: scheduling, pull secrets, service account,
// security contexts, host network and its DNS policy.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { ClusterInputs } from "../inputs/clusterInputs";
import { derive } from "./derive";
import { podAffinity, topologySpreadConstraints } from "./spreading";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface NetworkSettings {
    hostNetwork: pulumi.Input<boolean>;
    dnsPolicy?: pulumi.Input<string | undefined>;
}

/** Which pods a pod is placed among: its own set (`own`), and the set it spreads from by default (`spread`). */
export interface Placement {
    own: Record<string, string>;
    spread?: Record<string, string>;
}

export function sharedPodSettings(args: ClusterInputs, placement: Placement): Partial<PodSpec> {
    const settings: Partial<PodSpec> = {};
    if (args.nodeSelector) settings.nodeSelector = args.nodeSelector as PodSpec["nodeSelector"];
    if (args.tolerations) settings.tolerations = args.tolerations as PodSpec["tolerations"];
    const affinity = podAffinity(args, placement.spread);
    if (affinity) settings.affinity = affinity;
    const constraints = topologySpreadConstraints(args, placement.own);
    if (constraints) settings.topologySpreadConstraints = constraints;
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
