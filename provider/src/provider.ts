// Token -> implementation dispatch. Everything resource-specific lives in provider/src/resources/.
import type * as pulumi from "@pulumi/pulumi";
import { ComponentHandler, CustomResourceHandler } from "./handlers";
import { engineResourceLogs, ResourceLogs } from "./engineLog";
import { packageSchemaText } from "./schema";
import type { UnreachedClusterNotice } from "./resources/unreachedCluster";

// Handlers load on first use, each from its own file of the bundle: the engine starts the plugin
// for GetSchema and for every preview, and @pulumi/kubernetes, the admin client or the Kubernetes
// client need not load for a call that never uses them.
const components: Record<string, () => Promise<ComponentHandler>> = {
    "rocketmq:index:RocketMQCluster": once(async () => (await import("./resources/rocketMQCluster")).rocketMQClusterHandler),
};

function customResourceHandlers(logFor: ResourceLogs): Record<string, () => Promise<CustomResourceHandler>> {
    return {
        "rocketmq:index:TopicTransfer": once(async () => (await import("./resources/topicTransfer")).topicTransferHandler(undefined, logFor)),
        "rocketmq:index:Topic": once(async () => (await import("./resources/topic")).topicHandler(undefined, logFor)),
        "rocketmq:index:ConsumerGroup": once(async () => (await import("./resources/consumerGroup")).consumerGroupHandler(undefined, logFor)),
        "rocketmq:index:BrokerScaling": once(async () => (await import("./resources/brokerScaling")).brokerScalingHandler(undefined, logFor)),
        "rocketmq:index:GeneratedPassword": once(async () => (await import("./resources/generatedPassword")).generatedPasswordHandler()),
        "rocketmq:index:User": once(async () => (await import("./resources/user")).userHandler(undefined, logFor)),
        "rocketmq:index:Acl": once(async () => (await import("./resources/acl")).aclHandler(undefined, logFor)),
        "rocketmq:index:BrokerConfigPush": once(async () => (await import("./resources/brokerConfigPush")).brokerConfigPushHandler(undefined, logFor)),
        "rocketmq:index:BrokerRollout": once(async () => (await import("./resources/brokerRollout")).brokerRolloutHandler(undefined, logFor)),
        "rocketmq:index:NameServerRegistration": once(async () => (await import("./resources/nameServerRegistration")).nameServerRegistrationHandler(undefined, logFor)),
        "rocketmq:index:StorageExpansion": once(async () => (await import("./resources/storageExpansion")).storageExpansionHandler(undefined, logFor)),
    };
}

/** The resources whose operations talk to RocketMQ, and whose inputs say how to reach it. */
const clusterReachingTokens = [
    "rocketmq:index:Topic", "rocketmq:index:ConsumerGroup", "rocketmq:index:TopicTransfer", "rocketmq:index:BrokerScaling", "rocketmq:index:User", "rocketmq:index:Acl",
];

function once<T>(load: () => Promise<T>): () => Promise<T> {
    let loaded: Promise<T> | undefined;
    return () => (loaded ??= load());
}

export class RocketMQProvider implements pulumi.provider.Provider {
    private readonly customResources: Record<string, () => Promise<CustomResourceHandler>>;
    private readonly unreachedCluster: () => Promise<UnreachedClusterNotice>;

    /** `engineAddress`: where log lines about resources go (the engine passes it on the command line). */
    constructor(
        readonly version: string,
        engineAddress?: string,
        unreachedCluster?: UnreachedClusterNotice,
    ) {
        const logFor = engineResourceLogs(engineAddress);
        this.customResources = customResourceHandlers(logFor);
        this.unreachedCluster = once(async () => unreachedCluster ?? new (await import("./resources/unreachedCluster")).UnreachedClusterNotice(logFor));
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
        const handler = await components[type]?.();
        if (!handler) {
            throw new Error(`unknown component type ${type}; this provider constructs ${Object.keys(components).join(", ")}`);
        }
        return handler.construct(name, inputs, options);
    }

    async check(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.CheckResult> {
        const checked = await (await this.customResource(urn)).check(urn, olds, news);
        // Check runs for every resource in a preview, new or deployed: the one call that can say the plan is blind.
        if (clusterReachingTokens.includes(resourceTokenOf(urn))) await (await this.unreachedCluster()).afterCheck(urn, olds, checked);
        return checked;
    }

    async diff(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.DiffResult> {
        return (await this.customResource(urn)).diff(id, olds, news, urn);
    }

    async create(urn: string, inputs: Record<string, unknown>): Promise<pulumi.provider.CreateResult> {
        return (await this.customResource(urn)).create(urn, inputs);
    }

    async read(id: string, urn: string, props?: Record<string, unknown>): Promise<pulumi.provider.ReadResult> {
        return (await this.customResource(urn)).read(id, props ?? {}, urn);
    }

    async update(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.provider.UpdateResult> {
        return (await this.customResource(urn)).update(id, olds, news, urn);
    }

    async delete(id: string, urn: string, props: Record<string, unknown>): Promise<void> {
        return (await this.customResource(urn)).delete(id, props, urn);
    }

    private async customResource(urn: string): Promise<CustomResourceHandler> {
        const token = resourceTokenOf(urn);
        const handler = await this.customResources[token]?.();
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
