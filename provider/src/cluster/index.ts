// rocketmq:index:RocketMQCluster: name servers, broker groups, the console and the proxies of one RocketMQ
// cluster, as ordinary Kubernetes objects. Usable as a TypeScript library and through construct.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQClusterArgs, validateClusterArgs } from "../inputs/cluster";
import { ClusterInputs } from "../inputs/clusterInputs";
import { clusterInputWarnings } from "../inputs/clusterWarnings";
import { BrokerGroup, BrokerGroupShape, createBrokerGroup, groupPodNames, RollingOrder } from "./brokers";
import { createBrokerConfigPush, createNameServerRegistration, createRolloutWait, GroupMasterState } from "./brokerRuntime";
import { createConsole } from "./console";
import { ClusterContext } from "./context";
import type * as k8s from "./k8s";
import { containsOutputs, derive } from "./derive";
import { instanceLabelValue } from "./labels";
import { createNameServers } from "./nameservers";
import { createBrokerScaling } from "./scaling";
import { adminCredentials } from "./auth";
import { brokerGroupServiceName, consoleServiceName, consoleUrl, nameServerAddresses, nameServerStatefulSetName, podDnsName, proxyEndpoint, proxyServiceName } from "./names";
import {
    brokerMetricsServiceName, controllerMetricsServiceName, createMetricsService, createMonitor, MetricsComponent, MetricsEndpoint, metricsPortName, MonitorKind, proxyMetricsServiceName,
} from "./metrics";
import {
    brokerImageHasMetrics, controllerImageHasMetrics, firstControllerVersionWithMetrics, firstVersionWithMetrics, metricsPath, metricsPort, proxiesExportMetrics,
} from "../inputs/metrics";
import { createProxies, proxyImage } from "./proxy";
import { controllerImage, createStandaloneControllers } from "./controller";
import { controllerServiceName, controllerStatefulSetName } from "./names";
import { BrokerGroupInfo, ClusterOutputName, clusterOutputNames } from "./outputs";
import { ClientTls } from "../connect/tls";
import { ResolvedClusterTls } from "../inputs/tls";
import { clientTlsOf, createCertificate } from "./tls";

export { BrokerGroupInfo, clusterOutputNames, ClusterOutputName } from "./outputs";
export { MetricsEndpoint } from "./metrics";
export * as names from "./names";
export { RocketMQClusterArgs } from "../inputs/cluster";

export const rocketMQClusterToken = "rocketmq:index:RocketMQCluster";

/** Throws an InputPropertiesError naming every bad input. */
export function inputPropertiesError(name: string, failures: { property: string; reason: string }[]): pulumi.InputPropertiesError {
    return new pulumi.InputPropertiesError({
        message: `RocketMQCluster "${name}" has invalid inputs; nothing was created:\n` +
            failures.map((failure) => `  ${failure.property}: ${failure.reason}`).join("\n"),
        errors: failures.map((failure) => ({ propertyPath: failure.property, reason: failure.reason })),
    });
}

/** Validates plain args, throwing an InputPropertiesError naming every bad input. */
export function resolveClusterArgs(name: string, args: RocketMQClusterArgs): ClusterInputs {
    const validation = validateClusterArgs(args);
    if (!validation.ok) {
        throw inputPropertiesError(name, validation.failures);
    }
    return validation.value as ClusterInputs;
}

/** Inputs that construct already validated, unknown and secret values kept as Outputs. */
export class CheckedClusterInputs {
    constructor(readonly inputs: ClusterInputs) {}
}

export class RocketMQCluster extends pulumi.ComponentResource {
    /** Namespace of every object of the cluster. */
    public readonly namespace: pulumi.Output<string>;
    public readonly brokerClusterName: pulumi.Output<string>;
    /** `host:port;host:port`, the form RocketMQ clients' namesrvAddr takes. */
    public readonly nameServerAddresses: pulumi.Output<string>;
    public readonly nameServerAddressList: pulumi.Output<string[]>;
    public readonly brokerGroups: pulumi.Output<BrokerGroupInfo[]>;
    public readonly consoleServiceName: pulumi.Output<string | undefined>;
    public readonly consoleUrl: pulumi.Output<string | undefined>;
    /** Where Prometheus scrapes each kind of process; empty with metrics off. */
    public readonly metricsEndpoints: pulumi.Output<MetricsEndpoint[]>;
    /** Name of the proxy Service; absent without proxies. */
    public readonly proxyServiceName: pulumi.Output<string | undefined>;
    /** `host:port` of the proxy Service's gRPC port: the endpoint a RocketMQ 5 gRPC client is given. */
    public readonly proxyEndpoint: pulumi.Output<string | undefined>;
    /** The super user's keys (secret) while auth is on: the `credentials` of Topic, ConsumerGroup and the other resources. */
    public readonly adminCredentials: pulumi.Output<{ accessKey: string; secretKey: string } | undefined>;
    /** What a Topic, ConsumerGroup, TopicTransfer or BrokerScaling gives as its `tls` input: absent without TLS or without tls.caBundle. */
    public readonly clientTls: pulumi.Output<ClientTls | undefined>;

    constructor(name: string, args: RocketMQClusterArgs | CheckedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything: a bad input creates nothing.
        const inputs = args instanceof CheckedClusterInputs ? args.inputs : resolveClusterArgs(name, args);
        super(rocketMQClusterToken, name, {}, opts);
        for (const warning of clusterInputWarnings(inputs)) {
            pulumi.log.warn(`${warning.property}: ${warning.message}`, this);
        }

        const context: ClusterContext = { name, instanceLabel: instanceLabelValue(name), args: inputs, parent: this };
        const { namespace, broker } = inputs;
        // An explicit list replaces the cluster's own name servers for brokers and console, as in the operator.
        const addresses: pulumi.Input<string[]> = derive([broker.nameServers, namespace, inputs.nameServer.size] as const, ([explicit, known, size]) =>
            explicit ? explicit.split(";") : nameServerAddresses(known, size));
        const namesrvAddr = derive(addresses, (list) => list.join(";"));

        // A Certificate from tls.issuerRef names every pod and Service, so it follows the broker groups and the proxy.
        this.whenKnown(
            { tls: inputs.tls, namespace, prefix: broker.name, size: broker.size, proxy: inputs.proxy.enabled },
            ["tls", "namespace", "broker.name", "broker.size", "proxy.enabled"], "TLS certificate",
            (known) => {
                const tls = known.tls as ResolvedClusterTls | undefined;
                if (tls?.issuerRef === undefined || tls.mode === "disabled") return undefined;
                return createCertificate(context, { tls, namespace: known.namespace as string, brokerPrefix: known.prefix as string, brokerGroups: known.size as number, proxy: known.proxy as boolean });
            });

        // Running brokers learn a new name server list (and run-time settings) before the name
        // server StatefulSet changes, so name servers being removed go only after they have it.
        const brokerSettingsPush = createBrokerConfigPush(context, namesrvAddr);
        const nameServers = createNameServers(context, [brokerSettingsPush]);
        // Brokers and the console start or roll only once every name server runs the new spec and is Ready.
        const nameServersReady = createRolloutWait(context, nameServerStatefulSetName, nameServers.statefulSet);
        // Standalone controllers run and are Ready before any broker starts: a controller-mode broker registers with them at start.
        const controllers = this.whenKnown({ mode: inputs.controller.mode, size: inputs.controller.size }, ["controller.mode", "controller.size"], "controllers",
            ({ mode, size }) => (mode === "standalone"
                ? [createRolloutWait(context, controllerStatefulSetName, createStandaloneControllers(context, size).statefulSet)]
                : []));
        const controllersReady: pulumi.Resource[] = Array.isArray(controllers) ? controllers : [];
        // Resolves once the standalone controllers (if any) are rolled out and Ready.
        const controllersRolledOut = pulumi.output(controllers as pulumi.Input<pulumi.CustomResource[]>)
            .apply((waits) => pulumi.all(waits.map((wait) => wait.id)));
        const brokerGroups = this.whenKnown(
            { prefix: broker.name, size: broker.size, replicaPerGroup: broker.replicaPerGroup },
            ["broker.name", "broker.size", "broker.replicaPerGroup"], "broker groups",
            (shape) => {
                // allowRestart false restarts nothing, so the groups may start side by side.
                const rolling = broker.allowRestart === false ? undefined : new RollingOrder(context);
                const groups = Array.from({ length: shape.size }, (_, group) =>
                    createBrokerGroup(context, shape as BrokerGroupShape, group, namesrvAddr, [nameServersReady, ...controllersReady], rolling));
                const registrations = createNameServerRegistration(context, namesrvAddr,
                    Object.fromEntries(groups.map((group) => [group.brokerName, group.replicas.length + 1])),
                    [nameServersReady, ...groups.flatMap((group) => [group.master, ...group.replicas]), ...(rolling?.waits ?? [])]);
                // Metadata is copied once every broker is registered with every name server.
                const scaling = createBrokerScaling(context, shape as BrokerGroupShape, groups, namesrvAddr, [registrations]);
                // Groups are reported once every one is registered and holds the scale source's metadata.
                // The master pod is the one the name servers list as master now (after a failover, a former replica).
                return { infos: pulumi.all([scaling.id, registrations.groups, pulumi.all(groups.map(groupInfo))]).apply(([, masters, infos]) => withCurrentMasters(infos, masters)), registrations };
            });
        type BrokersDone = { infos: pulumi.Output<BrokerGroupInfo[]>; registrations: pulumi.Resource };
        const deferredBrokers = pulumi.Output.isInstance(brokerGroups) ? (brokerGroups as unknown as pulumi.Output<BrokersDone>) : undefined;
        const groupInfos = deferredBrokers ? deferredBrokers.apply((done) => done.infos) : (brokerGroups as BrokersDone).infos;
        const registrations: pulumi.Input<pulumi.Resource> = deferredBrokers ? deferredBrokers.apply((done) => done.registrations) : (brokerGroups as BrokersDone).registrations;
        // A proxy starts only once the brokers are registered: it creates its topic on the cluster at start.
        const proxyReady = this.whenKnown({ enabled: inputs.proxy.enabled }, ["proxy.enabled"], "proxy objects",
            ({ enabled }) => {
                if (!enabled) return pulumi.output(false);
                const prometheusExporter = derive([inputs.metrics.enabled, proxyImage(context)] as const, ([metricsOn, image]) => proxiesExportMetrics(metricsOn, true, image));
                const proxies = createProxies(context, namesrvAddr, { prefix: broker.name, size: broker.size } as pulumi.Input<{ prefix: string; size: number }>, registrations, prometheusExporter);
                // True once the proxies are rolled out and Ready and their Service exists.
                return pulumi.all([proxies.deployment.metadata, proxies.service.metadata]).apply(() => true);
            });
        const metricsEndpoints = this.whenKnown(
            { enabled: inputs.metrics.enabled, serviceMonitor: inputs.metrics.serviceMonitor, podMonitor: inputs.metrics.podMonitor,
                image: broker.image, prefix: broker.name, size: broker.size, replicaPerGroup: broker.replicaPerGroup,
                proxyEnabled: inputs.proxy.enabled, proxyImage: proxyImage(context),
                controllerMode: inputs.controller.mode, controllerSize: inputs.controller.size, controllerImage: controllerImage(context) },
            ["metrics.enabled", "metrics.serviceMonitor", "metrics.podMonitor", "broker.image", "broker.name", "broker.size", "broker.replicaPerGroup", "proxy.enabled", "proxy.image",
                "controller.mode", "controller.size", "controller.image"],
            "metrics objects",
            (known) => this.metrics(context, known, groupInfos as pulumi.Input<BrokerGroupInfo[]>, pulumi.output(proxyReady as pulumi.Input<boolean>), controllersRolledOut));
        // True once the console's Service exists, false without a console.
        const consoleReady = this.whenKnown({ enabled: inputs.console.enabled }, ["console.enabled"], "console objects",
            ({ enabled }) => (enabled ? createConsole(context, addresses, [nameServersReady]).service.metadata.apply(() => true) : pulumi.output(false)));

        // Outputs wait for the objects they describe, so a consumer of an address waits for readiness.
        this.namespace = pulumi.output(namespace as pulumi.Input<string>);
        this.brokerClusterName = pulumi.output(inputs.brokerClusterName as pulumi.Input<string>);
        this.nameServerAddressList = nameServersReady.id.apply(() => addresses) as pulumi.Output<string[]>;
        this.nameServerAddresses = this.nameServerAddressList.apply((list) => list.join(";"));
        this.brokerGroups = groupInfos as pulumi.Output<BrokerGroupInfo[]>;
        const consoleExists = pulumi.output(consoleReady as pulumi.Input<boolean>);
        this.consoleServiceName = consoleExists.apply((ready) => (ready ? consoleServiceName : undefined));
        this.consoleUrl = pulumi.all([consoleExists, this.namespace]).apply(([ready, known]) => (ready ? consoleUrl(known) : undefined));
        this.metricsEndpoints = pulumi.output(metricsEndpoints as pulumi.Input<MetricsEndpoint[]>);
        const proxyExists = pulumi.output(proxyReady as pulumi.Input<boolean>);
        this.proxyServiceName = proxyExists.apply((ready) => (ready ? proxyServiceName : undefined));
        this.proxyEndpoint = pulumi.all([proxyExists, this.namespace]).apply(([ready, known]) => (ready ? proxyEndpoint(known) : undefined));

        this.adminCredentials = adminCredentials(context);
        this.clientTls = pulumi.output(clientTlsOf(context));

        this.registerOutputs(this.outputs());
    }

    /**
     * Objects whose number or names come from inputs: created now when those are known, else at
     * `pulumi up`, and the preview says so instead of showing a plan `up` would not run.
     */
    private whenKnown<T extends object, R>(
        fields: T,
        fieldNames: string[],
        what: string,
        create: (known: pulumi.Unwrap<T>) => R,
    ): R | pulumi.Output<R> {
        if (!containsOutputs(fields)) {
            return create(fields as pulumi.Unwrap<T>);
        }
        pulumi.log.warn(`${fieldNames.join(", ")}: not all known until pulumi up; the ${what} are planned then and not shown in this preview`, this);
        return pulumi.output(fields).apply(create) as pulumi.Output<R>;
    }

    /** The metrics objects of brokers, proxies and standalone controllers, and where to scrape them once the pods they describe are up. */
    private metrics(
        context: ClusterContext,
        known: {
            enabled: boolean; serviceMonitor: boolean; podMonitor: boolean; image: string; prefix: string; size: number; replicaPerGroup: number; proxyEnabled: boolean; proxyImage: string;
            controllerMode: string; controllerSize: number; controllerImage: string;
        },
        groupsReported: pulumi.Input<BrokerGroupInfo[]>,
        proxiesReady: pulumi.Output<boolean>,
        controllersReady: pulumi.Output<unknown>,
    ): pulumi.Output<MetricsEndpoint[]> {
        if (!known.enabled) {
            return pulumi.output([]);
        }
        const brokersExport = brokerImageHasMetrics(known.image);
        if (!brokersExport) {
            pulumi.log.warn(`broker.image ${known.image}: RocketMQ brokers export Prometheus metrics from ${firstVersionWithMetrics.join(".")} on; `
                + "metrics stay off for these brokers (no exporter, port or metrics Service)", this);
        }
        const proxiesExport = proxiesExportMetrics(known.enabled, known.proxyEnabled, known.proxyImage);
        if (known.proxyEnabled && !proxiesExport) {
            pulumi.log.warn(`proxy image ${known.proxyImage}: RocketMQ proxies export Prometheus metrics from ${firstVersionWithMetrics.join(".")} on; `
                + "metrics stay off for the proxies (no exporter, port or metrics Service)", this);
        }
        const standalone = known.controllerMode === "standalone";
        const controllersExport = standalone && controllerImageHasMetrics(known.controllerImage);
        if (standalone && !controllersExport) {
            pulumi.log.warn(`controller image ${known.controllerImage}: RocketMQ controllers export Prometheus metrics from ${firstControllerVersionWithMetrics.join(".")} on; `
                + "metrics stay off for the controllers (no exporter, port or metrics Service)", this);
        }
        const components: MetricsComponent[] = [
            ...(brokersExport ? ["broker" as const] : []), ...(proxiesExport ? ["proxy" as const] : []), ...(controllersExport ? ["controller" as const] : []),
        ];
        if (components.length === 0) {
            return pulumi.output([]);
        }
        const monitorKind: MonitorKind | undefined = known.serviceMonitor ? "ServiceMonitor" : known.podMonitor ? "PodMonitor" : undefined;
        const monitorName = brokerMetricsServiceName(known.prefix);
        const monitor = monitorKind ? { monitorKind, monitorName } : {};
        const namespace = context.args.namespace as pulumi.Input<string>;
        const services: k8s.core.v1.Service[] = [];
        const endpoints: pulumi.Output<MetricsEndpoint>[] = [];
        if (brokersExport) {
            const service = createMetricsService(context, "broker", brokerMetricsServiceName(known.prefix), known.image);
            services.push(service);
            endpoints.push(pulumi.all([service.metadata, groupsReported, namespace]).apply(([, , ns]): MetricsEndpoint => ({
                component: "broker",
                serviceName: brokerMetricsServiceName(known.prefix),
                portName: metricsPortName,
                port: metricsPort,
                path: metricsPath,
                targets: Array.from({ length: known.size }, (_, group) => {
                    const pods = groupPodNames(known.prefix, group, known.replicaPerGroup);
                    return [pods.masterPodName, ...pods.replicaPodNames].map((pod) => `${podDnsName(ns, brokerGroupServiceName(known.prefix, group), pod)}:${metricsPort}`);
                }).flat(),
                ...monitor,
            })));
        }
        if (proxiesExport) {
            const service = createMetricsService(context, "proxy", proxyMetricsServiceName, known.proxyImage);
            services.push(service);
            // Proxies are a Deployment with no stable pod names: the headless Service's name resolves to every proxy pod.
            endpoints.push(pulumi.all([service.metadata, proxiesReady, namespace]).apply(([, , ns]): MetricsEndpoint => ({
                component: "proxy",
                serviceName: proxyMetricsServiceName,
                portName: metricsPortName,
                port: metricsPort,
                path: metricsPath,
                targets: [`${proxyMetricsServiceName}.${ns}.svc.cluster.local:${metricsPort}`],
                ...monitor,
            })));
        }
        if (controllersExport) {
            const service = createMetricsService(context, "controller", controllerMetricsServiceName, known.controllerImage);
            services.push(service);
            // Each controller by its stable name under the `controller` Service, as the brokers reach them.
            endpoints.push(pulumi.all([service.metadata, controllersReady, namespace]).apply(([, , ns]): MetricsEndpoint => ({
                component: "controller",
                serviceName: controllerMetricsServiceName,
                portName: metricsPortName,
                port: metricsPort,
                path: metricsPath,
                targets: Array.from({ length: known.controllerSize }, (_, index) =>
                    `${podDnsName(ns, controllerServiceName, `${controllerStatefulSetName}-${index}`)}:${metricsPort}`),
                ...monitor,
            })));
        }
        if (monitorKind) {
            createMonitor(context, monitorName, monitorKind, components, services);
        }
        return pulumi.all(endpoints);
    }

    /** The outputs by name: what construct returns as the component's state. */
    public outputs(): Record<ClusterOutputName, pulumi.Output<unknown>> {
        return Object.fromEntries(clusterOutputNames.map((outputName) => [outputName, this[outputName]])) as Record<ClusterOutputName, pulumi.Output<unknown>>;
    }
}

/** The groups with the master the registration wait found: with a controller, whichever pod was elected. */
function withCurrentMasters(infos: BrokerGroupInfo[], masters: GroupMasterState[] | undefined): BrokerGroupInfo[] {
    return infos.map((info) => {
        const current = masters?.find((master) => master.brokerName === info.brokerName);
        if (!current?.masterPodName) return info;
        const pods = [info.masterPodName, ...info.replicaPodNames];
        return {
            ...info,
            masterPodName: current.masterPodName,
            replicaPodNames: pods.filter((pod) => pod !== current.masterPodName),
            ...(current.inSyncReplicaPodNames ? { inSyncReplicaPodNames: current.inSyncReplicaPodNames } : {}),
        };
    });
}

/** What the brokerGroups output says of a group, once its brokers are registered. */
function groupInfo(group: BrokerGroup): pulumi.Output<BrokerGroupInfo> {
    return pulumi.all([group.master.metadata, ...group.replicas.map((replica) => replica.metadata)]).apply((): BrokerGroupInfo => ({
        index: group.index,
        brokerName: group.brokerName,
        ...groupPodNames(group.prefix, group.index, group.replicas.length),
    }));
}
