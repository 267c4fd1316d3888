// Name servers: a StatefulSet behind a headless Service, so each has a stable DNS name
// (name-service-0.name-service.<ns>.svc.cluster.local) that brokers and clients use.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { ClusterContext, childName, metadataOf, userAnnotations, userLabels } from "./context";
import { jvmOptions, nameServerHeapRule } from "./jvm";
import { concatLists } from "./derive";
import { createDisruptionBudget, DisruptionBudgetInputs } from "./disruption";
import { imageVersionLabel, objectLabels, selectorLabels } from "./labels";
import { nameServerServiceName, nameServerStatefulSetName, ports } from "./names";
import { containerSecurityContext, networkSettings, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { claimTemplatesField, podNameEnv, podStorage } from "./storage";
import { tlsVolumeMounts, tlsVolumes, withTlsOptions } from "./tls";
import { createStorageExpansion, templatesAfterExpansion } from "./storageExpansion";
import { configChecksumAnnotation, createEmbeddedControllerConfig, embeddedConfig, embeddedNameServerConfig, selfIdStartScript } from "./controller";
import { configChecksum } from "./brokerConfig";
import { mergeRecords } from "./derive";
import { derive } from "./derive";
import { nameServerConfigMapName } from "./names";

export interface NameServers {
    service: k8s.core.v1.Service;
    statefulSet: k8s.apps.v1.StatefulSet;
}

/** `after`: what must be done before the StatefulSet changes (the brokers told of a new name server list). */
export function createNameServers(context: ClusterContext, after: pulumi.Resource[] = []): NameServers {
    const { args } = context;
    const spec = args.nameServer;
    const labels = objectLabels(context.instanceLabel, "nameserver", imageVersionLabel(spec.image), userLabels(context));
    const selector = selectorLabels(context.instanceLabel, "nameserver");
    const storage = podStorage(spec, [
        { subPath: "logs", mountPath: "/home/rocketmq/logs" },
        { subPath: "namesrv", mountPath: "/home/rocketmq/namesrv" },
    ]);
    const opts = { parent: context.parent };

    const service = new k8s.core.v1.Service(childName(context, nameServerServiceName), {
        metadata: metadataOf(context, nameServerServiceName, labels),
        spec: {
            clusterIP: "None",
            // Brokers resolve every name server by name while the set is still starting.
            publishNotReadyAddresses: true,
            selector,
            ports: [{ name: "namesrv", port: ports.nameServer, targetPort: ports.nameServer }],
        },
    }, opts);

    // With controller.mode embedded each name server runs a controller too, from namesrv.conf.
    const embedded = derive(args.controller.mode, (mode) => mode === "embedded");
    const embeddedConfigMap = derive([args.controller.mode, spec.size] as const, ([mode, size]) =>
        (mode === "embedded" ? createEmbeddedControllerConfig(context, size) : undefined));

    // Larger claim templates grow the existing claims before the StatefulSet's object is replaced.
    const expansion = createStorageExpansion(context, nameServerStatefulSetName, spec, "nameServer.volumeClaimTemplates");
    const statefulSet = new k8s.apps.v1.StatefulSet(childName(context, nameServerStatefulSetName), {
        metadata: metadataOf(context, nameServerStatefulSetName, labels),
        spec: {
            serviceName: nameServerServiceName,
            replicas: spec.size,
            podManagementPolicy: "Parallel",
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, ...annotationsOf(context, derive([args.controller.mode, spec.size] as const, ([mode, size]) =>
                    (mode === "embedded" ? { [configChecksumAnnotation]: configChecksum(embeddedNameServerConfig(context, size)) } : {}) as Record<string, pulumi.Input<string>>)) },
                spec: {
                    ...sharedPodSettings(args, { own: selector, spread: selector }),
                    ...networkSettings(spec),
                    volumes: concatLists<k8s.types.input.core.v1.Volume>(storage.volumes, tlsVolumes(context), derive(embedded, (on) => (on ? [
                        { name: embeddedConfig.volume, configMap: { name: nameServerConfigMapName } },
                        { name: embeddedConfig.confVolume, emptyDir: {} },
                    ] : []))),
                    containers: [{
                        name: "name-server",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: derive(embedded, (on) => (on ? ["sh", "-c", selfIdStartScript("namesrv.conf", "mqnamesrv")] : ["sh", "mqnamesrv"])),
                        env: concatLists<k8s.types.input.core.v1.EnvVar>(
                            derive([storage.env, embedded] as const, ([storageEnv, on]) =>
                                (on && !storageEnv.some((env) => env.name === "POD_NAME") ? [...storageEnv, podNameEnv] : storageEnv)),
                            [{ name: "JAVA_OPT_EXT", value: withTlsOptions(context, jvmOptions(spec.jvmMemory, spec.resources, nameServerHeapRule)) }],
                        ),
                        ports: derive(embedded, (on) => [
                            { name: "namesrv", containerPort: ports.nameServer },
                            ...(on ? [{ name: "controller", containerPort: ports.controller }] : []),
                        ]),
                        readinessProbe: tcpReadinessProbe(ports.nameServer),
                        volumeMounts: concatLists<k8s.types.input.core.v1.VolumeMount>(storage.volumeMounts, tlsVolumeMounts(context), derive(embedded, (on) => (on ? [
                            { name: embeddedConfig.volume, mountPath: embeddedConfig.mountDir, readOnly: true },
                            { name: embeddedConfig.confVolume, mountPath: embeddedConfig.confDir },
                        ] : []))),
                        ...(spec.resources ? { resources: spec.resources as k8s.types.input.core.v1.ResourceRequirements } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
            ...templatesAfterExpansion(claimTemplatesField(storage), expansion),
        },
    }, { ...opts, dependsOn: derive(embeddedConfigMap, (configMap) => [service, ...after, ...(expansion ? [expansion] : []), ...(configMap ? [configMap] : [])]) as pulumi.Input<pulumi.Resource[]> });

    createDisruptionBudget(context, nameServerStatefulSetName, selector, labels, spec.podDisruptionBudget as DisruptionBudgetInputs, "nameServer.podDisruptionBudget");
    return { service, statefulSet };
}

/** The user's annotations, and with the embedded controller its config's checksum; none at all as before otherwise. */
function annotationsOf(context: ClusterContext, embedded: pulumi.Input<Record<string, pulumi.Input<string>>>): { annotations?: pulumi.Input<Record<string, pulumi.Input<string>>> } {
    if (!pulumi.Output.isInstance(embedded) && Object.keys(embedded).length === 0) {
        return context.args.annotations ? { annotations: userAnnotations(context) } : {};
    }
    return { annotations: mergeRecords(userAnnotations(context), embedded) };
}
