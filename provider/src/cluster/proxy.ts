// Proxies (RocketMQ 5): a Deployment `proxy` of stateless proxies in cluster mode behind a Service
// `proxy` (gRPC 8081, remoting 8080), so RocketMQ 5's gRPC clients can connect. Their rmq-proxy.json
// comes from the cluster's inputs: the cluster name, the name server list, the two ports and, with
// metrics on, the Prometheus exporter, with auth on ACL 2.0 (cluster/auth.ts), then the user's
// proxy.properties; with auth on or a secret property the file is in a Secret. At start a cluster-mode
// proxy creates its heartbeat-sync topic on the cluster and exits if it cannot, so the Deployment
// waits for every broker's registration. A PodDisruptionBudget `proxy` limits voluntary evictions.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { isSecretInput } from "../inputs/nature";
import { ClusterContext, childName, metadataOf, userAnnotations, userLabels } from "./context";
import { concatLists, derive, mergeRecords } from "./derive";
import { secretAwareEnv } from "./env";
import { createDisruptionBudget, DisruptionBudgetInputs } from "./disruption";
import { jvmOptions, proxyHeapRule } from "./jvm";
import { metricsPortName } from "./metrics";
import { metricsPort } from "../inputs/metrics";
import { imageVersionLabel, objectLabels, selectorLabels } from "./labels";
import { brokerGroupName, ports, proxyConfigMapName, proxyDeploymentName, proxySecretName, proxyServiceName } from "./names";
import { containerSecurityContext, sharedPodSettings, tcpReadinessProbe } from "./pods";
import { authProxySettings } from "./auth";
import { proxyTlsConfigOf, tlsVolumeMounts, tlsVolumes, withTlsOptions } from "./tls";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export const proxyConfigDir = "/etc/rocketmq-proxy";
export const proxyConfigFile = "rmq-proxy.json";
export const proxyConfigChecksumAnnotation = "rocketmq/config-sha256";
/** The broker groups the proxies serve: a group added or removed rolls them, and the preview says so. */
export const proxyBrokerGroupsAnnotation = "rocketmq/broker-groups";
/** The proxy Secret's resourceVersion: a change of a secret setting rolls the proxies without revealing it. */
export const proxySecretVersionAnnotation = "rocketmq/secret-version";

/** The container's start, as the apache/rocketmq image runs a proxy. */
export const proxyCommand = ["sh", "mqproxy", "-pc", `${proxyConfigDir}/${proxyConfigFile}`, "-pm", "cluster"];

export interface ProxyConfigInputs {
    clusterName: pulumi.Input<string>;
    namesrvAddr: pulumi.Input<string>;
    /** True when a NodePort or load balancer may remap the gRPC port the clients use. */
    endpointPortFromRequest: pulumi.Input<boolean>;
    /** Whether the proxy exports Prometheus metrics (on metricsPort of every address of its pod). */
    prometheusExporter?: pulumi.Input<boolean>;
    /** The gRPC port's certificate and key (cluster/tls.ts); empty without TLS. */
    tls?: pulumi.Input<Record<string, string | boolean>>;
    /** ACL 2.0 keys (cluster/auth.ts), secret: the file then goes in the proxy Secret; undefined while auth is off. */
    auth?: pulumi.Input<Record<string, string | boolean>>;
}

export interface RenderedProxyConfig {
    text: pulumi.Input<string>;
    /** True when a property value is secret: the file then goes in the proxy Secret. */
    secret: boolean;
}

/** rmq-proxy.json: the provider's keys, then the user's properties in key order. */
export function renderProxyConfig(owned: ProxyConfigInputs, properties: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined): RenderedProxyConfig {
    const secret = owned.auth !== undefined || isSecretInput(properties) ||
        (properties !== undefined && !pulumi.Output.isInstance(properties) && Object.values(properties).some(isSecretInput));
    const text = derive([owned, properties] as const, ([known, user]) => JSON.stringify({
        rocketMQClusterName: known.clusterName,
        namesrvAddr: known.namesrvAddr,
        grpcServerPort: ports.proxyGrpc,
        remotingListenPort: ports.proxyRemoting,
        ...(known.endpointPortFromRequest ? { useEndpointPortFromRequest: true } : {}),
        // No metricsPromExporterHost: the proxy then binds 0.0.0.0, which in a pod is the pod's own addresses.
        // PROM as its ordinal: the fastjson2 that RocketMQ 5.3 and 5.4 ship can bind this key to the int
        // setter and fail on "PROM" (a 5.4.0 proxy exits at start); 5.5 reads either form.
        ...(known.prometheusExporter ? { metricsExporterType: 2, metricsPromExporterPort: metricsPort } : {}),
        ...(known.tls ?? {}),
        ...(known.auth ?? {}),
        ...Object.fromEntries(Object.entries(user ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, jsonValueOf(value)])),
    }, null, 2) + "\n");
    return { text: secret ? pulumi.secret(text) : text, secret };
}

/** ProxyConfig's fields are numbers, booleans and strings; a property written as "true" or "5557" is read as such. */
function jsonValueOf(value: string): string | number | boolean {
    if (value === "true" || value === "false") return value === "true";
    if (/^-?\d{1,15}$/.test(value)) return Number(value);
    return value;
}

export interface Proxies {
    deployment: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
}

/** The proxies' image: their own, else the brokers'. */
export function proxyImage(context: ClusterContext): pulumi.Input<string> {
    return (context.args.proxy.image ?? context.args.broker.image) as pulumi.Input<string>;
}

export function createProxies(
    context: ClusterContext,
    namesrvAddr: pulumi.Input<string>,
    /** broker.name and broker.size: the groups the proxies serve. */
    brokerGroups: pulumi.Input<{ prefix: string; size: number }>,
    /** Every broker registered with every name server. */
    registrations: pulumi.Input<pulumi.Resource>,
    /** Whether the proxies export Prometheus metrics. */
    prometheusExporter: pulumi.Input<boolean>,
): Proxies {
    const { args } = context;
    const spec = args.proxy;
    const image = proxyImage(context);
    const labels = objectLabels(context.instanceLabel, "proxy", imageVersionLabel(image), userLabels(context));
    const selector = selectorLabels(context.instanceLabel, "proxy");
    const opts = { parent: context.parent };

    const config = renderProxyConfig({
        clusterName: args.brokerClusterName,
        namesrvAddr,
        endpointPortFromRequest: derive(spec.serviceType, (type) => type !== "ClusterIP"),
        prometheusExporter,
        tls: proxyTlsConfigOf(context),
        auth: authProxySettings(context),
    }, spec.properties as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined);
    const env = secretAwareEnv(spec.env);
    const secretData: Record<string, pulumi.Input<string>> = { ...(config.secret ? { [proxyConfigFile]: config.text } : {}), ...env.secretValues };
    const secret = Object.keys(secretData).length === 0 ? undefined : new k8s.core.v1.Secret(childName(context, proxySecretName), {
        metadata: metadataOf(context, proxySecretName, labels),
        type: "Opaque",
        stringData: secretData,
    }, opts);
    const configMap = config.secret ? undefined : new k8s.core.v1.ConfigMap(childName(context, proxyConfigMapName), {
        metadata: metadataOf(context, proxyConfigMapName, labels),
        data: { [proxyConfigFile]: config.text },
    }, opts);
    const configVolume: k8s.types.input.core.v1.Volume = config.secret
        ? { name: "proxy-config", secret: { secretName: proxySecretName, items: [{ key: proxyConfigFile, path: proxyConfigFile }] } }
        : { name: "proxy-config", configMap: { name: proxyConfigMapName } };

    // The config's checksum and the group list restart the proxies when the name servers or the
    // broker groups change; a secret config is followed by its Secret's version instead.
    const restartAnnotations = derive([config.secret ? undefined : config.text, brokerGroups, secret?.metadata.resourceVersion] as const,
        ([text, groups, secretVersion]): Record<string, string> => ({
            ...(text !== undefined ? { [proxyConfigChecksumAnnotation]: createHash("sha256").update(text).digest("hex") } : {}),
            [proxyBrokerGroupsAnnotation]: Array.from({ length: groups.size }, (_, group) => brokerGroupName(groups.prefix, group)).join(","),
            ...(secretVersion !== undefined ? { [proxySecretVersionAnnotation]: secretVersion } : {}),
        }));

    const service = new k8s.core.v1.Service(childName(context, proxyServiceName), {
        metadata: {
            name: proxyServiceName,
            namespace: args.namespace,
            labels,
            annotations: mergeRecords(userAnnotations(context), spec.serviceAnnotations as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined),
        },
        spec: {
            type: spec.serviceType,
            selector,
            ports: [
                {
                    name: "grpc",
                    port: ports.proxyGrpc,
                    targetPort: ports.proxyGrpc,
                    ...(spec.nodePort !== undefined ? { nodePort: spec.nodePort as pulumi.Input<number> } : {}),
                },
                { name: "remoting", port: ports.proxyRemoting, targetPort: ports.proxyRemoting },
            ],
        },
    }, opts);

    const deployment = new k8s.apps.v1.Deployment(childName(context, proxyDeploymentName), {
        metadata: metadataOf(context, proxyDeploymentName, labels),
        spec: {
            replicas: spec.replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, annotations: mergeRecords(userAnnotations(context), restartAnnotations) },
                spec: {
                    // Proxies prefer different nodes (a node's loss takes one proxy, not all), as a broker group's pods do.
                    ...sharedPodSettings(args, { own: selector, spread: selector }),
                    volumes: concatLists<k8s.types.input.core.v1.Volume>([configVolume, { name: "proxy-logs", emptyDir: {} }], tlsVolumes(context)),
                    containers: [{
                        name: "proxy",
                        image,
                        imagePullPolicy: spec.imagePullPolicy,
                        command: proxyCommand,
                        env: concatLists<EnvVar>(
                            [{ name: "JAVA_OPT_EXT", value: withTlsOptions(context, jvmOptions(spec.jvmMemory, spec.resources, proxyHeapRule)) }],
                            env.containerEnv(proxySecretName) as pulumi.Input<EnvVar[]> | undefined,
                        ),
                        ports: derive(prometheusExporter, (on) => [
                            { name: "grpc", containerPort: ports.proxyGrpc },
                            { name: "remoting", containerPort: ports.proxyRemoting },
                            ...(on ? [{ name: metricsPortName, containerPort: metricsPort }] : []),
                        ]),
                        // No health service: a proxy that listens on its gRPC port has started.
                        readinessProbe: tcpReadinessProbe(ports.proxyGrpc),
                        volumeMounts: concatLists<k8s.types.input.core.v1.VolumeMount>([
                            { name: "proxy-config", mountPath: proxyConfigDir, readOnly: true },
                            { name: "proxy-logs", mountPath: "/home/rocketmq/logs" },
                        ], tlsVolumeMounts(context)),
                        ...(spec.resources ? { resources: spec.resources as k8s.types.input.core.v1.ResourceRequirements } : {}),
                        ...(args.securityContext ? { securityContext: containerSecurityContext(args) } : {}),
                    }],
                },
            },
        },
    }, { ...opts, dependsOn: [registrations, ...(configMap ? [configMap] : []), ...(secret ? [secret] : [])] });
    createDisruptionBudget(context, proxyDeploymentName, selector, labels, spec.podDisruptionBudget as DisruptionBudgetInputs, "proxy.podDisruptionBudget");

    return { deployment, service };
}
