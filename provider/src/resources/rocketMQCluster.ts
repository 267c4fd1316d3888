// rocketmq:index:RocketMQCluster as the engine sees it: validate every input before any child
// is registered, then build the component.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQCluster } from "../cluster";
import { ComponentHandler } from "../handlers";
import { validateClusterArgs } from "../inputs/cluster";
import { resolveInputs } from "../inputs/resolve";

export const rocketMQClusterHandler: ComponentHandler = {
    async construct(name, inputs, options) {
        const resolved = await resolveInputs(inputs);
        const validation = validateClusterArgs(resolved.value);
        if (!validation.ok) {
            throw new pulumi.InputPropertiesError({
                message: `RocketMQCluster "${name}" has invalid inputs; nothing was created`,
                errors: validation.failures.map((failure) => ({ propertyPath: failure.property, reason: failure.reason })),
            });
        }
        const cluster = new RocketMQCluster(name, validation.value, {
            ...options,
            dependsOn: mergeDependencies(options.dependsOn, resolved.dependencies),
        });
        return { urn: cluster.urn, state: cluster.outputs() };
    },
};

function mergeDependencies(
    declared: pulumi.ComponentResourceOptions["dependsOn"],
    fromInputs: pulumi.Resource[],
): pulumi.Input<pulumi.Input<pulumi.Resource>[]> | undefined {
    if (fromInputs.length === 0) {
        return declared;
    }
    return pulumi.output(declared ?? []).apply((resources) => [
        ...(Array.isArray(resources) ? resources : [resources]),
        ...fromInputs,
    ]);
}
