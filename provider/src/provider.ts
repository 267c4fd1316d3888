// Token -> implementation dispatch. Everything resource-specific lives in provider/src/resources/.
import type * as pulumi from "@pulumi/pulumi";
import { ComponentHandler, CustomResourceHandler } from "./handlers";
import { engineResourceLogs, ResourceLogs } from "./engineLog";
import { packageSchemaText } from "./schema";

// Handlers load on first use: the engine starts the plugin for GetSchema and for every
// preview, and @pulumi/kubernetes or the admin client need not load for those that never use them.
const components: Record<string, () => ComponentHandler> = {
    "rocketmq:index:RocketMQCluster": once(() =>
        (require("./resources/rocketMQCluster") as typeof import("./resources/rocketMQCluster")).rocketMQClusterHandler),
};

function customResourceHandlers(logFor: ResourceLogs): Record<string, () => CustomResourceHandler> {
    return {
        "rocketmq:index:TopicTransfer": once(() =>
            (require("./resources/topicTransfer") as typeof import("./resources/topicTransfer")).topicTransferHandler(undefined, logFor)),
        "rocketmq:index:Topic": once(() =>
            (require("./resources/topic") as typeof import("./resources/topic")).topicHandler(undefined, logFor)),
        "rocketmq:index:ConsumerGroup": once(() =>
            (require("./resources/consumerGroup") as typeof import("./resources/consumerGroup")).consumerGroupHandler(undefined, logFor)),
        "rocketmq:index:BrokerConfigPush": once(() =>
            (require("./resources/brokerConfigPush") as typeof import("./resources/brokerConfigPush")).brokerConfigPushHandler(undefined, logFor)),
        "rocketmq:index:BrokerRollout": once(() =>
            (require("./resources/brokerRollout") as typeof import("./resources/brokerRollout")).brokerRolloutHandler(undefined, logFor)),
        "rocketmq:index:NameServerRegistration": once(() =>
            (require("./resources/nameServerRegistration") as typeof import("./resources/nameServerRegistration")).nameServerRegistrationHandler(undefined, logFor)),
    };
}

function once<T>(load: () => T): () => T {
    let loaded: { value: T } | undefined;
    return () => (loaded ??= { value: load() }).value;
}

export class RocketMQProvider implements pulumi.provider.Provider {
    private readonly customResources: Record<string, () => CustomResourceHandler>;

    /** `engineAddress`: where log lines about resources go (the engine passes it on the command line). */
    constructor(
        readonly version: string,
        engineAddress?: string,
    ) {
        this.customResources = customResourceHandlers(engineResourceLogs(engineAddress));
    }

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
        return this.customResource(urn).check(urn, olds, news);
    }

    async diff(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.DiffResult> {
        return this.customResource(urn).diff(id, olds, news, urn);
    }

    async create(urn: string, inputs: Record<string, unknown>): Promise<pulumi.provider.CreateResult> {
        return this.customResource(urn).create(urn, inputs);
    }

    async read(id: string, urn: string, props?: Record<string, unknown>): Promise<pulumi.provider.ReadResult> {
        return this.customResource(urn).read(id, props ?? {}, urn);
    }

    async update(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.UpdateResult> {
        return this.customResource(urn).update(id, olds, news, urn);
    }

    async delete(id: string, urn: string, props: Record<string, unknown>): Promise<void> {
        return this.customResource(urn).delete(id, props, urn);
    }

    private customResource(urn: string): CustomResourceHandler {
        const token = resourceTokenOf(urn);
        const handler = this.customResources[token]?.();
        if (!handler) {
            throw new Error(`unknown resource type ${token}; this provider manages ${Object.keys(this.customResources).join(", ") || "no custom resources yet"}`);
        }
        return handler;
    }
}

/** A URN ends in `...::<type>::<name>`; the type's last `$`-separated part is the resource token. */
export function resourceTokenOf(urn: string): string {
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    const typeParts = qualifiedType.split("$");
    return typeParts[typeParts.length - 1] ?? "";
}
