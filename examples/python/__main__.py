import pulumi
import pulumi_rocketmq as rocketmq

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

# Topics and groups live on every master of the cluster; they wait for its brokers to be ready.
on_cluster = {"cluster_name": mq.broker_cluster_name, "name_server_addresses": mq.name_server_addresses}
after_cluster = pulumi.ResourceOptions(depends_on=[mq])

orders = rocketmq.Topic("orders", name="orders", message_type="FIFO", read_queue_nums=4, write_queue_nums=4, **on_cluster, opts=after_cluster)
payments = rocketmq.Topic("payments", name="payments", message_type="NORMAL", **on_cluster, opts=after_cluster)
events = rocketmq.Topic("events", name="events", read_queue_nums=16, write_queue_nums=16, **on_cluster, opts=after_cluster)
rocketmq.ConsumerGroup("billing", name="billing", consume_message_orderly=True, retry_max_times=5, **on_cluster, opts=after_cluster)
rocketmq.ConsumerGroup("analytics", name="analytics", **on_cluster, opts=after_cluster)

pulumi.export("nameServerAddresses", mq.name_server_addresses)
pulumi.export("brokerGroups", mq.broker_groups)
pulumi.export("topics", [orders.name, payments.name, events.name])
