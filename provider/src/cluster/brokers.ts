// Broker groups: for group g a ConfigMap with every broker's broker.conf, a headless Service, a
// master StatefulSet (<broker>-<g>-master) and one StatefulSet per replica
// (<broker>-<g>-replica-<i>). Secret broker settings and secret env values go to the group's
// Secret (<broker>-<g>-secret) instead, which the pods read. A group's objects depend only on its
// own index and the shared settings, so adding groups never changes existing ones.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { brokerStoreDir, configChecksum, configKeyOf, nameServerListRefreshFor, renderBrokerConfig, RenderedBrokerConfig, UserBrokerConfigInputs } from "./brokerConfig";
import { createRolloutWait } from "./brokerRuntime";
import { brokerControllerAddr } from "./controller";
import { secretAwareEnv } from "./env";
import { authBrokerSettings } from "./auth";
import { ClusterContext, childName, metadataOf, userAnnotations, userLabels } from "./context";
import { concatLists, derive, mergeRecords } from "./derive";
import { brokerHeapRule, jvmOptions } from "./jvm";
import { BrokerPodIdentity, brokerNameLabel, groupLabel, groupSelectorLabels, imageVersionLabel, objectLabels, selectorLabels } from "./labels";
import { createDisruptionBudget, DisruptionBudgetInputs } from "./disruption";
import { exportsMetrics, metricsPortName } from "./metrics";
import { metricsPort } from "../inputs/metrics";
import {
    brokerGroupConfigMapName, brokerGroupName, brokerGroupSecretName, brokerGroupServiceName, firstPodOf, masterStatefulSetName, ports,
    replicaStatefulSetName,
} from "./names";
import { containerSecurityContext, networkSettings, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { claimTemplatesField, podNameEnv, podStorage } from "./storage";
import { createStorageExpansion, StorageExpansion, templatesAfterExpansion } from "./storageExpansion";
import { tlsVolumeMounts, tlsVolumes, withTlsOptions } from "./tls";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export const brokerConfigMountDir = "/etc/rocketmq";
export const brokerConfDir = "/home/rocketmq/conf";
export const configChecksumAnnotation = "rocketmq/config-sha256";
/** The group Secret's resourceVersion: a change of a secret setting rolls the pods without revealing it. */
export const secretVersionAnnotation = "rocketmq/secret-version";

/** The container's whole start: copy the rendered config and its secret part, add the pod IP, run the broker. */
export const brokerStartScript =
    `cp ${brokerConfigMountDir}/broker.conf ${brokerConfDir}/broker.conf && ` +
    `{ test ! -f ${brokerConfigMountDir}/secret.conf || cat ${brokerConfigMountDir}/secret.conf >> ${brokerConfDir}/broker.conf; } && ` +
    `echo "brokerIP1=\${POD_IP}" >> ${brokerConfDir}/broker.conf && ` +
    `exec sh mqbroker -c ${brokerConfDir}/broker.conf`;

/** In controller mode the HA address the controller hands to replicas is brokerIP2's: the pod IP too. */
export const controllerModeBrokerStartScript = brokerStartScript.replace(
    `echo "brokerIP1=\${POD_IP}"`, `echo "brokerIP1=\${POD_IP}" >> ${brokerConfDir}/broker.conf && echo "brokerIP2=\${POD_IP}"`);

/** What decides which objects a group has; known whenever groups are created. */
export interface BrokerGroupShape {
    /** broker.name, the prefix of every object of the groups. */
    prefix: string;
    replicaPerGroup: number;
}

export interface BrokerGroup {
    index: number;
    /** broker.name of the cluster. */
    prefix: string;
    brokerName: string;
    configMap: k8s.core.v1.ConfigMap;
    secret?: k8s.core.v1.Secret;
    service: k8s.core.v1.Service;
    master: k8s.apps.v1.StatefulSet;
    replicas: k8s.apps.v1.StatefulSet[];
}

export function createBrokerGroup(
    context: ClusterContext,
    shape: BrokerGroupShape,
    group: number,
    namesrvAddr: pulumi.Input<string>,
    /** The name servers rolled out and Ready. */
    nameServers: pulumi.Resource[],
    rolling?: RollingOrder,
): BrokerGroup {
    const { args } = context;
    const spec = args.broker;
    const brokerName = brokerGroupName(shape.prefix, group);
    const version = imageVersionLabel(spec.image);
    const groupLabels = mergeRecords(
        objectLabels(context.instanceLabel, "broker", version, userLabels(context)),
        { [brokerNameLabel]: brokerName, [groupLabel]: String(group) },
    );
    const opts = { parent: context.parent };

    const brokerIds = Array.from({ length: shape.replicaPerGroup + 1 }, (_, id) => id);
    const configs = new Map(brokerIds.map((brokerId) => [brokerId, renderBrokerConfig({
        clusterName: args.brokerClusterName,
        brokerName,
        brokerId,
        namesrvAddr,
        nameServerListRefreshMs: nameServerListRefreshFor(spec.image),
        prometheusExporter: exportsMetrics(context),
        controllerAddr: brokerControllerAddr(context),
    }, spec.brokerConfig as UserBrokerConfigInputs | undefined, authBrokerSettings(context))]));

    const configMapName = brokerGroupConfigMapName(shape.prefix, group);
    const configMap = new k8s.core.v1.ConfigMap(childName(context, configMapName), {
        metadata: metadataOf(context, configMapName, groupLabels),
        data: Object.fromEntries(brokerIds.map((brokerId) => [configKeyOf(brokerId), configs.get(brokerId)!.plain])),
    }, opts);

    const env = secretAwareEnv(spec.env);
    const secretName = brokerGroupSecretName(shape.prefix, group);
    const secretData: Record<string, pulumi.Input<string>> = {
        ...Object.fromEntries(brokerIds.flatMap((brokerId) => {
            const secret = configs.get(brokerId)!.secret;
            return secret ? [[configKeyOf(brokerId), secret]] : [];
        })),
        ...env.secretValues,
    };
    const secret = Object.keys(secretData).length === 0 ? undefined : new k8s.core.v1.Secret(childName(context, secretName), {
        metadata: metadataOf(context, secretName, groupLabels),
        type: "Opaque",
        stringData: secretData,
    }, opts);

    const serviceName = brokerGroupServiceName(shape.prefix, group);
    const groupSelector = groupSelectorLabels(context.instanceLabel, brokerName);
    const service = new k8s.core.v1.Service(childName(context, serviceName), {
        metadata: metadataOf(context, serviceName, groupLabels),
        spec: {
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: groupSelector,
            ports: brokerPorts().map(({ name, containerPort }) => ({ name, port: containerPort, targetPort: containerPort })),
        },
    }, opts);

    // Replicas first, then the master: the order in which a change rolls through the group.
    const statefulSetsInOrder = [...brokerIds.slice(1), 0].map((brokerId) => {
        const role: BrokerPodIdentity["role"] = brokerId === 0 ? "master" : `replica-${brokerId}`;
        const statefulSetName = brokerId === 0
            ? masterStatefulSetName(shape.prefix, group)
            : replicaStatefulSetName(shape.prefix, group, brokerId);
        // Larger claim templates grow the existing claims before the StatefulSet's object is replaced.
        const expansion = createStorageExpansion(context, statefulSetName, spec, "broker.volumeClaimTemplates");
        const statefulSet = new k8s.apps.v1.StatefulSet(childName(context, statefulSetName), brokerStatefulSetArgs(context, {
            statefulSetName,
            serviceName,
            identity: { brokerName, group, role },
            version,
            configMapName,
            groupSelector,
            configKey: configKeyOf(brokerId),
            config: configs.get(brokerId)!,
            env: env.containerEnv(secretName),
            secret: secret && { name: secretName, version: secret.metadata.resourceVersion },
            expansion,
        }), { ...opts, dependsOn: [configMap, service, ...(secret ? [secret] : []), ...nameServers, ...(rolling?.after() ?? []), ...(expansion ? [expansion] : [])] });
        rolling?.done(statefulSetName, statefulSet);
        return statefulSet;
    });
    const statefulSets = [statefulSetsInOrder[statefulSetsInOrder.length - 1], ...statefulSetsInOrder.slice(0, -1)];
    createDisruptionBudget(context, brokerName, groupSelector, groupLabels, spec.podDisruptionBudget as DisruptionBudgetInputs, "broker.podDisruptionBudget");

    return { index: group, prefix: shape.prefix, brokerName, configMap, secret, service, master: statefulSets[0], replicas: statefulSets.slice(1) };
}

/**
 * One pod at a time across the whole cluster: after each broker StatefulSet (group by group,
 * replicas before the master) a BrokerRollout waits until its pods run the new spec and are Ready,
 * and the next StatefulSet depends on that wait, so a change that restarts brokers restarts one
 * and waits for its readiness before the next.
 */
export class RollingOrder {
    /** Every rollout wait, in order. */
    readonly waits: pulumi.Resource[] = [];

    constructor(private readonly context: ClusterContext) {}

    /** The wait the next StatefulSet depends on, if any. */
    after(): pulumi.Resource[] {
        return this.waits.slice(-1);
    }

    done(statefulSetName: string, statefulSet: k8s.apps.v1.StatefulSet): void {
        this.waits.push(createRolloutWait(this.context, statefulSetName, statefulSet));
    }
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
    version: pulumi.Input<string | undefined>;
    configMapName: string;
    /** Every pod of the group. */
    groupSelector: Record<string, string>;
    configKey: string;
    config: RenderedBrokerConfig;
    env: pulumi.Input<pulumi.Input<EnvVar>[]> | undefined;
    secret?: { name: string; version: pulumi.Output<string> };
    /** Grows the claims before larger claim templates replace the StatefulSet's object. */
    expansion?: StorageExpansion;
}

/** The pod's broker.conf, and its secret part when there is one, as files of one volume. */
function configVolume(pod: BrokerPod): k8s.types.input.core.v1.Volume {
    const fromConfigMap = { name: pod.configMapName, items: [{ key: pod.configKey, path: "broker.conf" }] };
    if (!pod.config.secret || !pod.secret) {
        return { name: "rocketmq-config", configMap: fromConfigMap };
    }
    return {
        name: "rocketmq-config",
        projected: {
            sources: [
                { configMap: fromConfigMap },
                { secret: { name: pod.secret.name, items: [{ key: pod.configKey, path: "secret.conf" }] } },
            ],
        },
    };
}

function brokerStatefulSetArgs(context: ClusterContext, pod: BrokerPod): k8s.apps.v1.StatefulSetArgs {
    const { args } = context;
    const spec = args.broker;
    const labels = objectLabels(context.instanceLabel, "broker", pod.version, userLabels(context), pod.identity);
    const selector = selectorLabels(context.instanceLabel, "broker", pod.identity);
    const storage = podStorage(spec, [
        { subPath: "logs", mountPath: "/home/rocketmq/logs" },
        { subPath: "store", mountPath: brokerStoreDir },
    ]);
    // With allowRestart a config change (e.g. a new name server list) rolls the pods; without it
    // pods are only replaced when deleted, and the config is applied to the running broker instead.
    const restartAnnotations = derive([spec.allowRestart, configChecksum(pod.config.plain), pod.secret?.version] as const,
        ([allowRestart, checksum, secretVersion]): Record<string, string> => !allowRestart ? {} : {
            [configChecksumAnnotation]: checksum,
            ...(secretVersion !== undefined ? { [secretVersionAnnotation]: secretVersion } : {}),
        });
    const podAnnotations = mergeRecords(userAnnotations(context), restartAnnotations);
    const hasAnnotations = pulumi.Output.isInstance(podAnnotations) || Object.keys(podAnnotations).length > 0;
    return {
        metadata: metadataOf(context, pod.statefulSetName, labels),
        spec: {
            serviceName: pod.serviceName,
            replicas: 1,
            selector: { matchLabels: selector },
            updateStrategy: derive(spec.allowRestart, (allowRestart) => ({ type: allowRestart ? "RollingUpdate" : "OnDelete" })),
            template: {
                metadata: { labels, ...(hasAnnotations ? { annotations: podAnnotations } : {}) },
                spec: {
                    ...sharedPodSettings(args, { own: pod.groupSelector, spread: pod.groupSelector }),
                    ...networkSettings(spec),
                    volumes: concatLists<k8s.types.input.core.v1.Volume>(
                        [configVolume(pod), { name: "rocketmq-conf", emptyDir: {} }],
                        storage.volumes,
                        tlsVolumes(context),
                        spec.volumes as pulumi.Input<k8s.types.input.core.v1.Volume[]> | undefined,
                    ),
                    containers: [{
                        name: "broker",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: derive(context.args.controller.mode, (mode) => ["sh", "-c", mode === "none" ? brokerStartScript : controllerModeBrokerStartScript]),
                        env: concatLists<EnvVar>(
                            [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
                            derive(storage.env, (storageEnv) => (storageEnv.length > 0 ? storageEnv : [podNameEnv])),
                            [{ name: "JAVA_OPT_EXT", value: withTlsOptions(context, jvmOptions(spec.jvmMemory, spec.resources, brokerHeapRule)) }],
                            pod.env as pulumi.Input<EnvVar[]> | undefined,
                        ),
                        ports: derive(exportsMetrics(context), (on) => [...brokerPorts(), ...(on ? [{ name: metricsPortName, containerPort: metricsPort }] : [])]),
                        readinessProbe: tcpReadinessProbe(ports.broker),
                        volumeMounts: concatLists<k8s.types.input.core.v1.VolumeMount>(
                            [
                                { name: "rocketmq-config", mountPath: brokerConfigMountDir, readOnly: true },
                                { name: "rocketmq-conf", mountPath: brokerConfDir },
                            ],
                            storage.volumeMounts,
                            tlsVolumeMounts(context),
                            spec.volumeMounts as pulumi.Input<k8s.types.input.core.v1.VolumeMount[]> | undefined,
                        ),
                        ...(spec.resources ? { resources: spec.resources as k8s.types.input.core.v1.ResourceRequirements } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
            ...templatesAfterExpansion(claimTemplatesField(storage), pod.expansion),
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
