// Watches a namespace's pods through the Kubernetes API while a change rolls through them: per pod
// name the latest pod, every window in which a watched name had no Ready pod, and how many watched
// names were not Ready at the same time. It keeps a hosts file with each StatefulSet pod's cluster
// DNS name for Java clients on this machine (-Djdk.net.hosts.file), as cluster DNS does for pods:
// a restarted pod comes back on a new address.
import * as fs from "node:fs";

export interface Pod {
    metadata: { name: string; uid: string; deletionTimestamp?: unknown };
    spec: { hostname?: string; subdomain?: string; containers: { image: string }[] };
    status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

export const isReady = (pod: Pod | undefined) => pod !== undefined && !pod.metadata.deletionTimestamp &&
    (pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);

/** A stretch of time during which a pod name had no Ready pod, and the pod that ended it. */
export interface NotReadyWindow {
    name: string;
    from: number;
    to?: number;
    endedByUid?: string;
}

export class PodWatch {
    readonly pods = new Map<string, Pod>();
    readonly windows: NotReadyWindow[] = [];
    /** The largest set of watched pod names not Ready at one moment (since the last `resetMost`). */
    mostNotReadyTogether: string[] = [];
    private abort?: AbortController;
    private stopped = false;

    constructor(private readonly kubeconfig: string, private readonly namespace: string, readonly hostsFile: string, private readonly watched: string[]) {}

    async start(): Promise<void> {
        const k8s = await import("@kubernetes/client-node");
        const config = new k8s.KubeConfig();
        config.loadFromFile(this.kubeconfig);
        const core = config.makeApiClient(k8s.CoreV1Api);
        const watch = new k8s.Watch(config);
        const run = async (): Promise<void> => {
            const list = await core.listNamespacedPod({ namespace: this.namespace });
            for (const pod of list.items as unknown as Pod[]) this.pods.set(pod.metadata.name, pod);
            this.evaluate(Date.now());
            this.abort = await watch.watch(`/api/v1/namespaces/${this.namespace}/pods`, { resourceVersion: list.metadata?.resourceVersion },
                (phase, pod: Pod) => this.seen(pod, phase === "DELETED"),
                // The API server ends a watch after a while: list again and go on.
                () => again());
        };
        const again = () => {
            if (!this.stopped) run().catch(() => setTimeout(again, 1_000));
        };
        await run();
    }

    stop(): void {
        this.stopped = true;
        this.abort?.abort();
    }

    /** The windows that opened at or after `since` (e.g. the start of one `pulumi up`). */
    windowsSince(since: number): NotReadyWindow[] {
        return this.windows.filter((w) => w.from >= since);
    }

    /** Starts counting the pods not Ready together afresh. */
    resetMost(): void {
        this.mostNotReadyTogether = [];
    }

    private seen(pod: Pod, deleted: boolean): void {
        const name = pod.metadata.name;
        const current = this.pods.get(name);
        if (deleted) {
            if (current?.metadata.uid === pod.metadata.uid) this.pods.delete(name);
        } else {
            this.pods.set(name, pod);
        }
        this.evaluate(Date.now());
    }

    /** Opens and closes the not-Ready windows for the pods as they are now. */
    private evaluate(now: number): void {
        for (const name of this.watched) {
            const open = this.windows.find((w) => w.name === name && w.to === undefined);
            const pod = this.pods.get(name);
            if (!isReady(pod) && !open) this.windows.push({ name, from: now });
            if (isReady(pod) && open) Object.assign(open, { to: now, endedByUid: pod!.metadata.uid });
        }
        const notReady = this.watched.filter((name) => !isReady(this.pods.get(name)));
        if (notReady.length > this.mostNotReadyTogether.length) this.mostNotReadyTogether = notReady;
        this.writeHosts();
    }

    private writeHosts(): void {
        const lines = [...this.pods.values()].filter((pod) => pod.status.podIP && pod.spec.hostname && pod.spec.subdomain)
            .map((pod) => `${pod.status.podIP} ${pod.spec.hostname}.${pod.spec.subdomain}.${this.namespace}.svc.cluster.local`);
        fs.writeFileSync(`${this.hostsFile}.tmp`, lines.join("\n") + "\n");
        fs.renameSync(`${this.hostsFile}.tmp`, this.hostsFile);
    }
}
