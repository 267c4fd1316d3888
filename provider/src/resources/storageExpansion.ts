// rocketmq:index:StorageExpansion, created by RocketMQCluster for each StatefulSet whose storage
// comes from a StorageClass; the StatefulSet depends on it. check refuses, at preview, a claim
// template that shrinks or grows on a StorageClass without allowVolumeExpansion; create and update
// grow the existing claims and let the StatefulSet's object go with its pods orphaned
// (ops/storage/claimExpansion.ts), before the kubernetes provider replaces that object.
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { resolveInputs } from "../inputs/resolve";
import { ClaimTemplateSize, StorageExpansionArgs, storageExpansionInputNames, validateStorageExpansionArgs } from "../inputs/storageExpansion";
import { expandClaims, expansionRefusals, shrinkRefusals, StorageApi } from "../ops/storage/claimExpansion";
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
            return refusals.length > 0 ? { inputs: news, failures: refusals } : checked;
        },
        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, storageExpansionInputNames, inputDefaults);
            return { changes: changed.some((key) => key !== "kubeconfig"), replaces: [], deleteBeforeReplace: false };
        },
        async create(urn, inputs) {
            const args = parse(inputs);
            await expand(args, urn);
            return { id: `${args.namespace}/${args.statefulSetName}`, outs: stateOf(args) };
        },
        async read(id, props) {
            return { id, props, inputs: plainInputs(props, storageExpansionInputNames) };
        },
        async update(_id, _olds, news, urn) {
            const args = parse(news);
            await expand(args, urn ?? "");
            return { outs: stateOf(args) };
        },
        async delete() {
            // Claims stay with their data, as a StatefulSet's claims do.
        },
    };

    async function expand(args: StorageExpansionArgs, urn: string) {
        await expandClaims(await apiFor(args.kubeconfig), args, logFor(urn));
    }
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
