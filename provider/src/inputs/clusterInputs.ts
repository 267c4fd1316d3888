// RocketMQCluster inputs as construct receives them: the known values are validated (an input not
// known until `pulumi up` is checked then, when construct runs again with it), and unknown and
// secret values are put back as Outputs so children preview them as computed and store them secret.
import { z } from "zod";
import { authSpecSchema } from "./auth";
import * as pulumi from "@pulumi/pulumi";
import { metricsSpecSchema } from "./metrics";
import { controllerSpecSchema } from "./controller";
import { brokerSpecSchema, clusterArgsSchema, consoleSpecSchema, failuresOf, InputFailure, nameServerSpecSchema, propertyPath, proxySpecSchema, ResolvedClusterArgs } from "./cluster";
import { secretInput, unknownInput, unknownInputOutput } from "./nature";
import { PropertyPath, ResolvedInputs } from "./resolve";

/** An input value that may be, or contain, an unknown or secret Output. */
export type DeepInput<T> = pulumi.Output<T> | (T extends (infer U)[] ? DeepInput<U>[] : T extends object ? { [K in keyof T]: DeepInput<T[K]> } : T);
type Fields<T> = { [K in keyof T]: DeepInput<T[K]> };
type Sections = "nameServer" | "broker" | "console" | "metrics" | "proxy" | "auth" | "controller";

/** Validated inputs with defaults filled in; a field may be an unknown or secret Output. */
export type ClusterInputs = Fields<Omit<ResolvedClusterArgs, Sections>> & {
    nameServer: Fields<ResolvedClusterArgs["nameServer"]>;
    broker: Fields<ResolvedClusterArgs["broker"]>;
    console: Fields<ResolvedClusterArgs["console"]>;
    metrics: Fields<ResolvedClusterArgs["metrics"]>;
    proxy: Fields<ResolvedClusterArgs["proxy"]>;
    auth: Fields<ResolvedClusterArgs["auth"]>;
    controller: Fields<ResolvedClusterArgs["controller"]>;
};

/**
 * Fields that decide which Kubernetes objects exist and what they are called. Their value is used
 * as it is (an object's name or count cannot be secret); when unknown, the objects they decide are
 * created at `pulumi up`.
 */
export const structuralFields = [
    ["broker", "name"], ["broker", "size"], ["broker", "replicaPerGroup"], ["console", "enabled"],
    ["nameServer", "podDisruptionBudget", "enabled"], ["broker", "podDisruptionBudget", "enabled"],
    ["proxy", "podDisruptionBudget", "enabled"], ["controller", "podDisruptionBudget", "enabled"],
    ["metrics", "enabled"], ["metrics", "serviceMonitor"], ["metrics", "podMonitor"], ["proxy", "enabled"],
    ["controller", "mode"], ["controller", "size"],
] as const;

const sectionSchemas: Record<Sections, z.ZodObject> = {
    nameServer: nameServerSpecSchema,
    broker: brokerSpecSchema,
    console: consoleSpecSchema,
    metrics: metricsSpecSchema,
    proxy: proxySpecSchema,
    auth: authSpecSchema,
    controller: controllerSpecSchema as unknown as z.ZodObject,
};

export type ClusterInputsValidation = { ok: true; value: ClusterInputs } | { ok: false; failures: InputFailure[] };

export function validateClusterInputs(resolved: ResolvedInputs): ClusterInputsValidation {
    const raw = structuredClone(resolved.value) as Record<string, unknown>;
    for (const unknown of resolved.unknowns) {
        setAt(raw, unknown.path, unknownInput);
    }
    // A rule that depends on an unknown value is not run: zod skips an object's own rules when one
    // of its fields failed, and every unknown fails its type check here. Those failures are left out.
    const payload = (clusterArgsSchema as unknown as ZodRunnable)._zod.run({ value: raw, issues: [] }, {});
    // Issues of a run carry their rule's message only once finalized, as safeParse does.
    const issues = payload.issues.map((issue) => z.core.util.finalizeIssue(issue as never, {}, z.core.config()));
    const failures = failuresOf(new z.ZodError(issues))
        .filter((failure) => !resolved.unknowns.some((unknown) => isAtOrUnder(failure.property, propertyPath(unknown.path))))
        .map((failure) => redactSecrets(failure, resolved));
    if (failures.length > 0) {
        return { ok: false, failures };
    }
    const value = payload.value as Record<string, unknown>;
    for (const path of resolved.secretLeaves) {
        if (!isStructural(path)) {
            setAt(value, path, secretInput(getAt(value, path)));
        }
    }
    for (const unknown of resolved.unknowns) {
        const [section] = unknown.path;
        if (unknown.path.length === 1 && typeof section === "string" && section in sectionSchemas) {
            // A whole unknown section: each of its fields is unknown.
            const fields = Object.keys(sectionSchemas[section as Sections].shape);
            setAt(value, unknown.path, Object.fromEntries(fields.map((field) => [field, unknownInputOutput(unknown.secret)])));
        } else {
            setAt(value, unknown.path, unknownInputOutput(unknown.secret && !isStructural(unknown.path)));
        }
    }
    return { ok: true, value: value as unknown as ClusterInputs };
}

interface ZodRunnable {
    _zod: { run(payload: { value: unknown; issues: z.core.$ZodIssue[] }, context: object): { value: unknown; issues: z.core.$ZodIssue[] } };
}

function isStructural(path: PropertyPath): boolean {
    return structuralFields.some((field) => field.length === path.length && field.every((segment, index) => segment === path[index]));
}

function isAtOrUnder(property: string, unknownPath: string): boolean {
    return property === unknownPath || property.startsWith(`${unknownPath}.`) || property.startsWith(`${unknownPath}[`);
}

/** A rule's reason may quote the value it refused; a secret value is never quoted. */
function redactSecrets(failure: InputFailure, resolved: ResolvedInputs): InputFailure {
    const reason = resolved.secretLeaves
        .filter((path) => isAtOrUnder(propertyPath(path), failure.property) || isAtOrUnder(failure.property, propertyPath(path)))
        .map((path) => String(getAt(resolved.value, path)))
        .filter((secret) => secret.length > 0)
        .reduce<string>((text, secret) => text.split(secret).join("[secret]"), failure.reason);
    return { ...failure, reason };
}

function getAt(root: unknown, path: PropertyPath): unknown {
    return path.reduce<unknown>((node, segment) => (node as Record<string | number, unknown> | undefined)?.[segment], root);
}

function setAt(root: Record<string, unknown>, path: PropertyPath, leaf: unknown): void {
    let node: Record<string | number, unknown> = root;
    path.forEach((segment, index) => {
        if (index === path.length - 1) {
            node[segment] = leaf;
            return;
        }
        const next = node[segment];
        if (typeof next !== "object" || next === null) {
            node[segment] = typeof path[index + 1] === "number" ? [] : {};
        }
        node = node[segment] as Record<string | number, unknown>;
    });
}

