// Builds a RocketMQCluster against Pulumi's mocks and returns every child it registered, so tests
// can assert the Kubernetes objects a spec produces without a cluster.
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { RocketMQCluster } from "../src/cluster";
import { rocketMQClusterHandler } from "../src/resources/rocketMQCluster";
import { ComponentHandler } from "../src/handlers";

export interface RegisteredObject {
    type: string;
    name: string;
    inputs: any;
}

const registered: RegisteredObject[] = [];

const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        // The API server gives every object a resourceVersion; the pods' restart annotation reads the Secret's.
        // And a generated password its result, as the provider's create makes one.
        const state = args.type === "kubernetes:core/v1:Secret"
            ? { ...args.inputs, metadata: { ...args.inputs.metadata, resourceVersion: "1" } }
            : args.type === "rocketmq:index:GeneratedPassword" ? { ...args.inputs, result: `generated-${args.name}` } : args.inputs;
        return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
    },
};

/** Runs the mocks as `pulumi preview` (values may be unknown) or as `pulumi up`. */
export function useMocks(mode: "preview" | "up"): void {
    pulumi.runtime.setMocks(mocks, "rocketmq", "unit", mode === "preview");
}
useMocks("up");


export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}

export interface RenderedCluster {
    /** The Kubernetes objects. */
    objects: RegisteredObject[];
    /** The resources of this provider the cluster creates (BrokerConfigPush, NameServerRegistration, BrokerScaling), by type. */
    provided: Record<string, RegisteredObject>;
    /** Every resource of this provider the cluster creates, in the order registered. */
    providedAll: RegisteredObject[];
    /** Pulumi names of the resources each child depends on (its dependsOn), by the child's Pulumi name. */
    dependsOn: Map<string, string[]>;
    outputs: Record<string, unknown>;
    /** The Kubernetes object of a kind (e.g. "kubernetes:apps/v1:StatefulSet") by its metadata.name. */
    object(type: string, kubernetesName: string): any;
    /** Every object as "<kind> <metadata.name>", sorted. */
    names(): string[];
}

const kinds: Record<string, string> = {
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:core/v1:ConfigMap": "ConfigMap",
    "kubernetes:core/v1:Secret": "Secret",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:policy/v1:PodDisruptionBudget": "PodDisruptionBudget",
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": "ServiceMonitor",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor": "PodMonitor",
    "kubernetes:cert-manager.io/v1:Certificate": "Certificate",
};

export const kind = {
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    deployment: "kubernetes:apps/v1:Deployment",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
} as const;

let clusterCount = 0;

export async function renderCluster(args: unknown, name = `mq${clusterCount++}`): Promise<RenderedCluster> {
    const start = registered.length;
    const dependsOn = new Map<string, string[]>();
    // A component's transformations see each child's options as it registers.
    const recordDependencies: pulumi.ResourceTransformation = ({ name: child, opts }) => {
        const listed = opts.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn];
        dependsOn.set(child, (listed as pulumi.Resource[]).map((resource) => (resource as unknown as { __name: string }).__name));
        return undefined;
    };
    const cluster = new RocketMQCluster(name, args as any, { transformations: [recordDependencies] });
    const outputs: Record<string, unknown> = {};
    for (const [outputName, output] of Object.entries(cluster.outputs())) {
        outputs[outputName] = await outputValue(output);
    }
    // Outputs wait for the StatefulSets; give the remaining registrations a turn of the loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { ...renderedSince(start, outputs), dependsOn };
}

export interface ConstructedCluster extends RenderedCluster {
    /** The component's outputs as construct returns them to the engine. */
    state: Record<string, pulumi.Output<unknown>>;
}

/** Runs the provider's construct, as the engine calls it, with inputs that may hold unknown and secret values. */
export async function constructCluster(inputs: Record<string, unknown>, name = `mq${clusterCount++}`, handler: ComponentHandler = rocketMQClusterHandler): Promise<ConstructedCluster> {
    const start = registered.length;
    const result = await handler.construct(name, inputs, {});
    // Outputs that are unknown in a preview never resolve; wait for the registrations instead.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { ...renderedSince(start, {}), dependsOn: new Map(), state: result.state as Record<string, pulumi.Output<unknown>> };
}

/** metadata.name of an object whose metadata may be wrapped as secret (a secret label makes it so). */
function kubernetesNameOf(object: RegisteredObject): string | undefined {
    const metadata = object.inputs.metadata;
    return (rpc.isRpcSecret(metadata) ? rpc.unwrapRpcSecret(metadata) : metadata)?.name;
}

function renderedSince(start: number, outputs: Record<string, unknown>): Omit<RenderedCluster, "dependsOn"> {
    const children = registered.slice(start).filter((object) => object.type !== "rocketmq:index:RocketMQCluster");
    const objects = children.filter((object) => object.type.startsWith("kubernetes:"));
    const providedAll = children.filter((object) => object.type.startsWith("rocketmq:"));
    const provided = Object.fromEntries(providedAll.map((object) => [object.type, object]));
    const names = () => objects.map((object) => `${kinds[object.type] ?? object.type} ${kubernetesNameOf(object)}`).sort();
    return {
        objects,
        provided,
        providedAll,
        outputs,
        object(type, kubernetesName) {
            const found = objects.find((object) => object.type === type && kubernetesNameOf(object) === kubernetesName);
            if (!found) {
                throw new Error(`no ${type} named ${kubernetesName}; have: ${names().join(", ")}`);
            }
            return found.inputs;
        },
        names,
    };
}

/** What a constructor call threw, and how many resources it registered meanwhile. */
export async function registrationsDuring(action: () => void): Promise<{ error: unknown; count: number }> {
    const start = registered.length;
    let error: unknown;
    try {
        action();
    } catch (caught) {
        error = caught;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { error, count: registered.length - start };
}

export { RocketMQCluster };
