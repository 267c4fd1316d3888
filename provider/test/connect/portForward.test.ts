// Reaching RocketMQ through the Kubernetes API: which pod serves an address, how the path is
// chosen, what the errors tell the user, and that an operation closes every stream it opened.
// The API server and the port-forward are fakes here; tests/e2e runs them for real.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Duplex, PassThrough } from "node:stream";
import type * as k8s from "@kubernetes/client-node";
import { RocketMQAdminClient } from "../../src/admin";
import { encodeFrame, FLAG_RESPONSE, FrameDecoder } from "../../src/admin/codec";
import { ApiPodLocator, choosePath, KubernetesPortForwardConnector, loadKubeConfig, matchPod, openClusterConnection, podNamedBy, PodRef } from "../../src/connect";
import { ambientKubeConfigSource } from "../../src/connect/kubeconfig";
import { namespaceOfName } from "../../src/connect/podLocator";
import { nameMap } from "../admin/nameMaps";
import { scratchDir } from "../../../tests/support/scratch";

/** Plays a pod behind a port-forward: a RocketMQ peer that says which pod and port answered. */
class FakeForwarder {
  readonly opened: string[] = [];
  readonly streams: Duplex[] = [];
  async open(pod: PodRef, port: number): Promise<Duplex> {
    this.opened.push(`${pod.namespace}/${pod.name}:${port}`);
    const decoder = new FrameDecoder();
    const stream: Duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        for (const request of decoder.push(chunk)) {
          const body = Buffer.from(`servedBy=${pod.namespace}/${pod.name}:${port}\n`);
          stream.push(encodeFrame({ code: 0, opaque: request.opaque, flag: FLAG_RESPONSE, body }));
        }
        done();
      },
    });
    this.streams.push(stream);
    return stream;
  }
}

function pod(name: string, namespace: string, ip: string, extra: { hostNetwork?: boolean; ports?: number[]; phase?: string } = {}): k8s.V1Pod {
  return {
    metadata: { name, namespace },
    spec: { hostNetwork: extra.hostNetwork, containers: [{ name: "c", ports: (extra.ports ?? []).map((containerPort) => ({ containerPort })) }] },
    status: { phase: extra.phase ?? "Running", podIP: ip },
  };
}

/** A CoreV1Api that answers pod lists from a fixed set and records what was asked. */
function fakeCore(pods: k8s.V1Pod[], failWith?: number) {
  const calls: string[] = [];
  const fail = () => Object.assign(new Error(`HTTP-Code: ${failWith}`), { code: failWith });
  const core = {
    async listNamespacedPod({ namespace }: { namespace: string }) {
      calls.push(`list ${namespace}`);
      if (failWith) throw fail();
      return { items: pods.filter((p) => p.metadata?.namespace === namespace) };
    },
    async listPodForAllNamespaces({ fieldSelector }: { fieldSelector: string }) {
      calls.push(`list all ${fieldSelector}`);
      if (failWith) throw fail();
      const ip = fieldSelector.replace("status.podIP=", "");
      return { items: pods.filter((p) => p.status?.podIP === ip) };
    },
  };
  return { core, calls };
}

describe("connect: address to pod", () => {
  it("reads the pod and namespace from a name server's cluster DNS name", () => {
    assert.deepEqual(podNamedBy("name-service-0.name-service.prod.svc.cluster.local"), { name: "name-service-0", namespace: "prod" });
    assert.deepEqual(podNamedBy("name-service-0.name-service.prod.svc"), { name: "name-service-0", namespace: "prod" });
    assert.equal(podNamedBy("name-service.prod.svc.cluster.local"), undefined, "a Service name names no pod");
    assert.equal(podNamedBy("example.com"), undefined);
    assert.equal(namespaceOfName("name-service.prod.svc.cluster.local"), "prod");
    assert.equal(namespaceOfName("10.0.0.1"), undefined);
  });

  it("maps a pod IP to its pod, ignoring finished pods that had the IP before", () => {
    const pods = [pod("old", "mq", "10.0.0.7", { phase: "Succeeded" }), pod("broker-0-0", "mq", "10.0.0.7")];
    assert.deepEqual(matchPod(pods, "10.0.0.7", 10911), { name: "broker-0-0", namespace: "mq" });
    assert.equal(matchPod(pods, "10.0.0.8", 10911), undefined);
  });

  it("maps a hostNetwork pod by its node's IP and the container port it declares", () => {
    const onNode = [
      pod("name-service-0", "mq", "192.168.1.5", { hostNetwork: true, ports: [9876] }),
      pod("broker-0-0", "mq", "192.168.1.5", { hostNetwork: true, ports: [10909, 10911, 10912] }),
    ];
    assert.deepEqual(matchPod(onNode, "192.168.1.5", 10911), { name: "broker-0-0", namespace: "mq" });
    assert.deepEqual(matchPod(onNode, "192.168.1.5", 9876), { name: "name-service-0", namespace: "mq" });
    assert.equal(matchPod(onNode, "192.168.1.5", 8080), undefined);
    const twice = [...onNode, pod("broker-1-0", "other", "192.168.1.5", { hostNetwork: true, ports: [10911] })];
    assert.throws(() => matchPod(twice, "192.168.1.5", 10911), /2 pods serve 192\.168\.1\.5:10911 \(mq\/broker-0-0, other\/broker-1-0\)/);
  });

  it("lists the known namespace once per operation, then asks the whole cluster for an IP not there", async () => {
    const { core, calls } = fakeCore([pod("broker-0-0", "mq", "10.0.0.7"), pod("broker-1-0", "mq", "10.0.0.8"), pod("edge-0-0", "edge", "10.0.0.9")]);
    const locator = new ApiPodLocator(core as unknown as k8s.CoreV1Api, ["mq"]);
    assert.deepEqual(await locator.podFor("10.0.0.7", 10911), { name: "broker-0-0", namespace: "mq" });
    assert.deepEqual(await locator.podFor("10.0.0.8", 10911), { name: "broker-1-0", namespace: "mq" });
    assert.deepEqual(await locator.podFor("10.0.0.9", 10911), { name: "edge-0-0", namespace: "edge" });
    assert.deepEqual(await locator.podFor("name-service-0.ns.mq.svc.cluster.local", 9876), { name: "name-service-0", namespace: "mq" });
    assert.deepEqual(calls, ["list mq", "list all status.podIP=10.0.0.9"]);
    await assert.rejects(locator.podFor("10.0.0.99", 10911), /no running pod in namespace mq or any other serves 10\.0\.0\.99:10911/);
    await assert.rejects(locator.podFor("broker.example.com", 10911), /cannot tell which pod serves broker\.example\.com:10911: expected a pod IP/);
  });

  it("says which permission is missing when the API refuses a pod list", async () => {
    const { core } = fakeCore([], 403);
    await assert.rejects(new ApiPodLocator(core as unknown as k8s.CoreV1Api, ["mq"]).podFor("10.0.0.7", 10911), /cannot list pods in namespace mq: the API server refused the request \(HTTP 403 Forbidden\); the kubeconfig's user needs list on pods/);
  });
});

describe("connect: port-forward connector", () => {
  const server = "https://api.example:6443";

  it("runs admin calls over forwarded streams, one per address, all closed with the client", async () => {
    const forwarder = new FakeForwarder();
    const { core } = fakeCore([pod("broker-0-0", "mq", "10.0.0.7")]);
    const connector = new KubernetesPortForwardConnector(new ApiPodLocator(core as unknown as k8s.CoreV1Api, ["mq"]), forwarder, server);
    const client = new RocketMQAdminClient({ nameServers: "name-service-0.ns.mq.svc.cluster.local:9876", connector });
    try {
      assert.deepEqual(await client.getBrokerConfig("10.0.0.7:10911"), nameMap({ servedBy: "mq/broker-0-0:10911" }));
      assert.deepEqual(await client.getBrokerConfig("10.0.0.7:10911"), nameMap({ servedBy: "mq/broker-0-0:10911" }));
      assert.deepEqual(forwarder.opened, ["mq/broker-0-0:10911"], "the forwarded stream is reused");
    } finally {
      client.close();
    }
    assert.ok(forwarder.streams.every((s) => s.destroyed), "closing the client closes the port-forward stream");
  });

  it("names the address, the API server and the permissions when no pod serves an address", async () => {
    const { core } = fakeCore([]);
    const connector = new KubernetesPortForwardConnector(new ApiPodLocator(core as unknown as k8s.CoreV1Api, ["mq"]), new FakeForwarder(), server);
    await assert.rejects(
      connector.connect("10.9.9.9:9876"),
      (e: Error) =>
        /port-forward through the API server https:\/\/api\.example:6443: no pod found for 10\.9\.9\.9:9876: no running pod in namespace mq/.test(e.message) &&
        /needs get and list on pods, and get and create on pods\/portforward/.test(e.message) &&
        /connection: direct/.test(e.message),
    );
  });

  it("names the pod, port, address and API server when the stream cannot open", async () => {
    const refusing = { open: async () => Promise.reject(new Error("WebSocket handshake refused: HTTP 502 bad gateway")) };
    const { core } = fakeCore([pod("broker-0-0", "mq", "10.0.0.7")]);
    const connector = new KubernetesPortForwardConnector(new ApiPodLocator(core as unknown as k8s.CoreV1Api, ["mq"]), refusing, server);
    await assert.rejects(
      connector.connect("10.0.0.7:10911"),
      /port-forward to pod mq\/broker-0-0 port 10911 \(for 10\.0\.0\.7:10911\) through the API server https:\/\/api\.example:6443 failed: WebSocket handshake refused: HTTP 502 bad gateway\. The kubeconfig's user needs get and list on pods, and get and create on pods\/portforward/,
    );
  });

  it("gives up on a stream that does not open in time and closes it when it opens late", async () => {
    let late: Duplex | undefined;
    const slow = {
      open: () =>
        new Promise<Duplex>((resolve) =>
          setTimeout(() => {
            late = new PassThrough();
            resolve(late);
          }, 50),
        ),
    };
    const connector = new KubernetesPortForwardConnector({ podFor: async () => ({ namespace: "mq", name: "p" }) }, slow, server);
    await assert.rejects(connector.connect("10.0.0.7:10911", { timeoutMs: 10 }), /timed out after 10 ms/);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.ok(late?.destroyed);
  });
});

describe("connect: choosing the path", () => {
  const refuse = async (address: string) => {
    throw new Error(`getaddrinfo ENOTFOUND ${address.split(":")[0]}`);
  };

  it("direct and portForward are taken as told, without probing", async () => {
    const probed: string[] = [];
    const probe = async (a: string) => void probed.push(a);
    assert.equal((await choosePath("direct", ["ns:9876"], refuse)).path, "direct");
    assert.equal((await choosePath("portForward", ["ns:9876"], probe)).path, "portForward");
    assert.deepEqual(probed, []);
  });

  it("auto goes direct when a name server answers from this machine", async () => {
    const probe = async (a: string) => {
      if (a.startsWith("down")) throw new Error("connect ECONNREFUSED");
    };
    const chosen = await choosePath("auto", ["down:9876", "up:9876"], probe);
    assert.deepEqual(chosen, { path: "direct", reason: "connection is auto and name server up:9876 answers from this machine" });
  });

  it("auto goes through port-forward when no name server resolves here, and says why", async () => {
    const chosen = await choosePath("auto", ["name-service-0.ns.mq.svc.cluster.local:9876"], refuse);
    assert.equal(chosen.path, "portForward");
    assert.match(chosen.reason, /no name server answers from this machine \(name-service-0\.ns\.mq\.svc\.cluster\.local:9876: getaddrinfo ENOTFOUND/);
  });

  it("auto probes a real socket: a closed loopback port sends it through port-forward", async () => {
    const chosen = await choosePath("auto", ["127.0.0.1:1"]);
    assert.equal(chosen.path, "portForward");
    assert.match(chosen.reason, /127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});

describe("connect: one operation's connection", () => {
  it("scopes pod lookups to the name servers' namespaces, counts streams and closes them all", async () => {
    const forwarder = new FakeForwarder();
    const asked: string[][] = [];
    const connection = await openClusterConnection(
      { nameServerAddresses: "name-service-0.ns.mq.svc.cluster.local:9876;name-service-1.ns.mq.svc.cluster.local:9876", connection: "auto" },
      {
        probe: async () => Promise.reject(new Error("getaddrinfo ENOTFOUND")),
        portForward: async (_kubeconfig, namespaces) => {
          asked.push(namespaces);
          return new KubernetesPortForwardConnector({ podFor: async (host) => podNamedBy(host) ?? { namespace: "mq", name: "broker-0-0" } }, forwarder, "https://api");
        },
      },
    );
    assert.equal(connection.path, "portForward");
    assert.deepEqual(asked, [["mq"]]);
    const a = await connection.connector.connect("name-service-0.ns.mq.svc.cluster.local:9876");
    await connection.connector.connect("10.0.0.7:10911");
    await connection.connector.connect("10.0.0.7:10911");
    a.destroy();
    assert.deepEqual(Object.fromEntries(connection.opened), { "name-service-0.ns.mq.svc.cluster.local:9876": 1, "10.0.0.7:10911": 2 });
    connection.close();
    assert.ok(forwarder.streams.every((s) => s.destroyed), "every stream closed with the operation");
    await assert.rejects(connection.connector.connect("10.0.0.7:10911"), /the operation has ended/);
  });

  it("direct connections that fail say what to set", async () => {
    const direct = await openClusterConnection({ nameServerAddresses: "127.0.0.1:1", connection: "direct" });
    await assert.rejects(direct.connector.connect("127.0.0.1:1"), /direct TCP connection to 127\.0\.0\.1:1 failed: .*ECONNREFUSED.*set connection to portForward \(or auto\)/);
  });
});

describe("connect: kubeconfig", () => {
  const contents = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:16443'}}]",
    "users: [{name: u, user: {token: t}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
    "",
  ].join("\n");

  it("takes a kubeconfig's contents or its path, and never names the contents", async () => {
    const fromContents = await loadKubeConfig(contents);
    assert.equal(fromContents.server, "https://127.0.0.1:16443");
    assert.equal(fromContents.source, "the kubeconfig input (file contents)");
    const file = path.join(scratchDir("kubeconfig-"), "config");
    fs.writeFileSync(file, contents);
    const fromFile = await loadKubeConfig(file);
    assert.equal(fromFile.server, "https://127.0.0.1:16443");
    assert.equal(fromFile.source, `the kubeconfig input (file ${file})`);
  });

  it("uses the ambient kubeconfig as kubectl does: $KUBECONFIG, ~/.kube/config, the service account", () => {
    const home = scratchDir("home-");
    assert.equal(ambientKubeConfigSource({ KUBECONFIG: "/k" }, home), "$KUBECONFIG (/k)");
    assert.equal(ambientKubeConfigSource({}, home), undefined);
    assert.equal(ambientKubeConfigSource({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }, home), "the in-cluster service account");
    fs.mkdirSync(path.join(home, ".kube"));
    fs.writeFileSync(path.join(home, ".kube", "config"), contents);
    assert.equal(ambientKubeConfigSource({}, home), path.join(home, ".kube", "config"));
  });
});
