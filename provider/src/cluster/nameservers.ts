// Name servers: a StatefulSet behind a headless Service, so each has a stable DNS name
// (name-service-0.name-service.<ns>.svc.cluster.local) that brokers and clients use.
import * as k8s from "./k8s";
import { imageTag } from "../inputs/images";
import { ClusterContext, childName, metadataOf } from "./context";
import { jvmOptions, nameServerHeapRule } from "./jvm";
import { objectLabels, selectorLabels, versionLabelValue } from "./labels";
import { nameServerServiceName, nameServerStatefulSetName, ports } from "./names";
import { containerSecurityContext, networkSettings, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { podStorage } from "./storage";

export interface NameServers {
    service: k8s.core.v1.Service;
    statefulSet: k8s.apps.v1.StatefulSet;
}

export function createNameServers(context: ClusterContext): NameServers {
    const { args } = context;
    const spec = args.nameServer;
    const labels = objectLabels(context.instanceLabel, "nameserver", versionLabelValue(imageTag(spec.image)), args.labels);
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

    const statefulSet = new k8s.apps.v1.StatefulSet(childName(context, nameServerStatefulSetName), {
        metadata: metadataOf(context, nameServerStatefulSetName, labels),
        spec: {
            serviceName: nameServerServiceName,
            replicas: spec.size,
            podManagementPolicy: "Parallel",
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, ...(args.annotations ? { annotations: args.annotations } : {}) },
                spec: {
                    ...sharedPodSettings(args),
                    ...networkSettings(spec),
                    volumes: storage.volumes,
                    containers: [{
                        name: "name-server",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: ["sh", "mqnamesrv"],
                        env: [
                            ...storage.env,
                            { name: "JAVA_OPT_EXT", value: jvmOptions(spec.jvmMemory, spec.resources, nameServerHeapRule) },
                        ],
                        ports: [{ name: "namesrv", containerPort: ports.nameServer }],
                        readinessProbe: tcpReadinessProbe(ports.nameServer),
                        volumeMounts: storage.volumeMounts,
                        ...(spec.resources ? { resources: spec.resources } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
            ...(storage.volumeClaimTemplates.length > 0 ? { volumeClaimTemplates: storage.volumeClaimTemplates } : {}),
        },
    }, { ...opts, dependsOn: [service] });

    return { service, statefulSet };
}
