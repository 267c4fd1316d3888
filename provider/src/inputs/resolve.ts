// One place that turns what the engine hands a provider (Outputs in construct, RPC values in
// check/diff) into plain data that zod can validate, remembering what was secret or unknown.
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";

export interface ResolvedInputs {
    /** Plain values; an unknown value is left out (undefined). */
    value: Record<string, unknown>;
    /** Dotted paths of values that are not known yet (preview). */
    unknownPaths: string[];
    /** True when any value was secret, so outputs derived from them must stay secret. */
    containsSecrets: boolean;
    /** Resources the inputs came from, so children can depend on them. */
    dependencies: pulumi.Resource[];
}

interface Walk {
    unknownPaths: string[];
    containsSecrets: boolean;
    dependencies: Set<pulumi.Resource>;
}

export async function resolveInputs(inputs: Record<string, unknown>): Promise<ResolvedInputs> {
    const walk: Walk = { unknownPaths: [], containsSecrets: false, dependencies: new Set() };
    const value = (await resolveValue(inputs, "", walk)) as Record<string, unknown> | undefined;
    return {
        value: value ?? {},
        unknownPaths: walk.unknownPaths,
        containsSecrets: walk.containsSecrets,
        dependencies: [...walk.dependencies],
    };
}

async function resolveValue(input: unknown, path: string, walk: Walk): Promise<unknown> {
    if (input === rpc.unknownValue) {
        walk.unknownPaths.push(path);
        return undefined;
    }
    if (pulumi.Output.isInstance(input)) {
        return resolveOutput(input, path, walk);
    }
    if (rpc.isRpcSecret(input)) {
        walk.containsSecrets = true;
        return resolveValue(rpc.unwrapRpcSecret(input), path, walk);
    }
    if (pulumi.Resource.isInstance(input)) {
        return input;
    }
    if (Array.isArray(input)) {
        return Promise.all(input.map((element, index) => resolveValue(element, `${path}[${index}]`, walk)));
    }
    if (input !== null && typeof input === "object") {
        const entries = await Promise.all(
            Object.entries(input).map(async ([key, element]) => {
                const resolved = await resolveValue(element, path === "" ? key : `${path}.${key}`, walk);
                return [key, resolved] as const;
            }),
        );
        return Object.fromEntries(entries.filter(([, resolved]) => resolved !== undefined));
    }
    return input;
}

// Output's state promises are public on the implementation but not in its declared type.
interface OutputState {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
}

async function resolveOutput(output: pulumi.Output<unknown>, path: string, walk: Walk): Promise<unknown> {
    const state = output as unknown as OutputState;
    const [known, secret, resources] = await Promise.all([
        state.isKnown,
        state.isSecret,
        state.allResources ? state.allResources() : Promise.resolve(new Set<pulumi.Resource>()),
    ]);
    resources.forEach((resource) => walk.dependencies.add(resource));
    if (secret) {
        walk.containsSecrets = true;
    }
    if (!known) {
        walk.unknownPaths.push(path);
        return undefined;
    }
    return resolveValue(await state.promise(true), path, walk);
}
