// What the Topic and ConsumerGroup adapters share: check's normalising of inputs, the resource id
// that carries everything a `pulumi import` needs, and the comparison diff makes.
import type * as pulumi from "@pulumi/pulumi";
import { clusterAccessInputNames } from "../inputs/clusterAccess";
import { resolveInputs } from "../inputs/resolve";
import type { Validation } from "../inputs/rocketmqNames";
import type { Placement } from "../ops/topics/placement";

/**
 * Validates inputs and fills in defaults. Unknown or secret values travel on as the engine gave
 * them (with the defaults of inputs left out); plain ones come back normalised.
 */
export async function checkInputs<T extends object>(news: Record<string, unknown>, validate: (raw: unknown, unknownPaths: string[]) => Validation<T>): Promise<pulumi.provider.CheckResult> {
    const resolved = await resolveInputs(news);
    const validation = validate(resolved.value, resolved.unknownPaths);
    if (!validation.ok) return validation.failures.length > 0 ? { inputs: news, failures: validation.failures } : { inputs: news };
    if (resolved.unknownPaths.length === 0 && !resolved.containsSecrets) return { inputs: validation.value };
    const defaults = Object.fromEntries(Object.entries(validation.value).filter(([key]) => !(key in news)));
    return { inputs: { ...defaults, ...news } };
}

/** `<nameServerAddresses>/cluster:<cluster>/<name>` or `<nameServerAddresses>/brokers:<a>,<b>/<name>`: no part can hold a slash. */
export function placedId(nameServerAddresses: string, placement: Placement, name: string): string {
    const where = placement.clusterName !== undefined ? `cluster:${placement.clusterName}` : `brokers:${(placement.brokerNames ?? []).join(",")}`;
    return `${nameServerAddresses}/${where}/${name}`;
}

export function parsePlacedId(id: string, token: string): { nameServerAddresses: string; placement: Placement; name: string } {
    const parts = id.split("/");
    const where = /^(cluster|brokers):(.+)$/.exec(parts[1] ?? "");
    if (parts.length !== 3 || !where || parts[0] === "" || parts[2] === "") {
        throw new Error(
            `cannot import ${token} from id ${JSON.stringify(id)}: expected <nameServerAddresses>/cluster:<clusterName>/<name> or <nameServerAddresses>/brokers:<group>,<group>/<name>`,
        );
    }
    const placement: Placement = where[1] === "cluster" ? { clusterName: where[2] } : { brokerNames: where[2].split(",") };
    return { nameServerAddresses: parts[0], placement, name: parts[2] };
}

export function placementOf(inputs: Placement): Placement {
    return inputs.clusterName !== undefined ? { clusterName: inputs.clusterName } : { brokerNames: inputs.brokerNames };
}

/**
 * The inputs whose value differs between the stack (olds) and the program (news), an unknown new
 * value counting as a change. A value left out compares as its default.
 */
export async function changedInputs(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    inputNames: readonly string[],
    defaults: Record<string, unknown>,
): Promise<{ changed: string[]; known: Record<string, unknown> }> {
    const resolved = await resolveInputs(news);
    const previous = (await resolveInputs(olds)).value; // the state may hold secrets
    const isUnknown = (key: string) => resolved.unknownPaths.some((p) => p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`));
    const comparable = (value: unknown, key: string) => canonical(value ?? defaults[key]);
    const changed = inputNames.filter((key) => isUnknown(key) || comparable(previous[key], key) !== comparable(resolved.value[key], key));
    return { changed, known: resolved.value };
}

/**
 * True when an update changes only how the cluster is reached (kubeconfig, connection), or other
 * inputs the resource names as changing nothing in RocketMQ, and no broker group misses the
 * resource: then there is nothing to do in RocketMQ.
 */
export async function onlyAccessChanged(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    inputNames: readonly string[],
    defaults: Record<string, unknown>,
    alsoInert: readonly string[] = [],
): Promise<boolean> {
    const { changed } = await changedInputs(olds, news, inputNames, defaults);
    const inert = [...clusterAccessInputNames, ...alsoInert];
    return missingFromOf(olds).length === 0 && changed.every((key) => inert.includes(key));
}

/** The broker groups of the placement the state says lack the resource. */
export function missingFromOf(state: Record<string, unknown>): string[] {
    return Array.isArray(state.missingFrom) ? (state.missingFrom as string[]) : [];
}

export function pick(values: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([key]) => names.includes(key)));
}

/** Inputs left out stay out of the state instead of appearing as undefined. */
export function definedOnly<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function canonical(value: unknown): string {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
        return entries.length === 0 ? "null" : JSON.stringify(Object.fromEntries(entries));
    }
    return JSON.stringify(value ?? null);
}
