// Reaching RocketMQ from outside the cluster through the Kubernetes API server's port-forward.
//
// The name server reports brokers by pod IP ("10.1.2.3:10911"), which a laptop or CI runner
// cannot route to. This connector finds the pod that owns the IP (or the pod a stable DNS name
// such as "name-service-0.<svc>.<ns>.svc.cluster.local" names) and opens a port-forward stream
// to it through the API server.
//
// Two ways to carry the stream through the API server:
// - SpdyTunnelPortForwarder (spdyPortForward.ts, the default of fromKubeConfig): SPDY/3.1 tunneled
//   in a WebSocket, as kubectl does since Kubernetes 1.31. Works with kubelets that serve only
//   SPDY port-forward, like the sandbox's node agent; tested end to end there
//   (tests/e2e/admin-portforward.test.ts).
// - ApiPortForwarder: @kubernetes/client-node's PortForward, the plain WebSocket protocol
//   (v4.channel.k8s.io), for API servers without the tunnel. Tested with fakes only: the sandbox's
//   agent gets no ports on that path (virtual-kubelet v1.14.1 passes empty V4Options).

import type * as k8s from "@kubernetes/client-node";
import { Duplex, PassThrough } from "node:stream";
import { Connector, parseAddress } from "./connector";

export interface PodRef {
  namespace: string;
  name: string;
}

/** Finds the pod that owns a pod IP. */
export interface PodLocator {
  podForIp(ip: string, signal?: AbortSignal): Promise<PodRef>;
}

/** Opens a byte stream to a port of a pod. */
export interface PodPortForwarder {
  open(pod: PodRef, port: number, signal?: AbortSignal): Promise<Duplex>;
}

export interface PortForwardConnectorOptions {
  locator: PodLocator;
  forwarder: PodPortForwarder;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Maps a RocketMQ address to a pod: an IP through the locator, a pod DNS name
 * "<pod>.<service>.<namespace>.svc[.<domain>]" by reading the name.
 */
export async function podForAddress(host: string, locator: PodLocator, signal?: AbortSignal): Promise<PodRef> {
  if (IPV4.test(host) || host.includes(":")) return locator.podForIp(host, signal);
  const labels = host.split(".");
  if (labels.length >= 4 && labels[3] === "svc") return { name: labels[0], namespace: labels[2] };
  throw new Error(`cannot tell which pod serves ${host}: expected a pod IP or <pod>.<service>.<namespace>.svc name`);
}

export class KubernetesPortForwardConnector implements Connector {
  constructor(private readonly options: PortForwardConnectorOptions) {}

  /**
   * A connector that uses a kubeconfig: pods looked up through the API, streams through the API
   * server's port-forward (SPDY tunneled in a WebSocket).
   */
  static async fromKubeConfig(kubeConfig: k8s.KubeConfig, namespace?: string): Promise<KubernetesPortForwardConnector> {
    const k8sModule = await import("@kubernetes/client-node");
    const { SpdyTunnelPortForwarder } = await import("./spdyPortForward");
    return new KubernetesPortForwardConnector({
      locator: new ApiPodLocator(kubeConfig.makeApiClient(k8sModule.CoreV1Api), namespace),
      forwarder: new SpdyTunnelPortForwarder(kubeConfig),
    });
  }

  async connect(address: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Duplex> {
    const { host, port } = parseAddress(address);
    const pod = await podForAddress(host, this.options.locator, options.signal);
    return this.options.forwarder.open(pod, port, options.signal);
  }
}

/** Looks pods up by IP through the API server (field selector status.podIP). */
export class ApiPodLocator implements PodLocator {
  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly namespace?: string,
  ) {}

  async podForIp(ip: string): Promise<PodRef> {
    const fieldSelector = `status.podIP=${ip}`;
    const list = this.namespace
      ? await this.core.listNamespacedPod({ namespace: this.namespace, fieldSelector })
      : await this.core.listPodForAllNamespaces({ fieldSelector });
    const running = list.items.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    if (running.length === 0) throw new Error(`no running pod has IP ${ip}`);
    if (running.length > 1) throw new Error(`${running.length} pods have IP ${ip}: ${running.map((p) => p.metadata?.name).join(", ")}`);
    const meta = running[0].metadata;
    if (!meta?.name || !meta.namespace) throw new Error(`pod with IP ${ip} has no name or namespace`);
    return { name: meta.name, namespace: meta.namespace };
  }
}

/** The minimal part of @kubernetes/client-node's PortForward this connector uses. */
export interface PortForwardApi {
  portForward(
    namespace: string,
    podName: string,
    targetPorts: number[],
    output: NodeJS.WritableStream,
    err: NodeJS.WritableStream | null,
    input: NodeJS.ReadableStream,
  ): Promise<unknown>;
}

interface ClosableSocket {
  close(): void;
  on?(event: "close", listener: () => void): unknown;
  addEventListener?(event: "close", listener: () => void): unknown;
}

/** Opens port-forward streams through the API server's WebSocket port-forward endpoint. */
export class ApiPortForwarder implements PodPortForwarder {
  constructor(private readonly api: PortForwardApi) {}

  async open(pod: PodRef, port: number, signal?: AbortSignal): Promise<Duplex> {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const toPod = new PassThrough();
    const fromPod = new PassThrough();
    const errors = new PassThrough();
    let socket: ClosableSocket | undefined;
    const stream = new ForwardedStream(toPod, fromPod, () => socket?.close());
    errors.on("data", (chunk: Buffer) => stream.destroy(new Error(`port-forward to ${pod.namespace}/${pod.name}:${port}: ${chunk.toString().trim()}`)));
    socket = (await this.api.portForward(pod.namespace, pod.name, [port], fromPod, errors, toPod)) as ClosableSocket | undefined;
    const onSocketClose = () => stream.push(null);
    if (socket?.on) socket.on("close", onSocketClose);
    else socket?.addEventListener?.("close", onSocketClose);
    return stream;
  }
}

/** A Duplex whose writes go to one stream and whose reads come from another. */
class ForwardedStream extends Duplex {
  constructor(
    private readonly sink: PassThrough,
    private readonly source: PassThrough,
    private readonly onDestroy: () => void,
  ) {
    super();
    source.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) source.pause();
    });
    source.on("end", () => this.push(null));
  }

  override _read(): void {
    this.source.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sink.write(chunk, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.sink.end();
    this.onDestroy();
    callback(error);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.sink.end();
    callback();
  }
}
