// The RocketMQ dashboard: a Deployment and a Service, pointed at the name servers by their DNS names.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { imageTag } from "../inputs/images";
import { ClusterContext, childName, metadataOf } from "./context";
import { objectLabels, selectorLabels, versionLabelValue } from "./labels";
import { consoleDeploymentName, consoleServiceName, ports } from "./names";
import { containerSecurityContext, sharedPodSettings, tcpReadinessProbe } from "./pods";

export interface Console {
    deployment: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
}

/** JAVA_OPTS of the dashboard: the RocketMQ client property and the dashboard's own setting. */
export function consoleJavaOptions(nameServerAddresses: string[]): string {
    return [
        `-Drocketmq.namesrv.addr=${nameServerAddresses.join(";")}`,
        `-Drocketmq.config.namesrvAddrs=${nameServerAddresses.join(",")}`,
    ].join(" ");
}

export function createConsole(context: ClusterContext, nameServerAddresses: string[], nameServers: pulumi.Resource[]): Console {
    const { args } = context;
    const spec = args.console;
    const labels = objectLabels(context.instanceLabel, "console", versionLabelValue(imageTag(spec.image)), args.labels);
    const selector = selectorLabels(context.instanceLabel, "console");
    const opts = { parent: context.parent };

    const deployment = new k8s.apps.v1.Deployment(childName(context, consoleDeploymentName), {
        metadata: metadataOf(context, consoleDeploymentName, labels),
        spec: {
            replicas: spec.replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, ...(args.annotations ? { annotations: args.annotations } : {}) },
                spec: {
                    ...sharedPodSettings(args),
                    containers: [{
                        name: "console",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: ["sh", "-c", "exec java $JAVA_OPTS -jar /rocketmq-dashboard.jar"],
                        env: [{ name: "JAVA_OPTS", value: consoleJavaOptions(nameServerAddresses) }],
                        ports: [{ name: "http", containerPort: ports.console }],
                        readinessProbe: tcpReadinessProbe(ports.console),
                        ...(spec.resources ? { resources: spec.resources } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
        },
    }, { ...opts, dependsOn: nameServers });

    const service = new k8s.core.v1.Service(childName(context, consoleServiceName), {
        metadata: metadataOf(context, consoleServiceName, labels),
        spec: {
            type: spec.serviceType,
            selector,
            ports: [{
                name: "http",
                port: ports.console,
                targetPort: ports.console,
                ...(spec.nodePort !== undefined ? { nodePort: spec.nodePort } : {}),
            }],
        },
    }, opts);

    return { deployment, service };
}
