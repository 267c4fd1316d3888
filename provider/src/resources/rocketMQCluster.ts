// rocketmq:index:RocketMQCluster as the engine sees it: inputs in, the component's outputs back.
// Every known input is validated before any child is registered, so a bad input creates nothing;
// unknown and secret inputs reach the children as unknown and secret Outputs. A ServiceMonitor or
// PodMonitor asked for needs the Prometheus Operator's CRD in the cluster: checked here, at preview.
import * as pulumi from "@pulumi/pulumi";
import { CheckedClusterInputs, inputPropertiesError, RocketMQCluster } from "../cluster";
import { validateClusterInputs } from "../inputs/clusterInputs";
import { ComponentHandler } from "../handlers";
import { InputFailure } from "../inputs/cluster";
import { resolveInputs, ResolvedInputs } from "../inputs/resolve";
import { monitoringGroup, monitoringVersion, MonitoringKindsReader, readMonitoringKinds } from "../ops/monitoringApi";

export function rocketMQClusterHandlerWith(readKinds: MonitoringKindsReader): ComponentHandler {
    return {
        async construct(name, inputs, options) {
            const resolved = await resolveInputs(inputs);
            const validation = validateClusterInputs(resolved);
            if (!validation.ok) {
                throw inputPropertiesError(name, validation.failures);
            }
            const missing = await missingMonitorKinds(resolved, readKinds);
            if (missing.length > 0) {
                throw inputPropertiesError(name, missing);
            }
            const cluster = new RocketMQCluster(name, new CheckedClusterInputs(validation.value), {
                ...options,
                dependsOn: mergeDependencies(options.dependsOn, resolved.dependencies),
            });
            return { urn: cluster.urn, state: cluster.outputs() };
        },
    };
}

export const rocketMQClusterHandler: ComponentHandler = rocketMQClusterHandlerWith(readMonitoringKinds);

/** A monitor asked for whose kind the cluster does not serve; nothing to check while the inputs deciding it are unknown. */
async function missingMonitorKinds(resolved: ResolvedInputs, readKinds: MonitoringKindsReader): Promise<InputFailure[]> {
    // An unknown value at a path, or at one enclosing it.
    const isUnknown = (path: string[]) => resolved.unknowns.some((unknown) =>
        unknown.path.length <= path.length && unknown.path.every((segment, index) => segment === path[index]));
    const metrics = (resolved.value as { metrics?: { serviceMonitor?: boolean; podMonitor?: boolean } }).metrics ?? {};
    const wanted = ([["serviceMonitor", "ServiceMonitor"], ["podMonitor", "PodMonitor"]] as const)
        .filter(([field]) => metrics[field] === true && !isUnknown(["metrics", field]));
    if (wanted.length === 0 || isUnknown(["kubeconfig"])) {
        return [];
    }
    const kubeconfig = (resolved.value as { kubeconfig?: string }).kubeconfig;
    let served: Awaited<ReturnType<MonitoringKindsReader>>;
    try {
        served = await readKinds(kubeconfig);
    } catch (error) {
        return wanted.map(([field, kind]) => ({ property: `metrics.${field}`, reason: `cannot check that the cluster serves ${kind} (${monitoringGroup}/${monitoringVersion}): ${(error as Error).message}` }));
    }
    return wanted.filter(([, kind]) => !served.kinds.has(kind)).map(([field, kind]) => ({
        property: `metrics.${field}`,
        reason: `the cluster at ${served.server} has no ${kind} (${monitoringGroup}/${monitoringVersion}): the Prometheus Operator's CRD `
            + `${kind.toLowerCase()}s.${monitoringGroup} must be installed first; install the Prometheus Operator or its CRDs, or set metrics.${field} false`,
    }));
}

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
