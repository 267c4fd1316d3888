// RocketMQ 5 as its users run it: the proxy. One stack (tests/e2e/programs/proxy) with one name
// server, one broker group without replica and one proxy, a NORMAL and a FIFO Topic, and a consumer
// group per client and topic. Two real gRPC clients, Java (rocketmq-client-java) and Node.js
// (rocketmq-client-nodejs), each send 1,000 keyed messages to each topic through the stack's
// proxyEndpoint output, and a consumer of each client receives every one of its messages, in
// order within each message group on the FIFO topic.
//
// The output's host is the proxy Service's cluster DNS name. No cluster DNS or Service routing
// exists on this machine (pod IPs are loopback addresses, ClusterIPs route nowhere), so the test
// resolves that name as the sandbox's pods resolve cluster names: through a hosts file, here
// mapping it to the IPs of the Ready pods behind the Service (where kube-proxy would route).
// The clients are given the output itself.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { runJavaGrpcClient, runNodeGrpcClient, ProgramResult } from "../support/grpcClients";
import { readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { scratchDir } from "../support/scratch";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-proxy-${process.pid}`;
const messagesPerTopic = 1000;
const messageGroups = 8;
const topics = { normal: "proxy-normal", fifo: "proxy-fifo" } as const;

interface PodJson {
    status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

describe("e2e: RocketMQ 5 gRPC clients through the proxy (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    const scratch = scratchDir("rocketmq-e2e-proxy-");
    const hostsFile = path.join(scratch, "hosts");
    tearDownAfterFile(() => ({ namespace, sandbox, stack, scratchDirs: [scratch] }));

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
        console.log(`      first up (1 name server, 1 broker, 1 proxy, 2 topics, 4 groups): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
    });

    /**
     * Writes the hosts file: the endpoint's Service name -> the IPs of the Ready pods its selector
     * picks, the addresses an EndpointSlice would list (the sandbox's API server refuses loopback
     * addresses in EndpointSlices, so the test reads the pods).
     */
    async function resolveThroughHostsFile(endpoint: string): Promise<string[]> {
        const host = endpoint.slice(0, endpoint.lastIndexOf(":"));
        const [serviceName, serviceNamespace] = host.split(".");
        const service = JSON.parse(await sandbox.kubectl(["get", "service", serviceName, "-n", serviceNamespace, "-o", "json"])) as { spec: { selector: Record<string, string> } };
        const selector = Object.entries(service.spec.selector).map(([key, value]) => `${key}=${value}`).join(",");
        const pods = JSON.parse(await sandbox.kubectl(["get", "pods", "-n", serviceNamespace, "-l", selector, "-o", "json"])) as { items: PodJson[] };
        const addresses = pods.items
            .filter((pod) => pod.status.podIP && pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
            .map((pod) => pod.status.podIP as string);
        fs.writeFileSync(hostsFile, addresses.map((address) => `${address} ${host}\n`).join(""));
        return addresses;
    }

    it("pulumi up starts the proxy once the brokers are registered, and outputs the Service's host:port as proxyEndpoint", async () => {
        const outputs = await stack.outputs();
        assert.equal(outputs.proxyEndpoint, `proxy.${namespace}.svc.cluster.local:8081`);
        assert.equal(outputs.proxyServiceName, "proxy");
        const ready = await readyPods(sandbox, namespace);
        assert.equal(ready.filter((pod) => pod.startsWith("proxy-")).length, 1, ready.join(", "));
        // The proxy created its heartbeat-sync topic on the cluster when it started.
        const logs = await sandbox.kubectl(["logs", "-n", namespace, "deployment/proxy"]);
        assert.doesNotMatch(logs, /create system broadcast topic DefaultHeartBeatSyncerTopic failed/);
        assert.equal((await resolveThroughHostsFile(outputs.proxyEndpoint as string)).length, 1, "the Service has one Ready proxy");
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

    it("a change of the name servers previews the proxy Deployment's pod template changing: the proxies restart", async () => {
        await stack.pulumiOrThrow(["config", "set", "nameServers", "2"]);
        const preview = await stack.pulumi(["preview", "--non-interactive", "--diff"]);
        await stack.pulumiOrThrow(["config", "set", "nameServers", "1"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        const proxyDiff = /~ kubernetes:apps\/v1:Deployment: \(update\)[\s\S]*?\[urn=[^\]]*Deployment::\S*-proxy\]([\s\S]*?)(?=\n\s*[~+-] \S+: \(|\nResources:)/.exec(preview.stdout);
        assert.ok(proxyDiff, preview.stdout);
        assert.match(proxyDiff[1], /rocketmq\/config-sha256/, proxyDiff[1]);
    });
});

function output(result: ProgramResult): string {
    return `${result.stdout}\n${result.stderr}`.slice(-4000);
}

function counted(result: ProgramResult, label: string): number {
    return Number(new RegExp(`^${label} (\\d+)$`, "m").exec(result.stdout)?.[1]);
}
