// StorageApi through the Kubernetes API (@kubernetes/client-node): claims, StorageClasses, and the
// orphaning delete of a StatefulSet.
import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../../connect/kubeconfig";
import { Clock, realClock } from "../progressLog";
import { ClaimState, StorageApi } from "./claimExpansion";

const defaultClassAnnotations = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

function claimState(claim: k8s.V1PersistentVolumeClaim): ClaimState {
    return {
        name: claim.metadata?.name ?? "",
        requested: claim.spec?.resources?.requests?.storage as string | undefined,
        capacity: claim.status?.capacity?.storage as string | undefined,
        conditions: (claim.status?.conditions ?? []).filter((condition) => condition.status === "True").map((condition) => condition.type),
        bound: claim.status?.phase === "Bound",
    };
}

function isNotFound(error: unknown): boolean {
    return (error as { code?: number }).code === 404;
}

export async function kubeStorageApi(kubeconfig: string | undefined, clock: Clock = realClock): Promise<StorageApi> {
    const client = await import("@kubernetes/client-node");
    const { config } = await loadKubeConfig(kubeconfig);
    const core = config.makeApiClient(client.CoreV1Api);
    const storage = config.makeApiClient(client.StorageV1Api);
    const apps = config.makeApiClient(client.AppsV1Api);
    const mergePatch = client.setHeaderOptions("Content-Type", client.PatchStrategy.MergePatch);
    return {
        async listClaims(namespace) {
            return (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.map(claimState);
        },
        async readClaim(namespace, name) {
            return claimState(await core.readNamespacedPersistentVolumeClaim({ name, namespace }));
        },
        async requestStorage(namespace, name, size) {
            await core.patchNamespacedPersistentVolumeClaim({ name, namespace, body: { spec: { resources: { requests: { storage: size } } } } }, mergePatch);
        },
        async storageClassAllowsExpansion(name) {
            if (name !== undefined) {
                try {
                    const found = await storage.readStorageClass({ name });
                    return { name, allows: found.allowVolumeExpansion === true };
                } catch (error) {
                    if (isNotFound(error)) return undefined;
                    throw error;
                }
            }
            const found = (await storage.listStorageClass()).items.find((item) =>
                defaultClassAnnotations.some((annotation) => item.metadata?.annotations?.[annotation] === "true"));
            return found ? { name: found.metadata?.name ?? "(default)", allows: found.allowVolumeExpansion === true } : undefined;
        },
        async readClaimTemplateSizes(namespace, name) {
            try {
                const statefulSet = await apps.readNamespacedStatefulSet({ name, namespace });
                return Object.fromEntries((statefulSet.spec?.volumeClaimTemplates ?? []).map((template) =>
                    [template.metadata?.name ?? "", template.spec?.resources?.requests?.storage as string | undefined]));
            } catch (error) {
                if (isNotFound(error)) return undefined;
                throw error;
            }
        },
        async deleteOrphaningPods(namespace, name) {
            try {
                await apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: "Orphan" });
            } catch (error) {
                if (isNotFound(error)) return;
                throw error;
            }
            // The garbage collector first takes the pods' owner references off, then the object goes.
            const deadline = clock.now() + 120_000;
            for (;;) {
                try {
                    await apps.readNamespacedStatefulSet({ name, namespace });
                } catch (error) {
                    if (isNotFound(error)) return;
                    throw error;
                }
                if (clock.now() > deadline) throw new Error(`StatefulSet ${namespace}/${name} was still there 120 s after its orphaning delete`);
                await clock.sleep(500);
            }
        },
    };
}
