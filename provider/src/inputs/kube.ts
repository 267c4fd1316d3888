// Inputs whose type is a Kubernetes type. schema.json references these from the kubernetes
// package's schema instead of re-declaring them; here they stay open objects (Kubernetes validates
// the rest) with the few checks a user should hear about at preview. Each schema is registered with
// the token of the Kubernetes type it stands for, so the schema drift test can match the two.
import { z } from "zod";
import { parseQuantity, quantitySchema } from "./quantities";

export interface KubernetesTypeMeta {
    /** The kubernetes package's type token without the package prefix, e.g. "core/v1:EnvVar". */
    token: string;
}
export const kubernetesTypes = z.registry<KubernetesTypeMeta>();

function kubernetesType<T extends z.ZodType>(token: string, schema: T): T {
    kubernetesTypes.add(schema, { token });
    return schema;
}

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC 1123 label: the shape of names of namespaces, volumes and most Kubernetes objects. */
export function dnsLabelSchema(maxLength = 63) {
    return z.string({ error: "must be a string" }).superRefine((value, ctx) => {
        if (value.length === 0 || value.length > maxLength || !dnsLabelPattern.test(value)) {
            ctx.addIssue({
                code: "custom",
                message: `"${value}" must be 1-${maxLength} lower-case letters, digits or '-', starting and ending with a letter or digit`,
            });
        }
    });
}

const qualifiedNamePattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkQualifiedKey(key: string, ctx: z.RefinementCtx) {
    const name = key.includes("/") ? key.slice(key.lastIndexOf("/") + 1) : key;
    if (!qualifiedNamePattern.test(key) || name.length > 63 || key.length > 317) {
        ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a valid label or annotation key ([prefix/]name, name at most 63 characters)` });
    }
}

export const labelsSchema = z.record(z.string(), z.string({ error: "label values must be strings" })).superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
        checkQualifiedKey(key, ctx);
        if (value.length > 63 || !labelValuePattern.test(value)) {
            ctx.addIssue({ code: "custom", path: [key], message: `"${value}" is not a valid label value (at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends)` });
        }
    }
});

export const annotationsSchema = z.record(z.string(), z.string({ error: "annotation values must be strings" })).superRefine((annotations, ctx) => {
    for (const key of Object.keys(annotations)) {
        checkQualifiedKey(key, ctx);
    }
});

const keySelectorSchema = z.looseObject({
    name: z.string({ error: "must name the ConfigMap or Secret" }).min(1, { error: "must name the ConfigMap or Secret" }),
    key: z.string({ error: "must name the key to read" }).min(1, { error: "must name the key to read" }),
    optional: z.boolean().optional(),
});

export const envVarSchema = kubernetesType("core/v1:EnvVar", z.looseObject({
    name: z.string({ error: "every env entry needs a name" }).min(1, { error: "every env entry needs a name" }),
    value: z.string({ error: "must be a string (quote numbers)" }).optional(),
    valueFrom: z.looseObject({
        configMapKeyRef: keySelectorSchema.optional(),
        secretKeyRef: keySelectorSchema.optional(),
        fieldRef: z.looseObject({ fieldPath: z.string().min(1) }).optional(),
        resourceFieldRef: z.looseObject({ resource: z.string().min(1) }).optional(),
    }).optional(),
}).superRefine((env, ctx) => {
    if (env.value !== undefined && env.valueFrom !== undefined) {
        ctx.addIssue({ code: "custom", path: ["valueFrom"], message: "set either value or valueFrom, not both" });
    }
    if (env.valueFrom !== undefined) {
        const sources = ["configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef"].filter(
            (source) => (env.valueFrom as Record<string, unknown>)[source] !== undefined,
        );
        if (sources.length !== 1) {
            ctx.addIssue({ code: "custom", path: ["valueFrom"], message: "must set exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef" });
        }
    }
}));

export const volumeSchema = kubernetesType("core/v1:Volume", z.looseObject({
    name: dnsLabelSchema(),
}));

export const volumeMountSchema = kubernetesType("core/v1:VolumeMount", z.looseObject({
    name: z.string({ error: "every volume mount needs the name of a volume" }).min(1, { error: "every volume mount needs the name of a volume" }),
    mountPath: z.string({ error: "every volume mount needs a mountPath" }).startsWith("/", { error: "mountPath must be an absolute path" }),
}));

export const persistentVolumeClaimSchema = kubernetesType("core/v1:PersistentVolumeClaim", z.looseObject({
    metadata: z.looseObject({
        name: dnsLabelSchema(),
    }, { error: "a claim template needs metadata.name" }),
    spec: z.looseObject({}, { error: "a claim template needs a spec (accessModes, storageClassName, resources.requests.storage)" }),
}));

export const resourceRequirementsSchema = kubernetesType("core/v1:ResourceRequirements", z.looseObject({
    limits: z.record(z.string(), quantitySchema).optional(),
    requests: z.record(z.string(), quantitySchema).optional(),
}).superRefine((resources, ctx) => {
    for (const [name, request] of Object.entries(resources.requests ?? {})) {
        const limit = resources.limits?.[name];
        if (limit === undefined) {
            continue;
        }
        const requested = parseQuantity(request);
        const limited = parseQuantity(limit);
        if (requested !== undefined && limited !== undefined && requested > limited) {
            ctx.addIssue({
                code: "custom",
                path: ["requests", name],
                message: `request ${request} is above the limit ${limit}: a request may not exceed its limit`,
            });
        }
    }
}));

export const tolerationSchema = kubernetesType("core/v1:Toleration", z.looseObject({}));
export const affinitySchema = kubernetesType("core/v1:Affinity", z.looseObject({}));
export const whenUnsatisfiableValues = ["DoNotSchedule", "ScheduleAnyway"] as const;
export const topologySpreadConstraintSchema = kubernetesType("core/v1:TopologySpreadConstraint", z.looseObject({
    maxSkew: z.int({ error: "maxSkew must be a whole number of at least 1" }).min(1, { error: "maxSkew must be a whole number of at least 1" }),
    topologyKey: z.string({ error: "must name a node label, e.g. topology.kubernetes.io/zone" }).min(1, { error: "must name a node label, e.g. topology.kubernetes.io/zone" }),
    whenUnsatisfiable: z.enum(whenUnsatisfiableValues, { error: `must be one of ${whenUnsatisfiableValues.join(", ")}` }),
}));
export const podSecurityContextSchema = kubernetesType("core/v1:PodSecurityContext", z.looseObject({}));
export const securityContextSchema = kubernetesType("core/v1:SecurityContext", z.looseObject({}));
export const localObjectReferenceSchema = kubernetesType("core/v1:LocalObjectReference", z.looseObject({
    name: z.string({ error: "must name a Secret" }).min(1, { error: "must name a Secret" }),
}));

/** Memory limit of a container in bytes, falling back to its request; undefined when neither is set. */
export function memoryOf(resources: { limits?: Record<string, string>; requests?: Record<string, string> } | undefined): number | undefined {
    const text = resources?.limits?.memory ?? resources?.requests?.memory;
    return text === undefined ? undefined : parseQuantity(text);
}

export const imagePullPolicies = ["Always", "IfNotPresent", "Never"] as const;
export const dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default"] as const;
export const serviceTypes = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
