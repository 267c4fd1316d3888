// How changes reach brokers that are already running, as two resources of this provider:
// - BrokerConfigPush, before the name server StatefulSet: pushes a new name server list and the
//   changed settings RocketMQ applies at run time to every running broker (updateBrokerConfig).
//   The name server StatefulSet depends on it, so a scale-down removes name servers only after
//   every broker has the list without them. Its create contacts nothing (first deploy). It holds
//   the brokers' image too, so its check, which sees the last deployment's inputs, refuses at
//   preview a downgrade RocketMQ does not support before anything changes (inputs/imageChange.ts).
// - NameServerRegistration, after the name servers and every broker StatefulSet: waits until every
//   broker is registered with every name server, so `pulumi up` returns with the list in effect.
// Why two: the push must precede the name server StatefulSet (scale-down) and the wait must
// follow it (a scale-up's new name servers must run before brokers can register with them).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { adminCredentials } from "./auth";
import { isRuntimeBrokerConfigKey } from "../admin/runtimeConfigKeys";
import { UserBrokerConfig } from "./brokerConfig";
import { ClusterContext, childName } from "./context";
import { exportsMetrics } from "./metrics";
import { operationTlsOf } from "./tls";
import { brokerControllerAddr } from "./controller";

/** A resource of this provider, handled by resources/brokerConfigPush.ts. */
export class BrokerConfigPush extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super("rocketmq:index:BrokerConfigPush", name, props, opts);
    }
}

/** A resource of this provider, handled by resources/brokerRollout.ts. */
export class BrokerRollout extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super("rocketmq:index:BrokerRollout", name, props, opts);
    }
}

/** What the registration wait reports of a group: its master now, and with a controller its in-sync replicas. */
export interface GroupMasterState {
    brokerName: string;
    masterAddress?: string;
    masterPodName?: string;
    inSyncReplicaPodNames?: string[];
}

/** A resource of this provider, handled by resources/nameServerRegistration.ts. */
export class NameServerRegistration extends pulumi.CustomResource {
    /** Each group's master now (declared, not initialised: the constructor sets the Output). */
    declare readonly groups: pulumi.Output<GroupMasterState[] | undefined>;

    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super("rocketmq:index:NameServerRegistration", name, { ...props, groups: undefined }, opts);
    }
}

/** The user's broker.conf keys as the brokers read them: typed fields and properties alike. */
function userKeys(config: UserBrokerConfig | undefined): Record<string, string> {
    const { properties, ...typed } = config ?? {};
    const entries = Object.entries(typed).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]);
    return { ...Object.fromEntries(entries), ...(properties ?? {}) };
}

function digest(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value ?? null)).digest("hex");
}

/**
 * The settings a push carries (run-time keys, with their values) and the digests of what takes
 * effect only on a restart (other keys, the pod's image, resources, JVM memory and env, and whether
 * the brokers export metrics, and while auth is or was on, whether it is and the super user's name:
 * never the password, whose digest would be a guessable copy of it in the state).
 */
export function brokerSettingsSplit(context: ClusterContext): { settings: pulumi.Output<Record<string, string>>; restartSettings: pulumi.Output<Record<string, string>> } {
    const spec = context.args.broker;
    const keys = pulumi.output(spec.brokerConfig as pulumi.Input<UserBrokerConfig | undefined>).apply((config) => userKeys(config as UserBrokerConfig | undefined));
    const settings = keys.apply((all) => Object.fromEntries(Object.entries(all).filter(([key]) => isRuntimeBrokerConfigKey(key))));
    const pod = pulumi.output({ image: spec.image, resources: spec.resources, jvmMemory: spec.jvmMemory, env: spec.env } as Record<string, unknown>);
    const { enabled: authEnabled, superUserName } = context.args.auth;
    // A cluster without auth keeps the digests it always had.
    const auth = authEnabled === false ? {} : { enabled: authEnabled, superUserName } as Record<string, unknown>;
    const restartSettings = pulumi.all([keys, pod, exportsMetrics(context), pulumi.output(auth)]).apply(([all, podFields, metrics, authFields]): Record<string, string> => ({
        ...Object.fromEntries(Object.entries(all).filter(([key]) => !isRuntimeBrokerConfigKey(key)).map(([key, value]) => [key, digest(value)])),
        ...Object.fromEntries(Object.entries(podFields).map(([field, value]) => [`broker.${field}`, digest(value)])),
        "metrics.enabled": digest(metrics),
        ...Object.fromEntries(Object.entries(authFields as Record<string, unknown>).map(([field, value]) => [`auth.${field}`, digest(value)])),
    }));
    return { settings, restartSettings };
}

function accessInputs(context: ClusterContext) {
    const { kubeconfig, connection } = context.args;
    return {
        // Kept secret in the state whatever the program made of it.
        ...(kubeconfig !== undefined ? { kubeconfig: pulumi.secret(kubeconfig as pulumi.Input<string>) } : {}),
        connection,
        tls: operationTlsOf(context),
    };
}

export function createBrokerConfigPush(context: ClusterContext, namesrvAddr: pulumi.Input<string>): BrokerConfigPush {
    const { settings, restartSettings } = brokerSettingsSplit(context);
    // Signed as the super user while auth is on; brokers without auth ignore the signature.
    return new BrokerConfigPush(childName(context, "broker-settings"), {
        brokerClusterName: context.args.brokerClusterName,
        namesrvAddr,
        settings,
        restartSettings,
        allowRestart: context.args.broker.allowRestart,
        brokerImage: context.args.broker.image,
        controllerMode: context.args.controller.mode,
        ...accessInputs(context),
        credentials: adminCredentials(context),
    }, { parent: context.parent });
}

/**
 * Waits, after each change of the StatefulSet (a new generation), until its pods run it and are Ready:
 * after the name server StatefulSet (brokers wait for it) and after each broker StatefulSet of the
 * rolling order. The kubernetes provider's own wait can return before the controller took up the change.
 */
export function createRolloutWait(context: ClusterContext, statefulSetName: string, statefulSet: pulumi.CustomResource & { metadata: pulumi.Output<{ generation?: number }> }): BrokerRollout {
    const { kubeconfig } = accessInputs(context);
    return new BrokerRollout(childName(context, `${statefulSetName}-rollout`), {
        namespace: context.args.namespace,
        statefulSetName,
        generation: statefulSet.metadata.generation,
        ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    }, { parent: context.parent, dependsOn: [statefulSet] });
}

/** `brokers`: broker name -> how many brokers the group runs. */
export function createNameServerRegistration(
    context: ClusterContext,
    namesrvAddr: pulumi.Input<string>,
    brokers: Record<string, number>,
    after: pulumi.Resource[],
): NameServerRegistration {
    return new NameServerRegistration(childName(context, "registrations"), {
        brokerClusterName: context.args.brokerClusterName,
        namesrvAddr,
        brokers,
        namespace: context.args.namespace,
        controllerAddr: brokerControllerAddr(context),
        ...accessInputs(context),
    }, { parent: context.parent, dependsOn: after });
}
