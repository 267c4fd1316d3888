// The cluster's BrokerScaling: one resource whose input lists every broker group, created once every
// broker is registered with every name server (Pulumi's graph orders it, no waiting by time). Its update copies
// the scale source's metadata to groups that join and drains groups that leave before the engine
// deletes their objects; destroy passes it without waiting (resources/brokerScaling.ts says why).
import * as pulumi from "@pulumi/pulumi";
import { brokerScalingToken } from "../inputs/brokerScaling";
import { BrokerGroup, BrokerGroupShape } from "./brokers";
import { ClusterContext, childName } from "./context";
import { derive } from "./derive";
import { adminCredentials } from "./auth";
import { scaleSourceBrokerName } from "./names";
import { operationTlsOf } from "./tls";

export class BrokerScaling extends pulumi.CustomResource {
    constructor(name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(brokerScalingToken, name, args, opts);
    }
}

export function createBrokerScaling(context: ClusterContext, shape: BrokerGroupShape, groups: BrokerGroup[],
    namesrvAddr: pulumi.Input<string>, dependsOn: pulumi.Resource[]): BrokerScaling {
    const { args } = context;
    const kubeconfig = args.kubeconfig as pulumi.Input<string> | undefined;
    return new BrokerScaling(childName(context, `${shape.prefix}-scaling`), {
        clusterName: args.brokerClusterName,
        brokerNames: groups.map((group) => group.brokerName),
        sourceBrokerName: derive(args.broker.scalePodName, (pod) => scaleSourceBrokerName(shape.prefix, pod)),
        nameServerAddresses: namesrvAddr,
        kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig),
        connection: args.connection,
        credentials: adminCredentials(context),
        tls: operationTlsOf(context),
        drainTimeoutSeconds: args.broker.drainTimeoutSeconds,
        allowDroppingUnreadMessages: args.broker.allowDroppingUnreadMessages,
    }, {
        parent: context.parent,
        dependsOn,
    });
}
