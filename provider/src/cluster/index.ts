// rocketmq:index:RocketMQCluster: name servers, broker groups and the console of one RocketMQ
// cluster, as ordinary Kubernetes objects. Usable as a TypeScript library and through construct.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQClusterArgs, ResolvedClusterArgs, validateClusterArgs } from "../inputs/cluster";
import { createBrokerGroup, groupPodNames } from "./brokers";
import { createConsole } from "./console";
import { ClusterContext } from "./context";
import { instanceLabelValue } from "./labels";
import { createNameServers } from "./nameservers";
import { consoleServiceName, consoleUrl, nameServerAddresses } from "./names";
import { BrokerGroupInfo, ClusterOutputName, clusterOutputNames } from "./outputs";

export { BrokerGroupInfo, clusterOutputNames, ClusterOutputName } from "./outputs";
export * as names from "./names";
export { RocketMQClusterArgs } from "../inputs/cluster";

export const rocketMQClusterToken = "rocketmq:index:RocketMQCluster";

/** Validates the args, throwing an InputPropertiesError naming every bad input. */
export function resolveClusterArgs(name: string, args: RocketMQClusterArgs): ResolvedClusterArgs {
    const validation = validateClusterArgs(args);
    if (!validation.ok) {
        throw new pulumi.InputPropertiesError({
            message: `RocketMQCluster "${name}" has invalid inputs; nothing was created:\n` +
                validation.failures.map((failure) => `  ${failure.property}: ${failure.reason}`).join("\n"),
            errors: validation.failures.map((failure) => ({ propertyPath: failure.property, reason: failure.reason })),
        });
    }
    return validation.value;
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

    constructor(name: string, args: RocketMQClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything: a bad input creates nothing.
        const resolved = resolveClusterArgs(name, args);
        super(rocketMQClusterToken, name, {}, opts);

        const context: ClusterContext = { name, instanceLabel: instanceLabelValue(name), args: resolved, parent: this };
        const { namespace, broker } = resolved;
        const ownAddresses = nameServerAddresses(namespace, resolved.nameServer.size);
        // An explicit list replaces the cluster's own name servers for brokers and console, as in the operator.
        const addresses = broker.nameServers ? broker.nameServers.split(";") : ownAddresses;

        const nameServers = createNameServers(context);
        const groups = Array.from({ length: broker.size }, (_, group) =>
            createBrokerGroup(context, group, addresses.join(";"), [nameServers.statefulSet]));
        const dashboard = resolved.console.enabled ? createConsole(context, addresses, [nameServers.statefulSet]) : undefined;

        // Outputs wait for the objects they describe, so a consumer of an address waits for readiness.
        this.namespace = pulumi.output(namespace);
        this.brokerClusterName = pulumi.output(resolved.brokerClusterName);
        this.nameServerAddressList = nameServers.statefulSet.metadata.apply(() => addresses);
        this.nameServerAddresses = this.nameServerAddressList.apply((list) => list.join(";"));
        this.brokerGroups = pulumi.all(groups.map((group) =>
            pulumi.all([group.master.metadata, ...group.replicas.map((replica) => replica.metadata)]).apply((): BrokerGroupInfo => ({
                index: group.index,
                brokerName: group.brokerName,
                ...groupPodNames(broker.name, group.index, broker.replicaPerGroup),
            }))));
        this.consoleServiceName = dashboard ? dashboard.service.metadata.apply(() => consoleServiceName) : pulumi.output(undefined);
        this.consoleUrl = dashboard ? dashboard.service.metadata.apply(() => consoleUrl(namespace)) : pulumi.output(undefined);

        this.registerOutputs(this.outputs());
    }

    /** The outputs by name: what construct returns as the component's state. */
    public outputs(): Record<ClusterOutputName, pulumi.Output<unknown>> {
        return Object.fromEntries(clusterOutputNames.map((outputName) => [outputName, this[outputName]])) as Record<ClusterOutputName, pulumi.Output<unknown>>;
    }
}
