// RIP-44 controllers, which elect each broker group's master: standalone, a StatefulSet `controller`
// behind a headless Service (each pod a DLedger peer n<ordinal>, its Raft log on its own volume), or
// embedded in the name servers (their StatefulSet then reads name-service-config's namesrv.conf).
// Standalone controllers export Prometheus metrics while metrics are on, and a PodDisruptionBudget
// `controller` keeps a Raft majority of them through voluntary evictions.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { ClusterContext, childName, metadataOf, userAnnotations, userLabels } from "./context";
import { derive, mergeRecords } from "./derive";
import { configChecksum } from "./brokerConfig";
import { jvmOptions, nameServerHeapRule } from "./jvm";
import { imageVersionLabel, objectLabels, selectorLabels } from "./labels";
import {
    controllerAddresses, controllerConfigMapName, controllerPeers, controllerServiceName, controllerStatefulSetName, nameServerConfigMapName, ports,
} from "./names";
import { containerSecurityContext, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { claimTemplatesField, podNameEnv, podStorage, StorageInputs } from "./storage";
import { controllersAwayKeepingMajority, type ControllerMode } from "../inputs/controller";
import { controllerImageHasMetrics, metricsPort } from "../inputs/metrics";
import { createDisruptionBudget, DisruptionBudgetInputs } from "./disruption";
import { metricsPortName } from "./metrics";

export const controllerStoreDir = "/home/rocketmq/controller";
/** The embedded controller keeps its log on the name server's volume. */
export const embeddedControllerStoreDir = "/home/rocketmq/namesrv/controller";
const controllerConfigMountDir = "/etc/rocketmq-controller";
const controllerConfDir = "/home/rocketmq/conf";
const configChecksumAnnotation = "rocketmq/config-sha256";

/**
 * The controller's keys; its own DLedger id is added at start from the pod's ordinal. With
 * `prometheusExporter` its ControllerMetricsManager serves /metrics on metricsPort; with no
 * metricsPromExporterHost it binds 0.0.0.0, which in a pod is only the pod's own addresses.
 */
export function controllerConfig(clusterName: string, peers: string, storePath: string, prometheusExporter = false): string {
    return [
        `controllerDLegerGroup=${clusterName}-controller`,
        `controllerDLegerPeers=${peers}`,
        `controllerStorePath=${storePath}`,
        // An unclean election could make a replica that lacks acknowledged messages the master.
        "enableElectUncleanMaster=false",
        "notifyBrokerRoleChanged=true",
        ...(prometheusExporter ? ["metricsExporterType=PROM", `metricsPromExporterPort=${metricsPort}`] : []),
    ].map((line) => `${line}\n`).join("");
}

/** The standalone controllers' image: their own, else the brokers'. */
export function controllerImage(context: ClusterContext): pulumi.Input<string> {
    return (context.args.controller.image ?? context.args.broker.image) as pulumi.Input<string>;
}

/** Whether standalone controllers export Prometheus metrics: metrics on and an image that has the exporter. */
export function controllersExportMetrics(context: ClusterContext): pulumi.Input<boolean> {
    return derive([context.args.metrics.enabled, controllerImage(context)] as const, ([enabled, image]) => enabled && controllerImageHasMetrics(image));
}

/** Copies the rendered config, adds `controllerDLegerSelfId=n<ordinal>` from POD_NAME, runs `command -c`. */
export function selfIdStartScript(fileName: string, command: string): string {
    return `cp ${controllerConfigMountDir}/${fileName} ${controllerConfDir}/${fileName} && ` +
        `echo "controllerDLegerSelfId=n\${POD_NAME##*-}" >> ${controllerConfDir}/${fileName} && ` +
        `exec sh ${command} -c ${controllerConfDir}/${fileName}`;
}

/** What the brokers' controllerAddr is: the controllers, or undefined without a controller. */
export function brokerControllerAddr(context: ClusterContext): pulumi.Input<string | undefined> {
    const { args } = context;
    return derive([args.controller.mode, args.namespace, args.controller.size, args.nameServer.size] as const, ([mode, namespace, size, nameServers]) =>
        mode === "none" ? undefined : controllerAddresses(namespace, mode as Exclude<ControllerMode, "none">, mode === "standalone" ? size : nameServers).join(";"));
}

export interface StandaloneControllers {
    service: k8s.core.v1.Service;
    statefulSet: k8s.apps.v1.StatefulSet;
}

/** The standalone controllers: started before the brokers, which register with them. */
export function createStandaloneControllers(context: ClusterContext, size: number): StandaloneControllers {
    const { args } = context;
    const spec = args.controller;
    const image = controllerImage(context);
    const prometheusExporter = controllersExportMetrics(context);
    const labels = objectLabels(context.instanceLabel, "controller", imageVersionLabel(image), userLabels(context));
    const selector = selectorLabels(context.instanceLabel, "controller");
    const opts = { parent: context.parent };
    const storage = podStorage(withDefaultClaim(spec as unknown as StorageInputs), [
        { subPath: "logs", mountPath: "/home/rocketmq/logs" },
        { subPath: "controller", mountPath: controllerStoreDir },
    ]);

    const service = new k8s.core.v1.Service(childName(context, controllerServiceName), {
        metadata: metadataOf(context, controllerServiceName, labels),
        spec: {
            clusterIP: "None",
            // Peers resolve each other, and brokers every controller, while the set is still starting.
            publishNotReadyAddresses: true,
            selector,
            ports: [{ name: "controller", port: ports.controller, targetPort: ports.controller }],
        },
    }, opts);
    const conf = derive([args.brokerClusterName, args.namespace, prometheusExporter] as const, ([clusterName, namespace, exporter]) =>
        controllerConfig(clusterName, controllerPeers(controllerAddresses(namespace, "standalone", size)), controllerStoreDir, exporter));
    const configMap = new k8s.core.v1.ConfigMap(childName(context, controllerConfigMapName), {
        metadata: metadataOf(context, controllerConfigMapName, labels),
        data: { "controller.conf": conf },
    }, opts);
    const statefulSet = new k8s.apps.v1.StatefulSet(childName(context, controllerStatefulSetName), {
        metadata: metadataOf(context, controllerStatefulSetName, labels),
        spec: {
            serviceName: controllerServiceName,
            replicas: size,
            // A Raft group elects a leader only once a majority runs: start them together.
            podManagementPolicy: "Parallel",
            selector: { matchLabels: selector },
            template: {
                // The config's checksum: a new peer list restarts the controllers, and the preview says so.
                metadata: { labels, annotations: mergeRecords(userAnnotations(context), { [configChecksumAnnotation]: configChecksum(conf) }) },
                spec: {
                    ...sharedPodSettings(args, { own: selector, spread: selector }),
                    volumes: derive(storage.volumes, (volumes) => [
                        { name: "controller-config", configMap: { name: controllerConfigMapName } },
                        { name: "controller-conf", emptyDir: {} },
                        ...volumes,
                    ]),
                    containers: [{
                        name: "controller",
                        image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: ["sh", "-c", selfIdStartScript("controller.conf", "mqcontroller")],
                        env: [podNameEnv, { name: "JAVA_OPT_EXT", value: jvmOptions(spec.jvmMemory, spec.resources, nameServerHeapRule) }],
                        ports: derive(prometheusExporter, (on) => [
                            { name: "controller", containerPort: ports.controller },
                            ...(on ? [{ name: metricsPortName, containerPort: metricsPort }] : []),
                        ]),
                        readinessProbe: tcpReadinessProbe(ports.controller),
                        volumeMounts: derive(storage.volumeMounts, (mounts) => [
                            { name: "controller-config", mountPath: controllerConfigMountDir, readOnly: true },
                            { name: "controller-conf", mountPath: controllerConfDir },
                            ...mounts,
                        ]),
                        ...(spec.resources ? { resources: spec.resources as k8s.types.input.core.v1.ResourceRequirements } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
            ...claimTemplatesField(storage),
        },
    }, { ...opts, dependsOn: [service, configMap] });
    // The controllers elect only while a majority of them runs: a drain may take the rest, no more.
    createDisruptionBudget(context, controllerStatefulSetName, selector, labels, spec.podDisruptionBudget as DisruptionBudgetInputs,
        "controller.podDisruptionBudget", controllersAwayKeepingMajority(size));
    return { service, statefulSet };
}

/** storageMode StorageClass without templates: one 1 GiB claim of the cluster's default StorageClass. */
function withDefaultClaim(spec: StorageInputs): StorageInputs {
    return {
        ...spec,
        volumeClaimTemplates: derive([spec.storageMode, spec.volumeClaimTemplates] as const, ([mode, templates]) =>
            mode === "StorageClass" && ((templates as unknown[] | undefined)?.length ?? 0) === 0
                ? [{ metadata: { name: "controller-data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }]
                : templates) as pulumi.Input<Record<string, unknown>[]>,
    };
}

/** The name servers' ConfigMap in embedded mode: namesrv.conf turns their controller on. */
export function createEmbeddedControllerConfig(context: ClusterContext, nameServers: number): k8s.core.v1.ConfigMap {
    const { args } = context;
    return new k8s.core.v1.ConfigMap(childName(context, nameServerConfigMapName), {
        metadata: metadataOf(context, nameServerConfigMapName, objectLabels(context.instanceLabel, "nameserver", imageVersionLabel(args.nameServer.image), userLabels(context))),
        data: { "namesrv.conf": embeddedNameServerConfig(context, nameServers) },
    }, { parent: context.parent });
}

/** namesrv.conf with the controller on; its checksum is on the name servers' pod template, so a new peer list restarts them. */
export function embeddedNameServerConfig(context: ClusterContext, nameServers: number): pulumi.Input<string> {
    const { args } = context;
    return derive([args.brokerClusterName, args.namespace] as const, ([clusterName, namespace]) =>
        "enableControllerInNamesrv=true\n" +
        controllerConfig(clusterName, controllerPeers(controllerAddresses(namespace, "embedded", nameServers)), embeddedControllerStoreDir));
}

export { configChecksumAnnotation };

export const embeddedConfig = { mountDir: controllerConfigMountDir, confDir: controllerConfDir, volume: "controller-config", confVolume: "controller-conf" };
