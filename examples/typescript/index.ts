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

// Topics and groups live on every master of the cluster; they wait for its brokers to be ready.
const onCluster = { clusterName: mq.brokerClusterName, nameServerAddresses: mq.nameServerAddresses };
const afterCluster = { dependsOn: [mq] };

const orders = new rocketmq.Topic("orders", { ...onCluster, name: "orders", messageType: "FIFO", readQueueNums: 4, writeQueueNums: 4 }, afterCluster);
const payments = new rocketmq.Topic("payments", { ...onCluster, name: "payments", messageType: "NORMAL" }, afterCluster);
const events = new rocketmq.Topic("events", { ...onCluster, name: "events", readQueueNums: 16, writeQueueNums: 16 }, afterCluster);
new rocketmq.ConsumerGroup("billing", { ...onCluster, name: "billing", consumeMessageOrderly: true, retryMaxTimes: 5 }, afterCluster);
new rocketmq.ConsumerGroup("analytics", { ...onCluster, name: "analytics" }, afterCluster);

export const nameServerAddresses = mq.nameServerAddresses;
export const brokerGroups = mq.brokerGroups;
export const topics = [orders.name, payments.name, events.name];
