// RocketMQ 5 as its users run it: the proxy. One stack (tests/e2e/programs/proxy) with one name
// server, one broker group without replica and two proxies, a NORMAL and a FIFO Topic, and a consumer
// group per client and topic. Two real gRPC clients, Java (rocketmq-client-java) and Node.js
// (rocketmq-client-nodejs), each send 1,000 keyed messages to each topic through the stack's
// proxyEndpoint output, and a consumer of each client receives every one of its messages, in
// order within each message group on the FIFO topic. Day two for the proxies: each proxy's
// /metrics is scraped on the port the proxy-metrics Service carries, beside the broker's on the
// same port number, before and after the sends; the Eviction API evicts one proxy and refuses
// (429) a second eviction while the first is not Ready.
//
// The output's host is the proxy Service's cluster DNS name, which the test resolves through a
// hosts file to the Ready pods behind the Service (tests/support/serviceHosts.ts).
// The clients are given the output itself.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { runJavaGrpcClient, runNodeGrpcClient, ProgramResult } from "../support/grpcClients";
import { readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { httpGet, parseExposition, Sample, sumOf } from "../support/prometheusText";
import { scratchDir } from "../support/scratch";
import { resolveServiceThroughHostsFile } from "../support/serviceHosts";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-proxy-${process.pid}`;
const messagesPerTopic = 1000;
const messageGroups = 8;
const topics = { normal: "proxy-normal", fifo: "proxy-fifo" } as const;

interface PodJson {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
    status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string }[] };
}

const isReady = (pod: PodJson) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** Totals the proxies' exporter keeps that only grow: every counter, and every histogram's count. */
function growingTotals(samples: Sample[]): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const sample of samples) {
        if (!/(_total|_count)$/.test(sample.name)) continue;
        totals[sample.name] = (totals[sample.name] ?? 0) + sample.value;
    }
    return totals;
}

describe("e2e: RocketMQ 5 gRPC clients through the proxy (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    const scratch = scratchDir("rocketmq-e2e-proxy-");
    const hostsFile = path.join(scratch, "hosts");
    tearDownAfterFile(() => ({ namespace, sandbox, stack, scratchDirs: [scratch] }));
    /** Each proxy's growing totals before the sends. */
    const totalsBeforeSends: Record<string, Record<string, number>> = {};

    const proxyPods = async (): Promise<PodJson[]> =>
        (JSON.parse(await sandbox.kubectl(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/component=proxy", "-o", "json"])) as { items: PodJson[] }).items;
    const scrape = async (podIp: string) => parseExposition(await httpGet(`http://${podIp}:5557/metrics`));

    async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = await probe().catch(() => undefined);
            if (found !== undefined) return found;
            if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    }

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "proxy")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace },
        });
        const begin = Date.now();
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        console.log(`      first up (1 name server, 1 broker, 2 proxies, 2 topics, 4 groups): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
    });

    const resolveThroughHostsFile = (endpoint: string) => resolveServiceThroughHostsFile(sandbox, endpoint, hostsFile);

    it("pulumi up starts the proxy once the brokers are registered, and outputs the Service's host:port as proxyEndpoint", async () => {
        const outputs = await stack.outputs();
        assert.equal(outputs.proxyEndpoint, `proxy.${namespace}.svc.cluster.local:8081`);
        assert.equal(outputs.proxyServiceName, "proxy");
        const ready = await readyPods(sandbox, namespace);
        assert.equal(ready.filter((pod) => pod.startsWith("proxy-")).length, 2, ready.join(", "));
        // The proxy created its heartbeat-sync topic on the cluster when it started.
        const logs = await sandbox.kubectl(["logs", "-n", namespace, "deployment/proxy"]);
        assert.doesNotMatch(logs, /create system broadcast topic DefaultHeartBeatSyncerTopic failed/);
        assert.equal((await resolveThroughHostsFile(outputs.proxyEndpoint as string)).length, 2, "the Service has two Ready proxies");
    });

    it("metrics: each proxy's /metrics is scraped on the port the proxy-metrics Service carries, while the broker's exporter answers on the same port number; metricsEndpoints lists the proxies", async () => {
        const endpoints = (await stack.outputs()).metricsEndpoints as { component: string }[];
        assert.deepEqual(endpoints.map((endpoint) => endpoint.component), ["broker", "proxy"]);
        assert.deepEqual(endpoints[1], {
            component: "proxy", serviceName: "proxy-metrics", portName: "metrics", port: 5557, path: "/metrics",
            targets: [`proxy-metrics.${namespace}.svc.cluster.local:5557`],
        });
        // A headless Service carrying the port, selecting exactly the proxy pods, whose port of that name is the one scraped.
        const service = JSON.parse(await sandbox.kubectl(["get", "service", "proxy-metrics", "-n", namespace, "-o", "json"])) as { spec: { clusterIP: string; ports: unknown[]; selector: Record<string, string> } };
        assert.equal(service.spec.clusterIP, "None");
        assert.deepEqual(service.spec.ports, [{ name: "metrics", port: 5557, protocol: "TCP", targetPort: 5557 }]);
        const selector = Object.entries(service.spec.selector).map(([key, value]) => `${key}=${value}`).join(",");
        const selected = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "name"])).trim().split("\n").sort();
        const proxies = await proxyPods();
        assert.deepEqual(selected, proxies.map((pod) => `pod/${pod.metadata.name}`).sort());
        assert.equal(proxies.length, 2);
        const families: Record<string, string[]> = {};
        for (const pod of proxies) {
            assert.deepEqual(pod.spec.containers[0].ports?.find((port) => port.name === "metrics")?.containerPort, 5557, pod.metadata.name);
            const scraped = await until(`${pod.metadata.name} /metrics`, 60_000, () => scrape(pod.status.podIP as string));
            families[pod.metadata.name] = [...new Set(scraped.families)].sort();
            assert.equal(sumOf(scraped.samples, "rocketmq_proxy_up"), 1, `${pod.metadata.name}: ${families[pod.metadata.name].join(", ")}`);
            totalsBeforeSends[pod.metadata.name] = growingTotals(scraped.samples);
        }
        // The broker's exporter, on its own pod IP and the same port number, answers as a broker.
        const brokerIp = await sandbox.kubectl(["get", "pod", "broker-0-master-0", "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        assert.ok((await scrape(brokerIp)).samples.some((sample) => sample.name === "rocketmq_broker_permission"));
        for (const [pod, names] of Object.entries(families)) console.log(`      proxy metric families of ${pod} (${names.length}): ${names.join(" ")}`);
    });

    it("a Java and a Node.js gRPC client each send 1,000 keyed messages to a NORMAL and a FIFO topic through proxyEndpoint; their consumers receive all, in order per message group on the FIFO topic", async function () {
        this.timeout(1_200_000);
        const endpoint = (await stack.outputs()).proxyEndpoint as string;
        await resolveThroughHostsFile(endpoint);
        const clients = {
            java: (args: string[]) => runJavaGrpcClient(args, { hostsFile, home: path.join(scratch, "java") }),
            node: (args: string[]) => runNodeGrpcClient(args, { hostsFile, home: path.join(scratch, "node") }),
        };
        const summary: string[] = [];
        for (const [client, run] of Object.entries(clients)) {
            for (const [kind, topic] of Object.entries(topics)) {
                const begin = Date.now();
                const groups = kind === "fifo" ? messageGroups : 0;
                const produced = await run(["produce", endpoint, topic, client, String(messagesPerTopic), String(groups)]);
                assert.equal(produced.code, 0, `${client} producer on ${topic}:\n${output(produced)}`);
                assert.equal(counted(produced, "SENT"), messagesPerTopic, output(produced));
                const consumed = await run(["consume", endpoint, `proxy-${client}-${kind}`, topic, client, String(messagesPerTopic), "240"]);
                assert.equal(consumed.code, 0, `${client} consumer of ${topic} did not receive every message:\n${output(consumed)}`);
                assert.equal(counted(consumed, "CONSUMED"), messagesPerTopic, output(consumed));
                if (kind === "fifo") assert.equal(counted(consumed, "OUT_OF_ORDER"), 0, `FIFO order broken within a message group:\n${output(consumed)}`);
                summary.push(`${client} ${topic}: sent ${counted(produced, "SENT")}, received ${counted(consumed, "CONSUMED")}, out of order ${counted(consumed, "OUT_OF_ORDER")} (${((Date.now() - begin) / 1000).toFixed(0)} s)`);
            }
        }
        for (const line of summary) console.log(`      ${line}`);
    });

    it("metrics: after the sends each proxy's exporter still reports it up, as a cluster-mode proxy of the cluster; what grew is logged", async () => {
        for (const pod of await proxyPods()) {
            const before = totalsBeforeSends[pod.metadata.name];
            assert.ok(before, `${pod.metadata.name} was scraped before the sends`);
            const scraped = await scrape(pod.status.podIP as string);
            const up = scraped.samples.filter((sample) => sample.name === "rocketmq_proxy_up");
            assert.deepEqual(up.map((sample) => [sample.value, sample.labels.node_type, sample.labels.cluster, sample.labels.proxy_mode?.toLowerCase()]),
                [[1, "proxy", "DefaultCluster", "cluster"]], JSON.stringify(up));
            // The 5.5 proxy counts no messages (its remoting RPC histogram is never wired in cluster mode): log what moved.
            const after = growingTotals(scraped.samples);
            const growth = Object.entries(after).filter(([name, value]) => value > (before[name] ?? 0)).map(([name, value]) => `${name} ${before[name] ?? 0} -> ${value}`);
            console.log(`      ${pod.metadata.name} after the sends: families ${[...new Set(scraped.families)].sort().join(" ")}; grown: ${growth.join("; ") || "none"}`);
        }
    });

    it("a change of the name servers previews the proxy Deployment's pod template changing: the proxies restart", async () => {
        await stack.pulumiOrThrow(["config", "set", "nameServers", "2"]);
        const preview = await stack.pulumi(["preview", "--non-interactive", "--diff"]);
        await stack.pulumiOrThrow(["config", "set", "nameServers", "1"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        const proxyDiff = /~ kubernetes:apps\/v1:Deployment: \(update\)[\s\S]*?\[urn=[^\]]*Deployment::\S*-proxy\]([\s\S]*?)(?=\n\s*[~+-] \S+: \(|\nResources:)/.exec(preview.stdout);
        assert.ok(proxyDiff, preview.stdout);
        assert.match(proxyDiff[1], /rocketmq\/config-sha256/, proxyDiff[1]);
    });

    it("disruption budget: the Eviction API evicts one proxy and refuses a second while the first is not Ready", async function () {
        this.timeout(300_000);
        const budget = JSON.parse(await sandbox.kubectl(["get", "poddisruptionbudget", "proxy", "-n", namespace, "-o", "json"])) as { spec: { maxUnavailable: number } };
        assert.equal(budget.spec.maxUnavailable, 1);
        await until("the budget allows one disruption", 60_000, async () =>
            (await sandbox.kubectl(["get", "poddisruptionbudget", "proxy", "-n", namespace, "-o", "jsonpath={.status.disruptionsAllowed}"])) === "1" ? true : undefined);
        const evict = (pod: string) => sandbox.kubectl(["create", "--raw", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, "-f", "-"], {
            input: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } }),
        });
        const [first, second] = (await proxyPods()).map((pod) => pod.metadata);
        const secondProcess = (await proxyPods()).find((pod) => pod.metadata.uid === second.uid)?.status.containerStatuses?.[0]?.containerID;
        await evict(first.name);
        const refused = await evict(second.name).then(() => undefined, (error: Error) => error.message);
        // The evicted proxy is going or gone and its replacement is not Ready yet: one proxy short when the second eviction came.
        const readyNow = (await proxyPods()).filter((pod) => isReady(pod) && pod.metadata.deletionTimestamp === undefined).map((pod) => pod.metadata.name);
        assert.deepEqual(readyNow, [second.name], "only the second proxy was Ready");
        assert.match(refused ?? "the second eviction was accepted", /TooManyRequests|429/);
        assert.match(refused ?? "", /Cannot evict pod as it would violate the pod's disruption budget/);
        const back = await until("two Ready proxies again", 180_000, async () => {
            const pods = (await proxyPods()).filter((pod) => isReady(pod) && pod.metadata.deletionTimestamp === undefined);
            return pods.length === 2 ? pods : undefined;
        });
        assert.ok(!back.some((pod) => pod.metadata.uid === first.uid), "the evicted proxy was replaced by a new pod");
        assert.equal(back.find((pod) => pod.metadata.uid === second.uid)?.status.containerStatuses?.[0]?.containerID, secondProcess, "the second proxy kept running");
    });
});

function output(result: ProgramResult): string {
    return `${result.stdout}\n${result.stderr}`.slice(-4000);
}

function counted(result: ProgramResult, label: string): number {
    return Number(new RegExp(`^${label} (\\d+)$`, "m").exec(result.stdout)?.[1]);
}
