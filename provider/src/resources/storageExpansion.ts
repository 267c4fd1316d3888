// rocketmq:index:StorageExpansion, created by RocketMQCluster for each StatefulSet whose storage
// comes from a StorageClass; the StatefulSet depends on it. check refuses, at preview, a claim
// template that shrinks or grows on a StorageClass without allowVolumeExpansion, and gives
// appliedClaims when nothing is to be resized; create (new sizes replace the resource) grows the
// existing claims and lets the StatefulSet's object go with its pods orphaned
// (ops/storage/claimExpansion.ts), before the kubernetes provider replaces that object.
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { resolveInputs } from "../inputs/resolve";
import { ClaimTemplateSize, StorageExpansionArgs, storageExpansionInputNames, validateStorageExpansionArgs } from "../inputs/storageExpansion";
import { expandClaims, expansionRefusals, nothingToResize, shrinkRefusals, StorageApi } from "../ops/storage/claimExpansion";
import { kubeStorageApi } from "../ops/storage/kubeStorageApi";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs } from "./placedResource";

export type StorageApiFactory = (kubeconfig: string | undefined) => Promise<StorageApi>;

const inputDefaults = { timeoutSeconds: 600 };

export function storageExpansionHandler(apiFor: StorageApiFactory = (kubeconfig) => kubeStorageApi(kubeconfig), logFor: ResourceLogs = engineResourceLogs(undefined)): CustomResourceHandler {
    return {
        async check(_urn, olds, news) {
            const checked = await checkInputs(news, validateStorageExpansionArgs);
            const resolved = await resolveInputs(news);
            const validation = validateStorageExpansionArgs(resolved.value);
            if (checked.failures?.length || resolved.unknownPaths.length > 0 || !validation.ok) return checked;
            const before = previousClaims(olds);
            const refusals = shrinkRefusals(before, validation.value);
            if (refusals.length === 0) {
                try {
                    refusals.push(...await expansionRefusals(await apiFor(validation.value.kubeconfig), before, validation.value));
                } catch (error) {
                    refusals.push({ property: "claims", reason: `${validation.value.field}: cannot read the StorageClass to check that the claims may grow: ${(error as Error).message}` });
                }
            }
            if (refusals.length > 0) return { inputs: news, failures: refusals };
            return { inputs: { ...checked.inputs, ...await settledClaims(validation.value, before) } };
        },
        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, storageExpansionInputNames, inputDefaults);
            // New sizes replace the resource (its delete does nothing); check leaves appliedClaims out
            // of their inputs, so it is unknown in the preview (see cluster/storageExpansion.ts).
            return { changes: changed.some((key) => key !== "kubeconfig"), replaces: changed.includes("claims") ? ["claims"] : [], deleteBeforeReplace: false };
        },
        async create(urn, inputs) {
            const args = parse(inputs);
            await expand(args, urn);
            return { id: `${args.namespace}/${args.statefulSetName}`, outs: outputsOf(args) };
        },
        async read(id, props) {
            return { id, props, inputs: plainInputs(props, storageExpansionInputNames) };
        },
        async update(_id, _olds, news, urn) {
            const args = parse(news);
            await expand(args, urn ?? "");
            return { outs: outputsOf(args) };
        },
        async delete() {
            // Claims stay with their data, as a StatefulSet's claims do.
        },
    };

    async function expand(args: StorageExpansionArgs, urn: string) {
        await expandClaims(await apiFor(args.kubeconfig), args, logFor(urn));
    }

    /**
     * appliedClaims among the checked inputs when `pulumi up` resizes nothing. A preview hands a
     * resource's checked inputs back as its outputs, so the StatefulSet's claim templates are then
     * known and the preview shows it as up will leave it, also for a StorageExpansion new to a
     * deployed StatefulSet (a stack deployed by a provider version without it). When claims are to
     * grow, or the cluster cannot be read, it stays unknown (see cluster/storageExpansion.ts).
     */
    async function settledClaims(args: StorageExpansionArgs, before: ClaimTemplateSize[] | undefined): Promise<{ appliedClaims?: ClaimTemplateSize[] }> {
        try {
            return await nothingToResize(await apiFor(args.kubeconfig), before, args) ? { appliedClaims: args.claims } : {};
        } catch {
            return {};
        }
    }
}

/** The inputs, and the sizes the claims now have (appliedClaims, an output only: see cluster/storageExpansion.ts). */
function outputsOf(args: StorageExpansionArgs): Record<string, unknown> {
    return { ...stateOf(args), appliedClaims: args.claims };
}

function previousClaims(olds: Record<string, unknown>): ClaimTemplateSize[] | undefined {
    const claims = plainInputs(olds, ["claims"]).claims;
    return Array.isArray(claims) ? (claims as ClaimTemplateSize[]) : undefined;
}

function parse(inputs: Record<string, unknown>): StorageExpansionArgs {
    const validation = validateStorageExpansionArgs(plainInputs(inputs, storageExpansionInputNames));
    if (!validation.ok) throw new Error(`invalid StorageExpansion inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
