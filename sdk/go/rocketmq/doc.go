// Deploy and operate Apache RocketMQ on Kubernetes with Pulumi, with no operator running in the cluster.
package rocketmq
