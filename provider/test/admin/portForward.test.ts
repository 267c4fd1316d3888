// The port-forward connector, tested with fakes: the sandbox does not serve port-forward yet.
import { strict as assert } from "node:assert";
import { PassThrough, Duplex } from "node:stream";
import type * as k8s from "@kubernetes/client-node";
import { RocketMQAdminClient } from "../../src/admin";
import { encodeFrame, FLAG_RESPONSE, FrameDecoder } from "../../src/admin/codec";
import {
  ApiPodLocator,
  ApiPortForwarder,
  KubernetesPortForwardConnector,
  PodRef,
  PortForwardApi,
  podForAddress,
} from "../../src/connect";
import { nameMap } from "./nameMaps";

/** Plays the API server's port-forward: a fake RocketMQ peer answers on the forwarded stream. */
class FakePortForwardApi implements PortForwardApi {
  readonly opened: Array<{ namespace: string; pod: string; port: number }> = [];
  readonly sockets: Array<{ closed: boolean }> = [];
  async portForward(namespace: string, podName: string, ports: number[], output: NodeJS.WritableStream, _err: NodeJS.WritableStream | null, input: NodeJS.ReadableStream) {
    this.opened.push({ namespace, pod: podName, port: ports[0] });
    const decoder = new FrameDecoder();
    input.on("data", (chunk: Buffer) => {
      for (const request of decoder.push(chunk)) {
        const body = Buffer.from(`servedBy=${namespace}/${podName}:${ports[0]}\n`);
        output.write(encodeFrame({ code: 0, opaque: request.opaque, flag: FLAG_RESPONSE, body }));
      }
    });
    const socket = { closed: false, close: () => (socket.closed = true) };
    this.sockets.push(socket);
    return socket;
  }
}

const podsByIp: Record<string, PodRef> = {
  "10.0.0.7": { namespace: "mq", name: "broker-0-master-0" },
};
const fakeLocator = {
  lookups: [] as string[],
  async podForIp(ip: string): Promise<PodRef> {
    this.lookups.push(ip);
    const pod = podsByIp[ip];
    if (!pod) throw new Error(`no running pod has IP ${ip}`);
    return pod;
  },
};

describe("Kubernetes port-forward connector (fakes; the sandbox serves no port-forward yet)", () => {
  it("maps a pod IP to its pod and runs admin calls over the forwarded stream", async () => {
    const api = new FakePortForwardApi();
    const connector = new KubernetesPortForwardConnector({ locator: fakeLocator, forwarder: new ApiPortForwarder(api) });
    const client = new RocketMQAdminClient({ nameServers: "name-service-0.ns-svc.mq.svc.cluster.local:9876", connector });
    try {
      assert.deepEqual(await client.getBrokerConfig("10.0.0.7:10911"), nameMap({ servedBy: "mq/broker-0-master-0:10911" }));
      assert.deepEqual(await client.getBrokerConfig("10.0.0.7:10911"), nameMap({ servedBy: "mq/broker-0-master-0:10911" }));
      assert.equal(api.opened.length, 1, "the forwarded connection is reused");
      assert.deepEqual(fakeLocator.lookups, ["10.0.0.7"]);
    } finally {
      client.close();
    }
    assert.ok(api.sockets[0].closed, "closing the client closes the port-forward socket");
  });

  it("maps a name server's stable DNS name to its pod without a lookup", async () => {
    assert.deepEqual(await podForAddress("name-service-0.rocketmq-ns.prod.svc.cluster.local", fakeLocator), {
      name: "name-service-0",
      namespace: "prod",
    });
    await assert.rejects(podForAddress("example.com", fakeLocator), /cannot tell which pod serves example\.com/);
  });

  it("reports an IP no pod owns as a connection failure of the call", async () => {
    const connector = new KubernetesPortForwardConnector({ locator: fakeLocator, forwarder: new ApiPortForwarder(new FakePortForwardApi()) });
    const client = new RocketMQAdminClient({ nameServers: "10.9.9.9:9876", connector });
    try {
      await assert.rejects(client.getClusterInfo(), (e: Error & { code?: number }) => e.code === -1004 && /no running pod has IP 10\.9\.9\.9/.test(e.message));
    } finally {
      client.close();
    }
  });

  it("ends the stream when the port-forward socket closes, and errors on the error channel", async () => {
    let closeSocket: () => void = () => undefined;
    let errorChannel: NodeJS.WritableStream | null = null;
    const api: PortForwardApi = {
      async portForward(_ns, _pod, _ports, _out, err) {
        errorChannel = err;
        return {
          close: () => undefined,
          on: (_event: string, listener: () => void) => {
            closeSocket = listener;
          },
        };
      },
    };
    const forwarder = new ApiPortForwarder(api);
    const ended: Duplex = await forwarder.open({ namespace: "mq", name: "p" }, 9876);
    const endSeen = new Promise<void>((resolve) => ended.once("end", resolve));
    ended.resume();
    closeSocket();
    await endSeen;
    const failing = await forwarder.open({ namespace: "mq", name: "p" }, 9876);
    const errorSeen = new Promise<Error>((resolve) => failing.once("error", resolve));
    (errorChannel as unknown as PassThrough).write("pod not found");
    assert.match((await errorSeen).message, /port-forward to mq\/p:9876: pod not found/);
  });

  it("looks pods up by IP through the API with a field selector", async () => {
    const calls: unknown[] = [];
    const pod = (name: string, phase: string) => ({ metadata: { name, namespace: "mq" }, status: { phase } });
    const core = {
      async listPodForAllNamespaces(params: unknown) {
        calls.push(params);
        return { items: [pod("old", "Succeeded"), pod("broker-a-0", "Running")] };
      },
      async listNamespacedPod(params: unknown) {
        calls.push(params);
        return { items: [] };
      },
    } as unknown as k8s.CoreV1Api;
    assert.deepEqual(await new ApiPodLocator(core).podForIp("10.1.2.3"), { name: "broker-a-0", namespace: "mq" });
    await assert.rejects(new ApiPodLocator(core, "mq").podForIp("10.1.2.3"), /no running pod has IP 10\.1\.2\.3/);
    assert.deepEqual(calls, [{ fieldSelector: "status.podIP=10.1.2.3" }, { namespace: "mq", fieldSelector: "status.podIP=10.1.2.3" }]);
  });
});
