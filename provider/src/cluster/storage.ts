// Where RocketMQ keeps its files: an emptyDir, a host directory (one sub-directory per pod, so two
// pods on one node never share a store), or the StatefulSet's volume claim templates.
import * as k8s from "./k8s";
import * as pulumi from "@pulumi/pulumi";
import { containsOutputs } from "./derive";
import { storageModes } from "../inputs/cluster";

type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type PersistentVolumeClaim = k8s.types.input.core.v1.PersistentVolumeClaim;

export const dataVolumeName = "rocketmq-data";

export interface StorageSpec {
    storageMode: (typeof storageModes)[number];
    hostPath?: string;
    volumeClaimTemplates?: Record<string, unknown>[];
}

/** The storage fields of a spec as the component has them: any of them may be an Output. */
export type StorageInputs = { [K in keyof StorageSpec]: pulumi.Input<StorageSpec[K]> | object };

/** A pod's storage when the spec it comes from is not fully known or holds a secret. */
export interface DerivedPodStorage {
    volumes: pulumi.Input<Volume[]>;
    volumeMounts: pulumi.Input<VolumeMount[]>;
    volumeClaimTemplates: pulumi.Input<PersistentVolumeClaim[]>;
    env: pulumi.Input<EnvVar[]>;
}

/** A directory of the container and the sub-directory of the data volume that backs it. */
export interface DataDirectory {
    subPath: string;
    mountPath: string;
}

export interface PodStorage {
    volumes: Volume[];
    volumeMounts: VolumeMount[];
    volumeClaimTemplates: PersistentVolumeClaim[];
    /** Env the mounts need (POD_NAME for per-pod host sub-directories). */
    env: EnvVar[];
}

export const podNameEnv: EnvVar = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };

export function podStorage(spec: StorageInputs, directories: DataDirectory[]): PodStorage | DerivedPodStorage {
    const fields = { storageMode: spec.storageMode, hostPath: spec.hostPath, volumeClaimTemplates: spec.volumeClaimTemplates };
    if (!containsOutputs(fields)) {
        return knownPodStorage(fields as StorageSpec, directories);
    }
    const storage = pulumi.output(fields).apply((known) => knownPodStorage(known as StorageSpec, directories));
    return {
        volumes: storage.apply((known) => known.volumes),
        volumeMounts: storage.apply((known) => known.volumeMounts),
        volumeClaimTemplates: storage.apply((known) => known.volumeClaimTemplates),
        env: storage.apply((known) => known.env),
    };
}

/** The StatefulSet spec field for the claim templates: absent when there are none. */
export function claimTemplatesField(storage: PodStorage | DerivedPodStorage): { volumeClaimTemplates?: pulumi.Input<PersistentVolumeClaim[]> } {
    if (!Array.isArray(storage.volumeClaimTemplates)) {
        return { volumeClaimTemplates: pulumi.output(storage.volumeClaimTemplates).apply((templates) => (templates.length > 0 ? templates : undefined)) as pulumi.Output<PersistentVolumeClaim[]> };
    }
    return storage.volumeClaimTemplates.length > 0 ? { volumeClaimTemplates: storage.volumeClaimTemplates } : {};
}

function knownPodStorage(spec: StorageSpec, directories: DataDirectory[]): PodStorage {
    switch (spec.storageMode) {
        case "EmptyDir":
            return {
                volumes: [{ name: dataVolumeName, emptyDir: {} }],
                volumeMounts: directories.map(({ subPath, mountPath }) => ({ name: dataVolumeName, mountPath, subPath })),
                volumeClaimTemplates: [],
                env: [],
            };
        case "HostPath":
            return {
                volumes: [{ name: dataVolumeName, hostPath: { path: requireHostPath(spec), type: "DirectoryOrCreate" } }],
                volumeMounts: directories.map(({ subPath, mountPath }) => ({
                    name: dataVolumeName,
                    mountPath,
                    subPathExpr: `$(POD_NAME)/${subPath}`,
                })),
                volumeClaimTemplates: [],
                env: [podNameEnv],
            };
        case "StorageClass": {
            const templates = (spec.volumeClaimTemplates ?? []) as PersistentVolumeClaim[];
            const claimName = (templates[0]?.metadata as { name?: string } | undefined)?.name;
            if (claimName === undefined) {
                throw new Error("storageMode StorageClass needs a volume claim template with metadata.name");
            }
            return {
                volumes: [],
                volumeMounts: directories.map(({ subPath, mountPath }) => ({ name: claimName, mountPath, subPath })),
                volumeClaimTemplates: templates,
                env: [],
            };
        }
    }
}

function requireHostPath(spec: StorageSpec): string {
    if (spec.hostPath === undefined) {
        throw new Error("storageMode HostPath needs hostPath");
    }
    return spec.hostPath;
}
