// The RocketMQ dashboard: a Deployment and a Service, pointed at the name servers by their DNS names.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { ClusterContext, childName, metadataOf, userAnnotations, userLabels } from "./context";
import { derive } from "./derive";
import { imageVersionLabel, objectLabels, selectorLabels } from "./labels";
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

export function createConsole(context: ClusterContext, nameServerAddresses: pulumi.Input<string[]>, nameServers: pulumi.Resource[]): Console {
    const { args } = context;
    const spec = args.console;
    const labels = objectLabels(context.instanceLabel, "console", imageVersionLabel(spec.image), userLabels(context));
    const selector = selectorLabels(context.instanceLabel, "console");
    const opts = { parent: context.parent };

    const deployment = new k8s.apps.v1.Deployment(childName(context, consoleDeploymentName), {
        metadata: metadataOf(context, consoleDeploymentName, labels),
        spec: {
            replicas: spec.replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, ...(args.annotations ? { annotations: userAnnotations(context) } : {}) },
                spec: {
                    ...sharedPodSettings(args, { own: selector }),
                    containers: [{
                        name: "console",
                        image: spec.image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: ["sh", "-c", "exec java $JAVA_OPTS -jar /rocketmq-dashboard.jar"],
                        env: [{ name: "JAVA_OPTS", value: derive(nameServerAddresses, consoleJavaOptions) }],
                        ports: [{ name: "http", containerPort: ports.console }],
                        readinessProbe: tcpReadinessProbe(ports.console),
                        ...(spec.resources ? { resources: spec.resources as k8s.types.input.core.v1.ResourceRequirements } : {}),
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
                ...(spec.nodePort !== undefined ? { nodePort: spec.nodePort as pulumi.Input<number> } : {}),
            }],
        },
    }, opts);

    return { deployment, service };
}
