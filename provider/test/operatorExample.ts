// The operator's example cluster (example/rocketmq_v1alpha1_rocketmq_cluster.yaml of
// apache/rocketmq-operator) in this component's inputs: its BROKER_MEM (" -Xms2g -Xmx2g -Xmn1g ")
// becomes jvmMemory, its broker-common.conf becomes brokerConfig, its console exposes node port 30000.
// Images are the official ones (the operator's custom images are not needed).
export const operatorExample = {
    broker: {
        size: 1,
        nameServers: "",
        replicaPerGroup: 1,
        imagePullPolicy: "Always",
        resources: { requests: { memory: "2048Mi", cpu: "250m" }, limits: { memory: "12288Mi", cpu: "500m" } },
        allowRestart: true,
        storageMode: "EmptyDir",
        hostPath: "/data/rocketmq/broker",
        scalePodName: "broker-0-master-0",
        env: [{ name: "BROKER_MEM", valueFrom: { configMapKeyRef: { name: "broker-config", key: "BROKER_MEM" } } }],
        volumes: [{ name: "broker-config", configMap: { name: "broker-config", items: [{ key: "broker-common.conf", path: "broker-common.conf" }] } }],
        volumeClaimTemplates: [{
            metadata: { name: "broker-storage" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "rocketmq-storage", resources: { requests: { storage: "8Gi" } } },
        }],
        brokerConfig: { deleteWhen: "04", fileReservedTime: 48, flushDiskType: "ASYNC_FLUSH", brokerRole: "ASYNC_MASTER" },
        jvmMemory: { heap: "2g", youngGeneration: "1g" },
    },
    nameServer: {
        size: 1,
        imagePullPolicy: "Always",
        hostNetwork: true,
        dnsPolicy: "ClusterFirstWithHostNet",
        resources: { requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "1024Mi", cpu: "500m" } },
        storageMode: "EmptyDir",
        hostPath: "/data/rocketmq/nameserver",
        volumeClaimTemplates: [{
            metadata: { name: "namesrv-storage" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "rocketmq-storage", resources: { requests: { storage: "1Gi" } } },
        }],
    },
    console: { replicas: 1, serviceType: "NodePort", nodePort: 30000 },
};
