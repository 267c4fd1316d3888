// Growing the claims of a StatefulSet whose claim template asks for more storage. A StatefulSet's
// volumeClaimTemplates are immutable and only apply to claims it has yet to create, so: every
// existing claim of the template is patched to the new size, each is waited for until its volume
// has grown, and then the StatefulSet object is deleted with its pods orphaned, so the kubernetes
// provider can create it again with the new templates and it adopts the running pods: no pod
// restarts. A smaller size is refused before anything changes, and so is a StorageClass that does
// not allow expansion.
import { parseQuantity } from "../../inputs/quantities";
import { ClaimTemplateSize, StorageExpansionArgs } from "../../inputs/storageExpansion";
import { Clock, ProgressLog, realClock } from "../progressLog";

export interface ClaimState {
    name: string;
    /** spec.resources.requests.storage */
    requested?: string;
    /** status.capacity.storage */
    capacity?: string;
    /** Types of the claim's status conditions (Resizing, FileSystemResizePending, ...). */
    conditions: string[];
    /** Bound to a volume: only a bound claim can grow. */
    bound: boolean;
}

/** What the operation reads and changes through the Kubernetes API. */
export interface StorageApi {
    listClaims(namespace: string): Promise<ClaimState[]>;
    readClaim(namespace: string, name: string): Promise<ClaimState>;
    requestStorage(namespace: string, claim: string, storage: string): Promise<void>;
    /** allowVolumeExpansion of the named class, or of the cluster's default class; undefined class name reads the default. */
    storageClassAllowsExpansion(storageClassName: string | undefined): Promise<{ name: string; allows: boolean } | undefined>;
    /** spec.volumeClaimTemplates storage by template name; undefined when the StatefulSet does not exist. */
    readClaimTemplateSizes(namespace: string, statefulSetName: string): Promise<Record<string, string | undefined> | undefined>;
    /** Deletes the StatefulSet with propagationPolicy Orphan and waits until it is gone. */
    deleteOrphaningPods(namespace: string, statefulSetName: string): Promise<void>;
}

/** The claims a StatefulSet made from template `template`: `<template>-<statefulSet>-<ordinal>`. */
export function claimsOfTemplate(claims: ClaimState[], template: string, statefulSetName: string): ClaimState[] {
    const pattern = new RegExp(`^${escape(template)}-${escape(statefulSetName)}-(\\d+)$`);
    return claims.filter((claim) => pattern.test(claim.name)).sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function bytes(quantity: string | undefined): number {
    return quantity === undefined ? 0 : parseQuantity(quantity) ?? 0;
}

export interface SizeRefusal {
    property: string;
    reason: string;
}

/** A template whose size went down: refused, as Kubernetes cannot shrink a claim. */
export function shrinkRefusals(before: ClaimTemplateSize[] | undefined, after: StorageExpansionArgs): SizeRefusal[] {
    return after.claims.flatMap((claim, index) => {
        const previous = before?.find((old) => old.name === claim.name);
        if (previous === undefined || bytes(claim.storage) >= bytes(previous.storage)) return [];
        return [{
            property: "claims",
            reason: `${after.field}[${index}].spec.resources.requests.storage: ${previous.storage} to ${claim.storage} would shrink the claims `
                + `${claim.name}-${after.statefulSetName}-*; a PersistentVolumeClaim cannot shrink, so the change is refused. Keep ${previous.storage} or more`,
        }];
    });
}

/** Templates whose size went up since the last deployment. */
export function grownTemplates(before: ClaimTemplateSize[] | undefined, after: StorageExpansionArgs): { index: number; claim: ClaimTemplateSize; from: string }[] {
    return after.claims.flatMap((claim, index) => {
        const previous = before?.find((old) => old.name === claim.name);
        return previous !== undefined && bytes(claim.storage) > bytes(previous.storage) ? [{ index, claim, from: previous.storage }] : [];
    });
}

/**
 * Whether the claims already have the templates' sizes, so `pulumi up` resizes nothing: the sizes
 * equal those last deployed or, for a StatefulSet deployed without a StorageExpansion (or not at
 * all yet), those of its live claim templates (none when it does not exist).
 */
export async function nothingToResize(api: StorageApi, before: ClaimTemplateSize[] | undefined, after: StorageExpansionArgs): Promise<boolean> {
    const sameSize = (a: string | undefined, b: string) => a !== undefined && bytes(a) === bytes(b);
    if (before !== undefined) {
        return before.length === after.claims.length && after.claims.every((claim) => {
            const previous = before.find((old) => old.name === claim.name);
            return previous !== undefined && sameSize(previous.storage, claim.storage) && previous.storageClassName === claim.storageClassName;
        });
    }
    const live = await api.readClaimTemplateSizes(after.namespace, after.statefulSetName);
    return live === undefined
        || (Object.keys(live).length === after.claims.length && after.claims.every((claim) => sameSize(live[claim.name], claim.storage)));
}

/** A grown template whose StorageClass does not allow expansion: refused before anything changes. */
export async function expansionRefusals(api: StorageApi, before: ClaimTemplateSize[] | undefined, after: StorageExpansionArgs): Promise<SizeRefusal[]> {
    const refusals: SizeRefusal[] = [];
    for (const { index, claim, from } of grownTemplates(before, after)) {
        const storageClass = await api.storageClassAllowsExpansion(claim.storageClassName);
        const where = `${after.field}[${index}].spec.storageClassName`;
        const growth = `the claims ${claim.name}-${after.statefulSetName}-* cannot grow from ${from} to ${claim.storage}`;
        if (storageClass === undefined) {
            refusals.push({ property: "claims", reason: `${where}: ${claim.storageClassName === undefined ? "the cluster has no default StorageClass" : `StorageClass ${claim.storageClassName} does not exist`}, so ${growth}` });
        } else if (!storageClass.allows) {
            refusals.push({
                property: "claims",
                reason: `${where}: StorageClass ${storageClass.name} does not allow volume expansion (allowVolumeExpansion is not true), so ${growth}; `
                    + `keep ${from}, or allow expansion on the StorageClass if its provisioner supports it`,
            });
        }
    }
    return refusals;
}

export interface ExpansionOptions {
    pollIntervalMs?: number;
    clock?: Clock;
}

/**
 * Grows every existing claim of each template to the template's size, waits for the volumes, and
 * replaces the StatefulSet's object (pods orphaned) when its templates still ask for another size.
 * Idempotent: claims already as large are left alone, and a StatefulSet whose templates match is kept.
 */
export async function expandClaims(api: StorageApi, args: StorageExpansionArgs, log: ProgressLog, options: ExpansionOptions = {}): Promise<void> {
    const clock = options.clock ?? realClock;
    const started = clock.now();
    const existing = await api.listClaims(args.namespace);
    // Claims to wait for: those asked to grow now, and those a run before asked and that have not grown yet.
    const grown: { claim: string; storage: string }[] = [];
    for (const template of args.claims) {
        for (const claim of claimsOfTemplate(existing, template.name, args.statefulSetName)) {
            if (!claim.bound) {
                log.warn(`claim ${claim.name} is not bound to a volume yet: it cannot grow, and keeps asking for ${claim.requested ?? "its size"}`);
            } else if (bytes(claim.requested) < bytes(template.storage)) {
                log.info(`claim ${claim.name}: requesting ${template.storage} (was ${claim.requested ?? "unset"})`);
                await api.requestStorage(args.namespace, claim.name, template.storage);
                grown.push({ claim: claim.name, storage: template.storage });
            } else if (bytes(claim.requested) > bytes(template.storage)) {
                log.warn(`claim ${claim.name} asks for ${claim.requested}, more than the template's ${template.storage}: left as it is`);
            } else if (bytes(claim.capacity) < bytes(template.storage)) {
                grown.push({ claim: claim.name, storage: template.storage });
            }
        }
    }
    await waitForCapacity(api, args, grown, log, clock, options.pollIntervalMs ?? 1000);

    const live = await api.readClaimTemplateSizes(args.namespace, args.statefulSetName);
    const differs = live !== undefined && args.claims.some((template) => live[template.name] !== undefined && bytes(live[template.name]) !== bytes(template.storage));
    if (differs) {
        log.info(`StatefulSet ${args.statefulSetName}: claim templates are immutable; deleting the object with its pods orphaned, `
            + "so it is created again with the new sizes and adopts the running pods (none restarts)");
        await api.deleteOrphaningPods(args.namespace, args.statefulSetName);
    }
    if (grown.length > 0 || differs) {
        log.info(`StatefulSet ${args.statefulSetName}: ${grown.length} claim(s) grown (${grown.map((entry) => `${entry.claim} to ${entry.storage}`).join(", ") || "none"}) `
            + `in ${((clock.now() - started) / 1000).toFixed(1)} s`);
    }
    await log.flush?.();
}

/** Waits until each claim's capacity reaches its request, or only the file system's growth on the node is left. */
async function waitForCapacity(api: StorageApi, args: StorageExpansionArgs, grown: { claim: string; storage: string }[],
    log: ProgressLog, clock: Clock, pollIntervalMs: number): Promise<void> {
    const started = clock.now();
    const deadline = started + args.timeoutSeconds * 1000;
    let waiting = [...grown];
    let nextProgress = started + 5000;
    while (waiting.length > 0) {
        const states = await Promise.all(waiting.map((entry) => api.readClaim(args.namespace, entry.claim)));
        const seconds = ((clock.now() - started) / 1000).toFixed(1);
        waiting = waiting.filter((entry, index) => {
            const state = states[index];
            if (bytes(state.capacity) >= bytes(entry.storage)) {
                log.info(`claim ${entry.claim}: capacity ${state.capacity} after ${seconds} s`);
                return false;
            }
            if (state.conditions.includes("FileSystemResizePending")) {
                log.info(`claim ${entry.claim}: volume grown to ${entry.storage} after ${seconds} s; the node grows the file system while the pod runs`);
                return false;
            }
            return true;
        });
        if (waiting.length === 0) return;
        if (clock.now() >= deadline) {
            const states2 = states.filter((state) => waiting.some((entry) => entry.claim === state.name));
            throw new Error(`StatefulSet ${args.statefulSetName}: ${waiting.length} claim(s) did not grow within ${args.timeoutSeconds} s: `
                + states2.map((state) => `${state.name} (capacity ${state.capacity ?? "unknown"}, conditions ${state.conditions.join(", ") || "none"})`).join("; ")
                + ". The storage provisioner's resizer grows them; check its events (kubectl describe pvc), then run pulumi up again");
        }
        if (clock.now() >= nextProgress) {
            log.info(`StatefulSet ${args.statefulSetName}: waiting for ${waiting.map((entry) => entry.claim).join(", ")} to grow (${seconds} s)`);
            nextProgress = clock.now() + 5000;
        }
        await clock.sleep(pollIntervalMs);
    }
}
