// Builds a RocketMQCluster against Pulumi's mocks and returns every child it registered, so tests
// can assert the Kubernetes objects a spec produces without a cluster.
import * as pulumi from "@pulumi/pulumi";
import { RocketMQCluster } from "../src/cluster";

export interface RegisteredObject {
    type: string;
    name: string;
    inputs: any;
}

const registered: RegisteredObject[] = [];

pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
    },
}, "rocketmq", "unit", false);


export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}

export interface RenderedCluster {
    objects: RegisteredObject[];
    outputs: Record<string, unknown>;
    /** The Kubernetes object of a kind (e.g. "kubernetes:apps/v1:StatefulSet") by its metadata.name. */
    object(type: string, kubernetesName: string): any;
    /** Every object as "<kind> <metadata.name>", sorted. */
    names(): string[];
}

const kinds: Record<string, string> = {
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:core/v1:ConfigMap": "ConfigMap",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:Deployment": "Deployment",
};

export const kind = {
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    deployment: "kubernetes:apps/v1:Deployment",
} as const;

let clusterCount = 0;

export async function renderCluster(args: unknown, name = `mq${clusterCount++}`): Promise<RenderedCluster> {
    const start = registered.length;
    const cluster = new RocketMQCluster(name, args as any);
    const outputs: Record<string, unknown> = {};
    for (const [outputName, output] of Object.entries(cluster.outputs())) {
        outputs[outputName] = await outputValue(output);
    }
    // Outputs wait for the StatefulSets; give the remaining registrations a turn of the loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const objects = registered.slice(start).filter((object) => object.type !== "rocketmq:index:RocketMQCluster");
    const names = () => objects.map((object) => `${kinds[object.type] ?? object.type} ${object.inputs.metadata?.name}`).sort();
    return {
        objects,
        outputs,
        object(type, kubernetesName) {
            const found = objects.find((object) => object.type === type && object.inputs.metadata?.name === kubernetesName);
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
