import * as pulumi from "@pulumi/pulumi";
import * as rocketmq from "@pulumi-rocketmq/rocketmq";

const config = new pulumi.Config();

const mq = new rocketmq.RocketMQCluster("mq", {
    namespace: config.get("namespace") ?? "default",
    brokerClusterName: "TsCluster",
    nameServer: { size: 1 },
    broker: {
        size: 1,
        replicaPerGroup: 1,
        jvmMemory: { heap: "256m" },
        brokerConfig: { deleteWhen: "04", fileReservedTime: 48 },
    },
    console: { enabled: false },
});

export const nameServerAddresses = mq.nameServerAddresses;
export const brokerGroups = mq.brokerGroups;
