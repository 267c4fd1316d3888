import pulumi
import pulumi_rocketmq_rocketmq as rocketmq

config = pulumi.Config()

mq = rocketmq.RocketMQCluster(
    "mq",
    namespace=config.get("namespace") or "default",
    broker_cluster_name="PyCluster",
    name_server=rocketmq.NameServerSpecArgs(size=1),
    broker=rocketmq.BrokerSpecArgs(
        size=1,
        replica_per_group=0,
        jvm_memory=rocketmq.JvmMemoryArgs(heap="256m"),
    ),
    console=rocketmq.ConsoleSpecArgs(enabled=False),
)

pulumi.export("nameServerAddresses", mq.name_server_addresses)
pulumi.export("brokerGroups", mq.broker_groups)
