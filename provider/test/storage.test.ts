import * as assert from "assert";
import { kind, renderCluster } from "./clusterHarness";

function brokerPod(rendered: Awaited<ReturnType<typeof renderCluster>>, statefulSetName: string) {
    const statefulSet = rendered.object(kind.statefulSet, statefulSetName);
    const container = statefulSet.spec.template.spec.containers[0];
    const mounts = Object.fromEntries(container.volumeMounts.map((mount: any) => [mount.mountPath, mount]));
    const volumes = Object.fromEntries(statefulSet.spec.template.spec.volumes.map((volume: any) => [volume.name, volume]));
    const env = Object.fromEntries(container.env.map((entry: any) => [entry.name, entry]));
    return { statefulSet, mounts, volumes, env };
}

const claim = (name: string, size: string) => ({
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: size } } },
});

describe("RocketMQCluster storage modes", () => {
    it("EmptyDir keeps logs and store in a pod-local emptyDir", async () => {
        const rendered = await renderCluster({ broker: { storageMode: "EmptyDir" }, nameServer: { storageMode: "EmptyDir" } });
        for (const name of ["broker-0-master", "broker-0-replica-1"]) {
            const { statefulSet, mounts, volumes } = brokerPod(rendered, name);
            assert.deepStrictEqual(volumes["rocketmq-data"], { name: "rocketmq-data", emptyDir: {} });
            assert.deepStrictEqual(mounts["/home/rocketmq/store"], { name: "rocketmq-data", mountPath: "/home/rocketmq/store", subPath: "store" });
            assert.deepStrictEqual(mounts["/home/rocketmq/logs"], { name: "rocketmq-data", mountPath: "/home/rocketmq/logs", subPath: "logs" });
            assert.strictEqual(statefulSet.spec.volumeClaimTemplates, undefined);
        }
        const nameServer = brokerPod(rendered, "name-service");
        assert.deepStrictEqual(nameServer.volumes["rocketmq-data"].emptyDir, {});
    });

    it("HostPath puts every pod in its own sub-directory of the host path", async () => {
        const rendered = await renderCluster({
            broker: { storageMode: "HostPath", hostPath: "/data/rocketmq/broker", replicaPerGroup: 2 },
            nameServer: { storageMode: "HostPath", hostPath: "/data/rocketmq/nameserver", size: 2 },
        });
        for (const name of ["broker-0-master", "broker-0-replica-1", "broker-0-replica-2"]) {
            const { statefulSet, mounts, volumes, env } = brokerPod(rendered, name);
            assert.deepStrictEqual(volumes["rocketmq-data"].hostPath, { path: "/data/rocketmq/broker", type: "DirectoryOrCreate" });
            // $(POD_NAME) expands per pod, so broker-0-master-0 and broker-0-replica-1-0 never share a store.
            assert.strictEqual(mounts["/home/rocketmq/store"].subPathExpr, "$(POD_NAME)/store");
            assert.strictEqual(mounts["/home/rocketmq/logs"].subPathExpr, "$(POD_NAME)/logs");
            assert.strictEqual(mounts["/home/rocketmq/store"].subPath, undefined);
            assert.deepStrictEqual(env.POD_NAME.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
            assert.strictEqual(statefulSet.spec.volumeClaimTemplates, undefined);
        }
        const nameServer = brokerPod(rendered, "name-service");
        assert.strictEqual(nameServer.volumes["rocketmq-data"].hostPath.path, "/data/rocketmq/nameserver");
        assert.strictEqual(nameServer.mounts["/home/rocketmq/logs"].subPathExpr, "$(POD_NAME)/logs");
        assert.deepStrictEqual(nameServer.env.POD_NAME.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
    });

    it("StorageClass adds the claim templates to every StatefulSet and mounts the first claim", async () => {
        const rendered = await renderCluster({
            broker: { storageMode: "StorageClass", volumeClaimTemplates: [claim("broker-storage", "8Gi")] },
            nameServer: { storageMode: "StorageClass", volumeClaimTemplates: [claim("namesrv-storage", "1Gi")] },
        });
        for (const name of ["broker-0-master", "broker-0-replica-1"]) {
            const { statefulSet, mounts, volumes } = brokerPod(rendered, name);
            assert.deepStrictEqual(statefulSet.spec.volumeClaimTemplates, [claim("broker-storage", "8Gi")]);
            assert.deepStrictEqual(mounts["/home/rocketmq/store"], { name: "broker-storage", mountPath: "/home/rocketmq/store", subPath: "store" });
            assert.deepStrictEqual(mounts["/home/rocketmq/logs"], { name: "broker-storage", mountPath: "/home/rocketmq/logs", subPath: "logs" });
            assert.strictEqual(volumes["rocketmq-data"], undefined, "no emptyDir beside the claims");
        }
        const nameServer = brokerPod(rendered, "name-service");
        assert.deepStrictEqual(nameServer.statefulSet.spec.volumeClaimTemplates, [claim("namesrv-storage", "1Gi")]);
        assert.strictEqual(nameServer.mounts["/home/rocketmq/logs"].name, "namesrv-storage");
    });
});
