// The admin client reaching RocketMQ pods of the sandbox cluster only through the API server's
// port-forward: a name server pod and a broker pod of the pod contract; the broker registers with
// its pod IP, and the Kubernetes port-forward connector maps that IP back to the pod.
// Streams use SPDY tunneled in a WebSocket (the connector's default), as kubectl does.

import { strict as assert } from "node:assert";
import type { Duplex } from "node:stream";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { ApiPodLocator, KubernetesPortForwardConnector, PodLocator, PodPortForwarder, PodRef, SpdyTunnelPortForwarder } from "../../provider/src/connect";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { nameMap } from "../../provider/test/admin/nameMaps";

const namespace = `e2e-admin-pf-${process.pid}`;

function namesrvPod(): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "name-service-0", namespace },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: "name-service",
          image: "apache/rocketmq:5.5.1",
          command: ["sh", "mqnamesrv"],
          ports: [{ containerPort: 9876 }],
          env: [{ name: "JAVA_OPT_EXT", value: "-Xms64m -Xmx64m" }],
          readinessProbe: { tcpSocket: { port: 9876 }, periodSeconds: 2 },
        },
      ],
    },
  });
}

function brokerPod(namesrvAddr: string): string {
  const conf = [
    "brokerClusterName=pf-cluster",
    "brokerName=broker-pf",
    "brokerId=0",
    "brokerRole=ASYNC_MASTER",
    "flushDiskType=ASYNC_FLUSH",
    `namesrvAddr=${namesrvAddr}`,
    "storePathRootDir=/home/rocketmq/store",
    "mappedFileSizeCommitLog=16777216",
    "timerWheelEnable=false",
  ].join("\\n");
  const script = `printf '${conf}\\nbrokerIP1=%s\\n' "$POD_IP" > /home/rocketmq/conf/broker.conf && exec sh mqbroker -c /home/rocketmq/conf/broker.conf`;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "broker-pf-0", namespace },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: "broker",
          image: "apache/rocketmq:5.5.1",
          command: ["sh", "-c", script],
          ports: [10909, 10911, 10912].map((containerPort) => ({ containerPort })),
          env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "JAVA_OPT_EXT", value: "-Xms256m -Xmx256m -XX:MaxDirectMemorySize=128m" },
          ],
          readinessProbe: { tcpSocket: { port: 10911 }, periodSeconds: 2 },
          volumeMounts: [
            { name: "conf", mountPath: "/home/rocketmq/conf" },
            { name: "store", mountPath: "/home/rocketmq/store" },
          ],
        },
      ],
      volumes: [
        { name: "conf", emptyDir: {} },
        { name: "store", emptyDir: {} },
      ],
    },
  });
}

/** Records which pods were looked up and forwarded to, so the test knows port-forward carried the calls. */
class Recording implements PodLocator, PodPortForwarder {
  readonly lookups: string[] = [];
  readonly forwards: string[] = [];
  constructor(
    private readonly locator: PodLocator,
    private readonly forwarder: PodPortForwarder,
  ) {}
  podFor(host: string, port: number, signal?: AbortSignal): Promise<PodRef> {
    this.lookups.push(host);
    return this.locator.podFor(host, port, signal);
  }
  open(pod: PodRef, port: number, signal?: AbortSignal): Promise<Duplex> {
    this.forwards.push(`${pod.namespace}/${pod.name}:${port}`);
    return this.forwarder.open(pod, port, signal);
  }
}

describe("admin client through Kubernetes port-forward (sandbox)", function () {
  this.timeout(600_000);
  let sandbox: Sandbox;

  async function podIP(name: string): Promise<string> {
    await sandbox.kubectl(["-n", namespace, "wait", "--for=condition=Ready", `pod/${name}`, "--timeout=240s"], { timeoutMs: 250_000 });
    return (await sandbox.kubectl(["-n", namespace, "get", "pod", name, "-o", "jsonpath={.status.podIP}"])).trim();
  }

  before(async () => {
    sandbox = await ensureSandbox();
    await sandbox.kubectl(["create", "namespace", namespace]);
  });

  after(async () => {
    await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=150s"], { timeoutMs: 170_000 }).catch(() => undefined);
  });

  it("reads cluster info and broker config of pods addressed by pod IP", async () => {
    await sandbox.kubectl(["apply", "-f", "-"], { input: namesrvPod() });
    const namesrvIP = await podIP("name-service-0");
    await sandbox.kubectl(["apply", "-f", "-"], { input: brokerPod(`${namesrvIP}:9876`) });
    const brokerIP = await podIP("broker-pf-0");

    const k8s = await import("@kubernetes/client-node");
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(sandbox.kubeconfig);
    const recording = new Recording(
      new ApiPodLocator(kubeConfig.makeApiClient(k8s.CoreV1Api), [namespace]),
      new SpdyTunnelPortForwarder(kubeConfig),
    );
    const client = new RocketMQAdminClient({
      nameServers: `${namesrvIP}:9876`,
      connector: new KubernetesPortForwardConnector(recording, recording, kubeConfig.getCurrentCluster()?.server ?? "the sandbox"),
      timeoutMs: 15_000,
    });
    try {
      // The broker registers a little after its port opens.
      let info = await client.getClusterInfo();
      for (let i = 0; i < 60 && !info.brokers["broker-pf"]; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        info = await client.getClusterInfo();
      }
      assert.deepEqual(info.clusters, nameMap({ "pf-cluster": ["broker-pf"] }));
      assert.equal(info.brokers["broker-pf"].addresses["0"], `${brokerIP}:10911`);

      const config = await client.getBrokerConfig(`${brokerIP}:10911`);
      assert.equal(config.brokerName, "broker-pf");
      assert.equal(config.brokerIP1, brokerIP);

      await client.createOrUpdateTopic(`${brokerIP}:10911`, { topicName: "pf-topic", readQueueNums: 2, writeQueueNums: 2, perm: 6 });
      assert.equal((await client.getAllTopicConfigs(`${brokerIP}:10911`)).topics["pf-topic"]?.writeQueueNums, 2);

      // Every connection went through the API server's port-forward, one per pod address.
      assert.deepEqual(recording.lookups.sort(), [brokerIP, namesrvIP].sort());
      assert.deepEqual(recording.forwards.sort(), [`${namespace}/broker-pf-0:10911`, `${namespace}/name-service-0:9876`]);
    } finally {
      client.close();
    }
  });
});
