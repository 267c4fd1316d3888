import * as pulumi from "@pulumi/pulumi";
import * as rocketmq from "@pulumi-rocketmq/rocketmq";

const config = new pulumi.Config();

const mq = new rocketmq.RocketMQCluster("mq", {
    namespace: config.require("namespace"),
    brokerClusterName: "SdkOnly",
    nameServer: { size: 1 },
    broker: { size: config.getNumber("brokerGroups") ?? 1, replicaPerGroup: 0, jvmMemory: { heap: "256m" } },
    console: { enabled: false },
});

export const nameServerAddresses = mq.nameServerAddresses;
