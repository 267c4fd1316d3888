// One place that turns what the engine hands a provider (Outputs in construct, RPC values in
// check/diff) into plain data that zod can validate, remembering what was secret or unknown.
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";

/** Segments of a path into the inputs: keys and array indexes. */
export type PropertyPath = (string | number)[];

export interface ResolvedInputs {
    /** Plain values; an unknown value is left out (undefined). */
    value: Record<string, unknown>;
    /** Dotted paths of values that are not known yet (preview). */
    unknownPaths: string[];
    /** The same values as paths, with whether each was also marked secret. */
    unknowns: { path: PropertyPath; secret: boolean }[];
    /** Paths of every known secret leaf (a secret object or array marks each leaf inside). */
    secretLeaves: PropertyPath[];
    /** True when any value was secret, so outputs derived from them must stay secret. */
    containsSecrets: boolean;
    /** Resources the inputs came from, so children can depend on them. */
    dependencies: pulumi.Resource[];
}

interface Walk {
    unknowns: { path: PropertyPath; secret: boolean }[];
    secretLeaves: PropertyPath[];
    containsSecrets: boolean;
    dependencies: Set<pulumi.Resource>;
}

export async function resolveInputs(inputs: Record<string, unknown>): Promise<ResolvedInputs> {
    const walk: Walk = { unknowns: [], secretLeaves: [], containsSecrets: false, dependencies: new Set() };
    const value = (await resolveValue(inputs, [], false, walk)) as Record<string, unknown> | undefined;
    return {
        value: value ?? {},
        unknownPaths: walk.unknowns.map((unknown) => dottedPath(unknown.path)),
        unknowns: walk.unknowns,
        secretLeaves: walk.secretLeaves,
        containsSecrets: walk.containsSecrets,
        dependencies: [...walk.dependencies],
    };
}

export function dottedPath(path: PropertyPath): string {
    return path.reduce<string>((text, segment) =>
        typeof segment === "number" ? `${text}[${segment}]` : text === "" ? segment : `${text}.${segment}`, "");
}

async function resolveValue(input: unknown, path: PropertyPath, secret: boolean, walk: Walk): Promise<unknown> {
    if (input === rpc.unknownValue || pulumi.isUnknown(input)) {
        walk.unknowns.push({ path, secret });
        return undefined;
    }
    if (pulumi.Output.isInstance(input)) {
        return resolveOutput(input, path, secret, walk);
    }
    if (rpc.isRpcSecret(input)) {
        walk.containsSecrets = true;
        return resolveValue(rpc.unwrapRpcSecret(input), path, true, walk);
    }
    if (pulumi.Resource.isInstance(input)) {
        return input;
    }
    if (Array.isArray(input)) {
        return Promise.all(input.map((element, index) => resolveValue(element, [...path, index], secret, walk)));
    }
    if (input !== null && typeof input === "object") {
        const entries = await Promise.all(
            Object.entries(input).filter(([, element]) => path.length > 0 || !isSecretNull(element)).map(async ([key, element]) => {
                const resolved = await resolveValue(element, [...path, key], secret, walk);
                return [key, resolved] as const;
            }),
        );
        return Object.fromEntries(entries.filter(([, resolved]) => resolved !== undefined));
    }
    if (secret && input !== undefined) {
        walk.secretLeaves.push(path);
    }
    return input;
}

/**
 * A secret that holds nothing: an input given one is not set. A RocketMQCluster's adminCredentials
 * output is one while the cluster's auth is off, so one program works with auth on and off.
 */
export function isSecretNull(value: unknown): boolean {
    return rpc.isRpcSecret(value) && rpc.unwrapRpcSecret(value) === null;
}

// Output's state promises are public on the implementation but not in its declared type.
interface OutputState {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
}

async function resolveOutput(output: pulumi.Output<unknown>, path: PropertyPath, secret: boolean, walk: Walk): Promise<unknown> {
    const state = output as unknown as OutputState;
    const [known, isSecret, resources] = await Promise.all([
        state.isKnown,
        state.isSecret,
        state.allResources ? state.allResources() : Promise.resolve(new Set<pulumi.Resource>()),
    ]);
    resources.forEach((resource) => walk.dependencies.add(resource));
    if (isSecret) {
        walk.containsSecrets = true;
    }
    if (!known) {
        walk.unknowns.push({ path, secret: secret || isSecret });
        return undefined;
    }
    return resolveValue(await state.promise(true), path, secret || isSecret, walk);
}
