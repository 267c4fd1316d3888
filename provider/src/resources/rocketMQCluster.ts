// rocketmq:index:RocketMQCluster as the engine sees it: plain inputs in, the component's outputs back.
// The component validates every input before registering any child, so a bad input creates nothing.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQCluster, RocketMQClusterArgs } from "../cluster";
import { ComponentHandler } from "../handlers";
import { resolveInputs } from "../inputs/resolve";

export const rocketMQClusterHandler: ComponentHandler = {
    async construct(name, inputs, options) {
        const resolved = await resolveInputs(inputs);
        const cluster = new RocketMQCluster(name, resolved.value as RocketMQClusterArgs, {
            ...options,
            dependsOn: mergeDependencies(options.dependsOn, resolved.dependencies),
        });
        return { urn: cluster.urn, state: cluster.outputs() };
    },
};

/** Inputs that came from other resources keep their ordering once reduced to plain values. */
function mergeDependencies(
    declared: pulumi.ComponentResourceOptions["dependsOn"],
    fromInputs: pulumi.Resource[],
): pulumi.ComponentResourceOptions["dependsOn"] {
    if (fromInputs.length === 0) {
        return declared;
    }
    return pulumi.output(declared ?? []).apply((resources) => [
        ...(Array.isArray(resources) ? resources : [resources]),
        ...fromInputs,
    ]);
}
