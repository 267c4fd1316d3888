// Broker groups: for group g a ConfigMap with every broker's broker.conf, a headless Service, a
// master StatefulSet (<broker>-<g>-master) and one StatefulSet per replica
// (<broker>-<g>-replica-<i>). A group's objects depend only on its own index and the shared
// settings, so adding groups never changes existing ones.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { imageTag } from "../inputs/images";
import { brokerStoreDir, configChecksum, configKeyOf, renderBrokerConfig } from "./brokerConfig";
import { ClusterContext, childName, metadataOf } from "./context";
import { brokerHeapRule, jvmOptions } from "./jvm";
import { BrokerPodIdentity, brokerNameLabel, groupLabel, objectLabels, selectorLabels, versionLabelValue } from "./labels";
import {
    brokerGroupConfigMapName, brokerGroupName, brokerGroupServiceName, firstPodOf, masterStatefulSetName, ports,
    replicaStatefulSetName,
} from "./names";
import { containerSecurityContext, networkSettings, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { podStorage } from "./storage";

export const brokerConfigMountDir = "/etc/rocketmq";
export const brokerConfDir = "/home/rocketmq/conf";
export const configChecksumAnnotation = "rocketmq/config-sha256";

/** The container's whole start: copy the rendered config, add the pod IP, run the broker. */
export const brokerStartScript =
    `cp ${brokerConfigMountDir}/broker.conf ${brokerConfDir}/broker.conf && ` +
    `echo "brokerIP1=\${POD_IP}" >> ${brokerConfDir}/broker.conf && ` +
    `exec sh mqbroker -c ${brokerConfDir}/broker.conf`;

export interface BrokerGroup {
    index: number;
    brokerName: string;
    configMap: k8s.core.v1.ConfigMap;
    service: k8s.core.v1.Service;
    master: k8s.apps.v1.StatefulSet;
    replicas: k8s.apps.v1.StatefulSet[];
}

export function createBrokerGroup(
    context: ClusterContext,
    group: number,
    namesrvAddr: string,
    nameServers: pulumi.Resource[],
): BrokerGroup {
    const { args } = context;
    const spec = args.broker;
    const brokerName = brokerGroupName(spec.name, group);
    const version = versionLabelValue(imageTag(spec.image));
    const groupLabels = {
        ...objectLabels(context.instanceLabel, "broker", version, args.labels),
        [brokerNameLabel]: brokerName,
        [groupLabel]: String(group),
    };
    const opts = { parent: context.parent };

    const brokerIds = Array.from({ length: spec.replicaPerGroup + 1 }, (_, id) => id);
    const configs = new Map(brokerIds.map((brokerId) => [brokerId, renderBrokerConfig({
        clusterName: args.brokerClusterName,
        brokerName,
        brokerId,
        namesrvAddr,
    }, spec.brokerConfig)]));

    const configMapName = brokerGroupConfigMapName(spec.name, group);
    const configMap = new k8s.core.v1.ConfigMap(childName(context, configMapName), {
        metadata: metadataOf(context, configMapName, groupLabels),
        data: Object.fromEntries(brokerIds.map((brokerId) => [configKeyOf(brokerId), configs.get(brokerId)!])),
    }, opts);

    const serviceName = brokerGroupServiceName(spec.name, group);
    const groupSelector = {
        "app.kubernetes.io/instance": context.instanceLabel,
        "app.kubernetes.io/component": "broker",
        [brokerNameLabel]: brokerName,
    };
    const service = new k8s.core.v1.Service(childName(context, serviceName), {
        metadata: metadataOf(context, serviceName, groupLabels),
        spec: {
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: { "app.kubernetes.io/name": "rocketmq", ...groupSelector },
            ports: brokerPorts().map(({ name, containerPort }) => ({ name, port: containerPort, targetPort: containerPort })),
        },
    }, opts);

    const statefulSets = brokerIds.map((brokerId) => {
        const role: BrokerPodIdentity["role"] = brokerId === 0 ? "master" : `replica-${brokerId}`;
        const statefulSetName = brokerId === 0
            ? masterStatefulSetName(spec.name, group)
            : replicaStatefulSetName(spec.name, group, brokerId);
        return new k8s.apps.v1.StatefulSet(childName(context, statefulSetName), brokerStatefulSetArgs(context, {
            statefulSetName,
            serviceName,
            identity: { brokerName, group, role },
            version,
            configMapName,
            configKey: configKeyOf(brokerId),
            config: configs.get(brokerId)!,
        }), { ...opts, dependsOn: [configMap, service, ...nameServers] });
    });

    return { index: group, brokerName, configMap, service, master: statefulSets[0], replicas: statefulSets.slice(1) };
}

function brokerPorts() {
    return [
        { name: "fast", containerPort: ports.brokerFast },
        { name: "main", containerPort: ports.broker },
        { name: "ha", containerPort: ports.brokerHa },
    ];
}

interface BrokerPod {
    statefulSetName: string;
    serviceName: string;
    identity: BrokerPodIdentity;
    version: string | undefined;
    configMapName: string;
    configKey: string;
    config: string;
}

function brokerStatefulSetArgs(context: ClusterContext, pod: BrokerPod): k8s.apps.v1.StatefulSetArgs {
    const { args } = context;
    const spec = args.broker;
    const labels = objectLabels(context.instanceLabel, "broker", pod.version, args.labels, pod.identity);
    const selector = selectorLabels(context.instanceLabel, "broker", pod.identity);
    const storage = podStorage(spec, [
        { subPath: "logs", mountPath: "/home/rocketmq/logs" },
        { subPath: "store", mountPath: brokerStoreDir },
    ]);
    // With allowRestart a config change (e.g. a new name server list) rolls the pods; without it
    // pods are only replaced when deleted, and the config is applied to the running broker instead.
    const podAnnotations: Record<string, string> = {
        ...args.annotations,
        ...(spec.allowRestart ? { [configChecksumAnnotation]: configChecksum(pod.config) } : {}),
    };
    return {
        metadata: metadataOf(context, pod.statefulSetName, labels),
        spec: {
            serviceName: pod.serviceName,
            replicas: 1,
            selector: { matchLabels: selector },
            updateStrategy: spec.allowRestart ? { type: "RollingUpdate" } : { type: "OnDelete" },
            template: {
                metadata: { labels, ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}) },
                spec: {
                    ...sharedPodSettings(args),
                    ...networkSettings(spec),
                    volumes: [
                        { name: "rocketmq-config", configMap: { name: pod.configMapName, items: [{ key: pod.configKey, path: "broker.conf" }] } },
                        { name: "rocketmq-conf", emptyDir: {} },
                        ...storage.volumes,
                        ...(spec.volumes ?? []) as k8s.types.input.core.v1.Volume[],
                    ],
                    containers: [{
                        name: "broker",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: ["sh", "-c", brokerStartScript],
                        env: [
                            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                            ...(storage.env.length > 0 ? storage.env : [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]),
                            { name: "JAVA_OPT_EXT", value: jvmOptions(spec.jvmMemory, spec.resources, brokerHeapRule) },
                            ...(spec.env ?? []) as k8s.types.input.core.v1.EnvVar[],
                        ],
                        ports: brokerPorts(),
                        readinessProbe: tcpReadinessProbe(ports.broker),
                        volumeMounts: [
                            { name: "rocketmq-config", mountPath: brokerConfigMountDir, readOnly: true },
                            { name: "rocketmq-conf", mountPath: brokerConfDir },
                            ...storage.volumeMounts,
                            ...(spec.volumeMounts ?? []) as k8s.types.input.core.v1.VolumeMount[],
                        ],
                        ...(spec.resources ? { resources: spec.resources } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
            ...(storage.volumeClaimTemplates.length > 0 ? { volumeClaimTemplates: storage.volumeClaimTemplates } : {}),
        },
    };
}

/** Pod names of a group, as its outputs report them. */
export function groupPodNames(brokerPrefix: string, group: number, replicaPerGroup: number) {
    return {
        masterPodName: firstPodOf(masterStatefulSetName(brokerPrefix, group)),
        replicaPodNames: Array.from({ length: replicaPerGroup }, (_, i) => firstPodOf(replicaStatefulSetName(brokerPrefix, group, i + 1))),
    };
}
