// Token -> implementation dispatch. Everything resource-specific lives in provider/src/resources/.
import * as pulumi from "@pulumi/pulumi";
import { ComponentHandler, CustomResourceHandler } from "./handlers";
import { packageSchemaText } from "./schema";

// Handlers load on first use: the engine starts the plugin for GetSchema and for every
// preview, and @pulumi/kubernetes or the admin client need not load for those that never use them.
const components: Record<string, () => ComponentHandler> = {
    "rocketmq:index:RocketMQCluster": once(() =>
        (require("./resources/rocketMQCluster") as typeof import("./resources/rocketMQCluster")).rocketMQClusterHandler),
};

const customResources: Record<string, () => CustomResourceHandler> = {
    "rocketmq:index:TopicTransfer": once(() =>
        (require("./resources/topicTransfer") as typeof import("./resources/topicTransfer")).topicTransferHandler()),
};

function once<T>(load: () => T): () => T {
    let loaded: { value: T } | undefined;
    return () => (loaded ??= { value: load() }).value;
}

export class RocketMQProvider implements pulumi.provider.Provider {
    constructor(readonly version: string) {}

    async getSchema(): Promise<string> {
        return packageSchemaText();
    }

    async construct(
        name: string,
        type: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<pulumi.provider.ConstructResult> {
        const handler = components[type]?.();
        if (!handler) {
            throw new Error(`unknown component type ${type}; this provider constructs ${Object.keys(components).join(", ")}`);
        }
        return handler.construct(name, inputs, options);
    }

    async check(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.CheckResult> {
        return customResource(urn).check(olds, news);
    }

    async diff(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.DiffResult> {
        return customResource(urn).diff(id, olds, news);
    }

    async create(urn: string, inputs: Record<string, unknown>): Promise<pulumi.provider.CreateResult> {
        return customResource(urn).create(urn, inputs);
    }

    async read(id: string, urn: string, props?: Record<string, unknown>): Promise<pulumi.provider.ReadResult> {
        return customResource(urn).read(id, props ?? {});
    }

    async update(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.UpdateResult> {
        return customResource(urn).update(id, olds, news);
    }

    async delete(id: string, urn: string, props: Record<string, unknown>): Promise<void> {
        return customResource(urn).delete(id, props);
    }
}

/** A URN ends in `...::<type>::<name>`; the type's last `$`-separated part is the resource token. */
export function resourceTokenOf(urn: string): string {
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    const typeParts = qualifiedType.split("$");
    return typeParts[typeParts.length - 1] ?? "";
}

function customResource(urn: string): CustomResourceHandler {
    const token = resourceTokenOf(urn);
    const handler = customResources[token]?.();
    if (!handler) {
        throw new Error(`unknown resource type ${token}; this provider manages ${Object.keys(customResources).join(", ") || "no custom resources yet"}`);
    }
    return handler;
}
