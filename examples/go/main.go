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
		ctx.Export("nameServerAddresses", mq.NameServerAddresses)
		ctx.Export("brokerGroups", mq.BrokerGroups)
		return nil
	})
}
