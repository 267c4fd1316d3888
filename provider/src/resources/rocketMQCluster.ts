// rocketmq:index:RocketMQCluster as the engine sees it: inputs in, the component's outputs back.
// Every known input is validated before any child is registered, so a bad input creates nothing;
// unknown and secret inputs reach the children as unknown and secret Outputs.
import * as pulumi from "@pulumi/pulumi";
import { CheckedClusterInputs, inputPropertiesError, RocketMQCluster } from "../cluster";
import { validateClusterInputs } from "../inputs/clusterInputs";
import { ComponentHandler } from "../handlers";
import { resolveInputs } from "../inputs/resolve";

export const rocketMQClusterHandler: ComponentHandler = {
    async construct(name, inputs, options) {
        const resolved = await resolveInputs(inputs);
        const validation = validateClusterInputs(resolved);
        if (!validation.ok) {
            throw inputPropertiesError(name, validation.failures);
        }
        const cluster = new RocketMQCluster(name, new CheckedClusterInputs(validation.value), {
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
