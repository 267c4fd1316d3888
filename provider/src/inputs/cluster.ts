// RocketMQCluster inputs: the zod schema is the one source of truth for validation, and the args
// types are inferred from it. schema.json describes the same inputs for the SDKs; a unit test walks
// both so they cannot drift apart.
import { z } from "zod";
import { defaultDashboardImage, defaultRocketMQImage, imageReferenceSchema } from "./images";
import {
    affinitySchema, annotationsSchema, dnsLabelSchema, dnsPolicies, envVarSchema, imagePullPolicies,
    labelsSchema, localObjectReferenceSchema, persistentVolumeClaimSchema, podSecurityContextSchema,
    resourceRequirementsSchema, securityContextSchema, serviceTypes, tolerationSchema, topologySpreadConstraintSchema, volumeMountSchema,
    volumeSchema,
} from "./kube";
import { podDisruptionBudgetSchema } from "./disruptionBudget";
import { checkMetricsRules, metricsSpecSchema } from "./metrics";
import { MiB, memorySizeSchema, parseMemorySize, parseQuantity } from "./quantities";
import { checkBrokerConfig, ownedConfigKeyReasons } from "./brokerConfig";
import { allowDroppingUnreadMessagesSchema, drainTimeoutSecondsSchema } from "./drain";
import { clusterAccessSchemas } from "./clusterAccess";
import { authSpecSchema, checkAuthRules } from "./auth";
import { clusterTlsSchema } from "./tls";
import { checkControllerRules, controllerSpecSchema } from "./controller";
import { brokerPodOf, checkScaleSourceRules } from "./scaleSource";

export const storageModes = ["EmptyDir", "HostPath", "StorageClass"] as const;

/** The most replicas a group may have; see the replicaPerGroup description in schema.json for why. */
export const maxReplicasPerGroup = 3;
export const maxBrokerGroups = 128;
export const maxNameServers = 9;

function wholeNumber(min: number, max: number, what: string) {
    const rule = `${what} must be a whole number from ${min} to ${max}`;
    return z.int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
}

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

const jvmMemorySchema = z.strictObject({
    heap: memorySizeSchema(64 * MiB).optional(),
    youngGeneration: memorySizeSchema(16 * MiB).optional(),
});

/** Fields the name server and broker pods share, with their defaults. */
const rocketmqPodFields = {
    image: imageReferenceSchema.default(defaultRocketMQImage),
    imagePullPolicy: enumOf(imagePullPolicies).default("IfNotPresent"),
    hostNetwork: z.boolean({ error: "must be true or false" }).default(false),
    dnsPolicy: enumOf(dnsPolicies).optional(),
    resources: resourceRequirementsSchema.optional(),
    storageMode: enumOf(storageModes).default("EmptyDir"),
    hostPath: z.string({ error: "must be a string" }).startsWith("/", { error: "hostPath must be an absolute path" }).optional(),
    volumeClaimTemplates: z.array(persistentVolumeClaimSchema).optional(),
    jvmMemory: jvmMemorySchema.optional(),
    podDisruptionBudget: podDisruptionBudgetSchema,
};

type RocketMQPodSpec = {
    hostNetwork: boolean;
    dnsPolicy?: (typeof dnsPolicies)[number];
    storageMode: (typeof storageModes)[number];
    hostPath?: string;
    volumeClaimTemplates?: unknown[];
    resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
    jvmMemory?: { heap?: string; youngGeneration?: string };
};

/** Rules that tie one field of a name server or broker spec to another. */
function checkPodRules(spec: RocketMQPodSpec, ctx: z.RefinementCtx) {
    if (spec.storageMode === "HostPath" && spec.hostPath === undefined) {
        ctx.addIssue({ code: "custom", path: ["hostPath"], message: "hostPath is required when storageMode is HostPath" });
    }
    if (spec.storageMode === "StorageClass" && (spec.volumeClaimTemplates?.length ?? 0) === 0) {
        ctx.addIssue({ code: "custom", path: ["volumeClaimTemplates"], message: "storageMode StorageClass needs at least one volume claim template" });
    }
    if (spec.hostNetwork && spec.dnsPolicy === "ClusterFirst") {
        ctx.addIssue({
            code: "custom",
            path: ["dnsPolicy"],
            message: "with hostNetwork, ClusterFirst silently falls back to the node's resolver, which cannot resolve cluster DNS names: use ClusterFirstWithHostNet",
        });
    }
    const limit = spec.resources?.limits?.memory === undefined ? undefined : parseQuantity(spec.resources.limits.memory);
    const heap = spec.jvmMemory?.heap === undefined ? undefined : parseMemorySize(spec.jvmMemory.heap);
    if (heap !== undefined && limit !== undefined && heap >= limit) {
        ctx.addIssue({
            code: "custom",
            path: ["jvmMemory", "heap"],
            message: `heap ${spec.jvmMemory?.heap} does not fit in the memory limit ${spec.resources?.limits?.memory}: the JVM needs memory beyond its heap`,
        });
    }
    const young = spec.jvmMemory?.youngGeneration === undefined ? undefined : parseMemorySize(spec.jvmMemory.youngGeneration);
    if (spec.jvmMemory?.youngGeneration !== undefined && spec.jvmMemory.heap === undefined) {
        ctx.addIssue({ code: "custom", path: ["jvmMemory", "heap"], message: "set heap together with youngGeneration, so the young generation is sized against a known heap" });
    }
    if (young !== undefined && heap !== undefined && young >= heap) {
        ctx.addIssue({ code: "custom", path: ["jvmMemory", "youngGeneration"], message: `youngGeneration ${spec.jvmMemory?.youngGeneration} must be smaller than the heap ${spec.jvmMemory?.heap}` });
    }
}

export const nameServerSpecSchema = z.strictObject({
    size: wholeNumber(1, maxNameServers, "size").default(1),
    ...rocketmqPodFields,
}).superRefine(checkPodRules);

const flushDiskTypes = ["ASYNC_FLUSH", "SYNC_FLUSH"] as const;
export const masterBrokerRoles = ["ASYNC_MASTER", "SYNC_MASTER"] as const;

export const brokerConfigSchema = z.looseObject({
    deleteWhen: z.string({ error: "must be a string of two-digit hours such as \"04\" or \"04;16\"" })
        .regex(/^([01]\d|2[0-3])(;([01]\d|2[0-3]))*$/, { error: "must be two-digit hours 00-23 separated by ';', such as \"04\" or \"04;16\"" })
        .optional(),
    fileReservedTime: wholeNumber(1, 8760, "fileReservedTime (hours)").optional(),
    flushDiskType: enumOf(flushDiskTypes).optional(),
    brokerRole: z.enum(masterBrokerRoles, {
        error: (issue) => issue.input === "SLAVE"
            ? ownedConfigKeyReasons.brokerRoleSlave
            : `must be one of ${masterBrokerRoles.join(", ")}`,
    }).optional(),
    properties: z.record(z.string(), z.string({ error: "broker.conf values must be strings" })).optional(),
}).superRefine(checkBrokerConfig, { when: (payload) => typeof payload.value === "object" && payload.value !== null });

const nameServerListOrEmptyPattern = /^$|^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}(;[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5})*$/;

/** Mount paths the broker container already uses for its own volumes. */
export const brokerReservedMountPaths = ["/etc/rocketmq", "/home/rocketmq/conf", "/home/rocketmq/store", "/home/rocketmq/logs"];
/** Volume names the provider gives its own volumes. */
export const reservedVolumeNames = ["rocketmq-config", "rocketmq-conf", "rocketmq-data"];
/** Env names the provider sets itself, with what to use instead. */
export const reservedBrokerEnv: Record<string, string> = {
    POD_IP: "POD_IP is set by the provider from the downward API (status.podIP) and written as brokerIP1",
    POD_NAME: "POD_NAME is set by the provider from the downward API (metadata.name)",
    JAVA_OPT_EXT: "JAVA_OPT_EXT is set by the provider: use broker.jvmMemory (heap, youngGeneration)",
};

export const brokerSpecSchema = z.strictObject({
    name: dnsLabelSchema(30).default("broker"),
    size: wholeNumber(1, maxBrokerGroups, "size").default(1),
    replicaPerGroup: wholeNumber(0, maxReplicasPerGroup, "replicaPerGroup").default(1),
    allowRestart: z.boolean({ error: "must be true or false" }).default(true),
    scalePodName: z.string({ error: "must be a string" }).optional(),
    drainTimeoutSeconds: drainTimeoutSecondsSchema,
    allowDroppingUnreadMessages: allowDroppingUnreadMessagesSchema,
    env: z.array(envVarSchema).optional(),
    volumes: z.array(volumeSchema).optional(),
    volumeMounts: z.array(volumeMountSchema).optional(),
    nameServers: z.string({ error: "must be a string" })
        .regex(nameServerListOrEmptyPattern, { error: "must be host:port entries separated by ';', e.g. \"10.0.0.5:9876;10.0.0.6:9876\"" })
        .optional(),
    brokerConfig: brokerConfigSchema.optional(),
    ...rocketmqPodFields,
}).superRefine((broker, ctx) => {
    checkPodRules(broker, ctx);
    if (broker.brokerConfig?.brokerRole === "SYNC_MASTER" && broker.replicaPerGroup === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["brokerConfig", "brokerRole"],
            message: "SYNC_MASTER acknowledges a send only once a replica has it, and broker.replicaPerGroup is 0: every send would fail with SLAVE_NOT_AVAILABLE. Set broker.replicaPerGroup to 1 or more, or use ASYNC_MASTER",
        });
    }
    if (broker.dnsPolicy === "Default" && !broker.nameServers) {
        ctx.addIssue({
            code: "custom",
            path: ["dnsPolicy"],
            message: "brokers reach the name servers by cluster DNS names, which the node's resolver (Default) cannot resolve: use ClusterFirst, or set broker.nameServers",
        });
    }
    if (broker.scalePodName !== undefined) {
        // A replica's pod is refused here unless a controller runs (checkScaleSourceRules, which knows the mode).
        const pod = brokerPodOf(broker.name, broker.scalePodName);
        if (!pod || pod.group >= broker.size || (pod.replica !== undefined && (pod.replica < 1 || pod.replica > broker.replicaPerGroup))) {
            ctx.addIssue({
                code: "custom",
                path: ["scalePodName"],
                message: `must be the master pod of an existing group, ${broker.name}-<group>-master-0 with group below size ${broker.size}, e.g. ${broker.name}-0-master-0 ` +
                    `(with controller.mode standalone or embedded, where any pod of a group may be its master, ${broker.name}-<group>-replica-<i>-0 with i from 1 to replicaPerGroup too)`,
            });
        }
    }
    const envNames = new Set<string>();
    (broker.env ?? []).forEach((env, index) => {
        const reserved = reservedBrokerEnv[env.name];
        if (reserved) {
            ctx.addIssue({ code: "custom", path: ["env", index, "name"], message: reserved });
        } else if (envNames.has(env.name)) {
            ctx.addIssue({ code: "custom", path: ["env", index, "name"], message: `env ${env.name} is set twice` });
        }
        envNames.add(env.name);
    });
    const volumeNames = new Set<string>();
    (broker.volumes ?? []).forEach((volume, index) => {
        if (reservedVolumeNames.includes(volume.name)) {
            ctx.addIssue({ code: "custom", path: ["volumes", index, "name"], message: `volume name ${volume.name} is used by the provider; pick another` });
        } else if (volumeNames.has(volume.name)) {
            ctx.addIssue({ code: "custom", path: ["volumes", index, "name"], message: `volume ${volume.name} is declared twice` });
        }
        volumeNames.add(volume.name);
    });
    (broker.volumeMounts ?? []).forEach((mount, index) => {
        if (!volumeNames.has(mount.name)) {
            ctx.addIssue({ code: "custom", path: ["volumeMounts", index, "name"], message: `${mount.name} does not name a volume in broker.volumes` });
        }
        const reserved = brokerReservedMountPaths.find((path) => mount.mountPath === path || mount.mountPath.startsWith(`${path}/`));
        if (reserved) {
            ctx.addIssue({ code: "custom", path: ["volumeMounts", index, "mountPath"], message: `${reserved} is used by the provider for the broker's own files` });
        }
    });
});

export const consoleSpecSchema = z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    image: imageReferenceSchema.default(defaultDashboardImage),
    imagePullPolicy: enumOf(imagePullPolicies).default("IfNotPresent"),
    replicas: wholeNumber(1, 10, "replicas").default(1),
    resources: resourceRequirementsSchema.optional(),
    serviceType: enumOf(serviceTypes).default("ClusterIP"),
    nodePort: wholeNumber(1, 65535, "nodePort").optional(),
}).superRefine((console, ctx) => {
    if (console.nodePort !== undefined && console.serviceType === "ClusterIP") {
        ctx.addIssue({ code: "custom", path: ["nodePort"], message: "nodePort needs serviceType NodePort or LoadBalancer" });
    }
});

/** rmq-proxy.json keys the provider writes from the cluster's inputs, with why they are refused in proxy.properties. */
export const ownedProxyConfigKeys: Record<string, string> = {
    rocketMQClusterName: "rocketMQClusterName is written by the provider from brokerClusterName (a proxy serves only the brokers of its cluster)",
    namesrvAddr: "namesrvAddr is written by the provider: the cluster's name servers, or broker.nameServers",
    grpcServerPort: "grpcServerPort is 8081, the port of the proxy Service and of the proxyEndpoint output",
    remotingListenPort: "remotingListenPort is 8080, the remoting port of the proxy Service",
    proxyMode: "proxyMode is cluster: the proxy runs as its own Deployment beside the brokers",
    useEndpointPortFromRequest: "useEndpointPortFromRequest is written by the provider: true when proxy.serviceType is NodePort or LoadBalancer",
    tlsTestModeEnable: "tlsTestModeEnable is set by the provider: use the cluster's tls input",
    tlsCertPath: "tlsCertPath is set by the provider: use the cluster's tls input",
    tlsKeyPath: "tlsKeyPath is set by the provider: use the cluster's tls input",
};
/** Env names the provider sets itself in the proxy container. */
export const reservedProxyEnv: Record<string, string> = {
    JAVA_OPT_EXT: "JAVA_OPT_EXT is set by the provider: use proxy.jvmMemory (heap, youngGeneration)",
};

export const proxySpecSchema = z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    replicas: wholeNumber(1, 32, "replicas").default(1),
    // No default here: the proxies run the brokers' image unless told otherwise.
    image: imageReferenceSchema.optional(),
    imagePullPolicy: enumOf(imagePullPolicies).default("IfNotPresent"),
    resources: resourceRequirementsSchema.optional(),
    jvmMemory: jvmMemorySchema.optional(),
    env: z.array(envVarSchema).optional(),
    serviceType: enumOf(serviceTypes).default("ClusterIP"),
    nodePort: wholeNumber(1, 65535, "nodePort").optional(),
    serviceAnnotations: annotationsSchema.optional(),
    properties: z.record(z.string(), z.string({ error: "rmq-proxy.json values must be strings" })).optional(),
    podDisruptionBudget: podDisruptionBudgetSchema,
}).superRefine((proxy, ctx) => {
    if (proxy.nodePort !== undefined && proxy.serviceType === "ClusterIP") {
        ctx.addIssue({ code: "custom", path: ["nodePort"], message: "nodePort needs serviceType NodePort or LoadBalancer" });
    }
    for (const key of Object.keys(proxy.properties ?? {})) {
        if (ownedProxyConfigKeys[key]) {
            ctx.addIssue({ code: "custom", path: ["properties", key], message: ownedProxyConfigKeys[key] });
        }
    }
    const envNames = new Set<string>();
    (proxy.env ?? []).forEach((env, index) => {
        const reserved = reservedProxyEnv[env.name];
        if (reserved) {
            ctx.addIssue({ code: "custom", path: ["env", index, "name"], message: reserved });
        } else if (envNames.has(env.name)) {
            ctx.addIssue({ code: "custom", path: ["env", index, "name"], message: `env ${env.name} is set twice` });
        }
        envNames.add(env.name);
    });
    const limit = proxy.resources?.limits?.memory === undefined ? undefined : parseQuantity(proxy.resources.limits.memory);
    const heap = proxy.jvmMemory?.heap === undefined ? undefined : parseMemorySize(proxy.jvmMemory.heap);
    if (heap !== undefined && limit !== undefined && heap >= limit) {
        ctx.addIssue({
            code: "custom",
            path: ["jvmMemory", "heap"],
            message: `heap ${proxy.jvmMemory?.heap} does not fit in the memory limit ${proxy.resources?.limits?.memory}: the JVM needs memory beyond its heap`,
        });
    }
    const young = proxy.jvmMemory?.youngGeneration === undefined ? undefined : parseMemorySize(proxy.jvmMemory.youngGeneration);
    if (proxy.jvmMemory?.youngGeneration !== undefined && proxy.jvmMemory.heap === undefined) {
        ctx.addIssue({ code: "custom", path: ["jvmMemory", "heap"], message: "set heap together with youngGeneration, so the young generation is sized against a known heap" });
    }
    if (young !== undefined && heap !== undefined && young >= heap) {
        ctx.addIssue({ code: "custom", path: ["jvmMemory", "youngGeneration"], message: `youngGeneration ${proxy.jvmMemory?.youngGeneration} must be smaller than the heap ${proxy.jvmMemory?.heap}` });
    }
});

const providerLabelPrefixes = ["app.kubernetes.io/", "rocketmq/"];

export const clusterArgsSchema = z.strictObject({
    namespace: dnsLabelSchema().default("default"),
    brokerClusterName: z.string({ error: "must be a string" })
        .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1-64 letters, digits, '_' or '-'" })
        .default("DefaultCluster"),
    labels: labelsSchema.superRefine((labels, ctx) => {
        for (const key of Object.keys(labels)) {
            if (providerLabelPrefixes.some((prefix) => key.startsWith(prefix))) {
                ctx.addIssue({ code: "custom", path: [key], message: `labels under ${providerLabelPrefixes.join(" and ")} are set by the provider` });
            }
        }
    }).optional(),
    annotations: annotationsSchema.optional(),
    nodeSelector: z.record(z.string(), z.string({ error: "nodeSelector values must be strings" })).optional(),
    tolerations: z.array(tolerationSchema).optional(),
    affinity: affinitySchema.optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraintSchema).optional(),
    imagePullSecrets: z.array(localObjectReferenceSchema).optional(),
    serviceAccountName: dnsLabelSchema(253).optional(),
    priorityClassName: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    podSecurityContext: podSecurityContextSchema.optional(),
    securityContext: securityContextSchema.optional(),
    nameServer: nameServerSpecSchema.prefault({}),
    broker: brokerSpecSchema.prefault({}),
    console: consoleSpecSchema.prefault({}),
    metrics: metricsSpecSchema.prefault({}),
    proxy: proxySpecSchema.prefault({}),
    auth: authSpecSchema.prefault({}),
    tls: clusterTlsSchema.optional(),
    controller: controllerSpecSchema.prefault({}),
    ...clusterAccessSchemas,
}).superRefine((args, ctx) => {
    checkMetricsRules(args, ctx);
    checkAuthRules(args, ctx);
    checkControllerRules(args, ctx);
    checkScaleSourceRules(args, ctx);
});

/** What a program passes: every field optional, `{}` is a working cluster. */
export type RocketMQClusterArgs = z.input<typeof clusterArgsSchema>;
/** The same inputs after validation, with every default filled in. */
export type ResolvedClusterArgs = z.output<typeof clusterArgsSchema>;
export type ResolvedNameServerSpec = ResolvedClusterArgs["nameServer"];
export type ResolvedBrokerSpec = ResolvedClusterArgs["broker"];
export type ResolvedConsoleSpec = ResolvedClusterArgs["console"];
export type ResolvedProxySpec = ResolvedClusterArgs["proxy"];
export type ResolvedAuthSpec = ResolvedClusterArgs["auth"];
export type ResolvedControllerSpec = ResolvedClusterArgs["controller"];

export interface InputFailure {
    /** Dotted path of the input, e.g. `broker.replicaPerGroup` or `broker.env[0].name`. */
    property: string;
    /** The rule it breaks. */
    reason: string;
}

export type ClusterArgsValidation =
    | { ok: true; value: ResolvedClusterArgs }
    | { ok: false; failures: InputFailure[] };

/** A Pulumi property path: `broker.env[0].name`, and `labels["app.kubernetes.io/name"]` for keys that are not identifiers. */
export function propertyPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((text, segment) => {
        if (typeof segment === "number") {
            return `${text}[${segment}]`;
        }
        const key = String(segment);
        if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) {
            return `${text}[${JSON.stringify(key)}]`;
        }
        return text === "" ? key : `${text}.${key}`;
    }, "");
}

export function failuresOf(error: z.ZodError): InputFailure[] {
    return error.issues.flatMap((issue): InputFailure[] => {
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((key) => ({
                property: propertyPath([...issue.path, key]),
                reason: "is not an input of RocketMQCluster here (check its spelling and where it is nested)",
            }));
        }
        return [{ property: propertyPath(issue.path), reason: issue.message }];
    });
}

/** Validates raw inputs (plain JSON values) and fills in defaults. */
export function validateClusterArgs(raw: unknown): ClusterArgsValidation {
    const result = clusterArgsSchema.safeParse(raw ?? {});
    return result.success ? { ok: true, value: result.data } : { ok: false, failures: failuresOf(result.error) };
}

