// Names of the Kubernetes objects and pods, kept in one place: an operator user recognises them
// (name-service-0, broker-0-master-0, broker-0-replica-1-0), and outputs and tests derive from them.
import { brokerPodOf } from "../inputs/scaleSource";

export const ports = {
    nameServer: 9876,
    brokerFast: 10909,
    broker: 10911,
    brokerHa: 10912,
    console: 8080,
    proxyRemoting: 8080,
    proxyGrpc: 8081,
    /** The controllers' Raft (DLedger) peer port, on which brokers reach them too. */
    controller: 9878,
} as const;

export const nameServerServiceName = "name-service";
export const nameServerStatefulSetName = "name-service";
export const consoleDeploymentName = "console";
export const consoleServiceName = "console-service";
export const proxyDeploymentName = "proxy";
export const proxyServiceName = "proxy";
export const proxyConfigMapName = "proxy-config";
export const proxySecretName = "proxy-secret";
export const controllerServiceName = "controller";
export const controllerStatefulSetName = "controller";
export const controllerConfigMapName = "controller-config";
export const nameServerConfigMapName = "name-service-config";

/** The pod of a single-replica StatefulSet. */
export function firstPodOf(statefulSetName: string): string {
    return `${statefulSetName}-0`;
}

export function nameServerPodName(index: number): string {
    return `${nameServerStatefulSetName}-${index}`;
}

/** The stable DNS name of a StatefulSet's pod under its headless Service. */
export function podDnsName(namespace: string, serviceName: string, podName: string): string {
    return `${podName}.${serviceName}.${namespace}.svc.cluster.local`;
}

/** Stable DNS name and port of one name server, through the headless Service. */
export function nameServerAddress(namespace: string, index: number): string {
    return `${podDnsName(namespace, nameServerServiceName, nameServerPodName(index))}:${ports.nameServer}`;
}

export function nameServerAddresses(namespace: string, size: number): string[] {
    return Array.from({ length: size }, (_, index) => nameServerAddress(namespace, index));
}

/** RocketMQ's brokerName of group `group`, shared by its master and replicas. */
export function brokerGroupName(brokerPrefix: string, group: number): string {
    return `${brokerPrefix}-${group}`;
}

export function masterStatefulSetName(brokerPrefix: string, group: number): string {
    return `${brokerGroupName(brokerPrefix, group)}-master`;
}

/** Replicas are numbered from 1, as their brokerId is. */
export function replicaStatefulSetName(brokerPrefix: string, group: number, replica: number): string {
    return `${brokerGroupName(brokerPrefix, group)}-replica-${replica}`;
}

/**
 * The group whose topics and subscription groups the other groups copy: the group of the pod
 * `scalePodName` (`<prefix>-<g>-master-0`, or with a controller `<prefix>-<g>-replica-<i>-0`, as
 * validation requires), by default the first group. The copy reads from the group's master now.
 */
export function scaleSourceBrokerName(brokerPrefix: string, scalePodName: string | undefined): string {
    const group = scalePodName === undefined ? undefined : brokerPodOf(brokerPrefix, scalePodName)?.group;
    return brokerGroupName(brokerPrefix, group ?? 0);
}

export function brokerGroupConfigMapName(brokerPrefix: string, group: number): string {
    return `${brokerGroupName(brokerPrefix, group)}-config`;
}

/** The Secret of a group's secret broker settings and secret env values. */
export function brokerGroupSecretName(brokerPrefix: string, group: number): string {
    return `${brokerGroupName(brokerPrefix, group)}-secret`;
}

/** The headless Service governing the StatefulSets of one group. */
export function brokerGroupServiceName(brokerPrefix: string, group: number): string {
    return brokerGroupName(brokerPrefix, group);
}

export function consoleUrl(namespace: string): string {
    return `http://${consoleServiceName}.${namespace}.svc.cluster.local:${ports.console}`;
}

/** The in-cluster address a RocketMQ 5 gRPC client is given: the proxy Service's DNS name and gRPC port. */
export function proxyEndpoint(namespace: string): string {
    return `${proxyServiceName}.${namespace}.svc.cluster.local:${ports.proxyGrpc}`;
}

/** The controllers brokers talk to (`host:port;...`): the standalone controllers, or the name servers that embed one. */
export function controllerAddresses(namespace: string, mode: "embedded" | "standalone", size: number): string[] {
    const [serviceName, statefulSetName] = mode === "standalone"
        ? [controllerServiceName, controllerStatefulSetName]
        : [nameServerServiceName, nameServerStatefulSetName];
    return Array.from({ length: size }, (_, index) => `${podDnsName(namespace, serviceName, `${statefulSetName}-${index}`)}:${ports.controller}`);
}

/** DLedger's peer list, `n<i>-host:port;...`: each controller finds its own entry by `controllerDLegerSelfId` n<ordinal>. */
export function controllerPeers(addresses: string[]): string {
    return addresses.map((address, index) => `n${index}-${address}`).join(";");
}
