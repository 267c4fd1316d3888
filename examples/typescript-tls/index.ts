// cert-manager, a CA Issuer for your CA, and a RocketMQ cluster that enforces TLS on remoting and
// gRPC with a certificate cert-manager issues for every name server, broker and proxy. A Topic and
// a ConsumerGroup reach the cluster over TLS with its clientTls output.
//
// Before `pulumi up`: make a CA (ca.crt, ca.key) and put it in the cluster's namespace as a Secret
// the Issuer signs with, so no private key passes through this program or its state:
//   kubectl create secret tls rocketmq-ca --cert=ca.crt --key=ca.key -n <namespace>
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as rocketmq from "@pulumi-rocketmq/rocketmq";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "default";
// The CA's certificate (public): the provider verifies the brokers against it.
const caBundle = fs.readFileSync(config.get("caCertFile") ?? "ca.crt", "utf8");

const certManagerNamespace = new k8s.core.v1.Namespace("cert-manager", { metadata: { name: "cert-manager" } });
const certManager = new certmanager.CertManager("cert-manager", {
    installCRDs: true,
    helmOptions: { namespace: certManagerNamespace.metadata.name },
});

const issuer = new k8s.apiextensions.CustomResource("rocketmq-ca", {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: { name: "rocketmq-ca", namespace },
    spec: { ca: { secretName: "rocketmq-ca" } },
}, { dependsOn: [certManager] });

const mq = new rocketmq.RocketMQCluster("mq", {
    namespace,
    brokerClusterName: "TlsCluster",
    nameServer: { size: 1 },
    broker: { size: 1, replicaPerGroup: 1, jvmMemory: { heap: "256m" } },
    proxy: { enabled: true },
    console: { enabled: false },
    tls: {
        mode: "enforcing",
        issuerRef: { name: "rocketmq-ca", kind: "Issuer" },
        caBundle,
    },
}, { dependsOn: [issuer] });

// The operating resources speak TLS to the cluster and verify it. clientTls is an optional output
// (absent without TLS); this cluster enforces TLS with a caBundle, so it is present.
const clientTls = mq.clientTls.apply((tls) => tls!);
const onCluster = { clusterName: mq.brokerClusterName, nameServerAddresses: mq.nameServerAddresses, tls: clientTls };
const orders = new rocketmq.Topic("orders", { ...onCluster, name: "orders", readQueueNums: 4, writeQueueNums: 4 }, { dependsOn: [mq] });
new rocketmq.ConsumerGroup("billing", { ...onCluster, name: "billing" }, { dependsOn: [mq] });

export const nameServerAddresses = mq.nameServerAddresses;
export const proxyEndpoint = mq.proxyEndpoint;
export const serverName = clientTls.serverName;
export const topic = orders.name;
