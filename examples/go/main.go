package main

import (
	"github.com/pulumi-rocketmq/pulumi-rocketmq/sdk/go/rocketmq"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		namespace := config.Get(ctx, "namespace")
		if namespace == "" {
			namespace = "default"
		}
		mq, err := rocketmq.NewRocketMQCluster(ctx, "mq", &rocketmq.RocketMQClusterArgs{
			Namespace:         pulumi.StringPtr(namespace),
			BrokerClusterName: pulumi.StringPtr("GoCluster"),
			NameServer:        &rocketmq.NameServerSpecArgs{Size: pulumi.IntPtr(1)},
			Broker: &rocketmq.BrokerSpecArgs{
				Size:            pulumi.IntPtr(1),
				ReplicaPerGroup: pulumi.IntPtr(0),
				JvmMemory:       &rocketmq.JvmMemoryArgs{Heap: pulumi.StringPtr("256m")},
			},
			Console: &rocketmq.ConsoleSpecArgs{Enabled: pulumi.BoolPtr(false)},
		})
		if err != nil {
			return err
		}
		// Topics and groups live on every master of the cluster; they wait for its brokers to be ready.
		afterCluster := pulumi.DependsOn([]pulumi.Resource{mq})
		topics := []struct {
			name string
			args rocketmq.TopicArgs
		}{
			{"orders", rocketmq.TopicArgs{MessageType: pulumi.StringPtr("FIFO"), ReadQueueNums: pulumi.IntPtr(4), WriteQueueNums: pulumi.IntPtr(4)}},
			{"payments", rocketmq.TopicArgs{MessageType: pulumi.StringPtr("NORMAL")}},
			{"events", rocketmq.TopicArgs{ReadQueueNums: pulumi.IntPtr(16), WriteQueueNums: pulumi.IntPtr(16)}},
		}
		var topicNames pulumi.StringArray
		for _, t := range topics {
			t.args.Name = pulumi.String(t.name)
			t.args.ClusterName = mq.BrokerClusterName
			t.args.NameServerAddresses = mq.NameServerAddresses
			topic, err := rocketmq.NewTopic(ctx, t.name, &t.args, afterCluster)
			if err != nil {
				return err
			}
			topicNames = append(topicNames, topic.Name)
		}
		groups := []struct {
			name string
			args rocketmq.ConsumerGroupArgs
		}{
			{"billing", rocketmq.ConsumerGroupArgs{ConsumeMessageOrderly: pulumi.BoolPtr(true), RetryMaxTimes: pulumi.IntPtr(5)}},
			{"analytics", rocketmq.ConsumerGroupArgs{}},
		}
		for _, g := range groups {
			g.args.Name = pulumi.String(g.name)
			g.args.ClusterName = mq.BrokerClusterName
			g.args.NameServerAddresses = mq.NameServerAddresses
			if _, err := rocketmq.NewConsumerGroup(ctx, g.name, &g.args, afterCluster); err != nil {
				return err
			}
		}

		ctx.Export("nameServerAddresses", mq.NameServerAddresses)
		ctx.Export("brokerGroups", mq.BrokerGroups)
		ctx.Export("topics", topicNames)
		return nil
	})
}
