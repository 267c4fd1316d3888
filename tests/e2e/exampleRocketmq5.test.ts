// examples/yaml-rocketmq5, run unmodified as its README has a user run it (only its namespace set,
// through the config key `namespace`): up brings every pod to Ready (a name server, three standalone
// controllers, two groups of a master and a replica on claims, a proxy) and sets the outputs; the
// NORMAL and the FIFO topic are on every master; the Java gRPC client sends to each topic through
// the proxyEndpoint output and its consumer receives every message (in order per message group on
// the FIFO topic); destroy leaves no pod. Pulumi runs as a service account bound to exactly the Role
// of docs/installation-configuration.md, so the run also proves that Role enough for this example.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { MASTER_ID, RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { documentedRoleKubeconfig } from "../support/documentedRole";
import { runJavaGrpcClient, ProgramResult } from "../support/grpcClients";
import { podsAfterTermination, readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { scratchDir } from "../support/scratch";
import { resolveServiceThroughHostsFile } from "../support/serviceHosts";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-example-rocketmq5-${process.pid}`;
const brokerClusterName = "Rocketmq5Cluster";
/** The pods besides the proxy's (a Deployment's pod, named with hashes). */
const statefulPods = [
    "broker-0-master-0", "broker-0-replica-1-0", "broker-1-master-0", "broker-1-replica-1-0",
    "controller-0", "controller-1", "controller-2", "name-service-0",
];
/** [topic, message type, consumer group, message groups] as the example declares them. */
const topics = [
    ["payments", "NORMAL", "billing", 0],
    ["orders", "FIFO", "fulfilment", 4],
] as const;
const messagesPerTopic = 200;

interface GroupOutput {
    brokerName: string;
    masterPodName: string;
    replicaPodNames: string[];
    inSyncReplicaPodNames?: string[];
}

describe("e2e: examples/yaml-rocketmq5 in the sandbox (the proxy, standalone controllers, two groups of master and replica)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let destroyed = false;
    const scratch = scratchDir("rocketmq-e2e-example-rocketmq5-");
    const hostsFile = path.join(scratch, "hosts");
    tearDownAfterFile(() => ({ namespace, sandbox, stack, destroyed, scratchDirs: [scratch] }));

    const podIp = (name: string) => sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "examples", "yaml-rocketmq5")),
            env: { KUBECONFIG: await documentedRoleKubeconfig(sandbox, namespace) },
            config: { namespace },
        });
        const begin = Date.now();
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        console.log(`      up (name server, 3 controllers, 2 groups of master + replica on claims, proxy, 2 topics, 2 groups): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
    });

    it("every pod is Ready; proxyEndpoint is the proxy Service's host:port and brokerGroups names each group's master as the name servers list it", async () => {
        const pods = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "name"])).split("\n").filter((line) => line !== "").map((line) => line.replace("pod/", "")).sort();
        assert.deepEqual(await readyPods(sandbox, namespace), pods, "every pod Ready");
        assert.deepEqual(pods.filter((pod) => !pod.startsWith("proxy-")), statefulPods);
        assert.equal(pods.filter((pod) => pod.startsWith("proxy-")).length, 1, pods.join(", "));

        const outputs = await stack.outputs();
        assert.equal(outputs.proxyEndpoint, `proxy.${namespace}.svc.cluster.local:8081`);
        const groups = outputs.brokerGroups as GroupOutput[];
        assert.deepEqual(groups.map((group) => group.brokerName), ["broker-0", "broker-1"]);
        const admin = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        try {
            const info = await admin.getClusterInfo();
            for (const group of groups) {
                const slots = [`${group.brokerName}-master-0`, `${group.brokerName}-replica-1-0`];
                // The controller makes master whichever broker of the group registered first.
                assert.deepEqual([group.masterPodName, ...group.replicaPodNames].sort(), slots, JSON.stringify(group));
                assert.equal(info.brokers[group.brokerName]?.addresses[MASTER_ID], `${await podIp(group.masterPodName)}:10911`, `${group.brokerName}: the output's master serves the name servers' master address`);
                assert.deepEqual([...group.inSyncReplicaPodNames ?? []].sort(), slots, `${group.brokerName}: both brokers in sync`);
            }
        } finally {
            admin.close();
        }
    });

    it("the NORMAL and the FIFO topic are on every master, with their message types", async () => {
        const admin = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        try {
            const info = await admin.getClusterInfo();
            const masters = (info.clusters[brokerClusterName] ?? []).map((broker) => info.brokers[broker].addresses[MASTER_ID]);
            assert.equal(masters.length, 2, JSON.stringify(info.clusters));
            for (const master of masters) {
                const configs = (await admin.getAllTopicConfigs(master)).topics;
                assert.deepEqual(topics.map(([name]) => [name, configs[name]?.attributes?.["message.type"]]), topics.map(([name, type]) => [name, type]), master);
            }
        } finally {
            admin.close();
        }
    });

    it(`the Java gRPC client sends ${messagesPerTopic} keyed messages to each topic through proxyEndpoint; its consumer receives all, in order per message group on the FIFO topic`, async function () {
        this.timeout(900_000);
        const endpoint = (await stack.outputs()).proxyEndpoint as string;
        assert.equal((await resolveServiceThroughHostsFile(sandbox, endpoint, hostsFile)).length, 1, "the proxy Service has one Ready pod");
        const run = (args: string[]) => runJavaGrpcClient(args, { hostsFile, home: path.join(scratch, "java") });
        const summary: string[] = [];
        for (const [topic, type, consumerGroup, messageGroups] of topics) {
            const begin = Date.now();
            const produced = await run(["produce", endpoint, topic, "example", String(messagesPerTopic), String(messageGroups)]);
            assert.equal(produced.code, 0, `producer on ${topic}:\n${output(produced)}`);
            assert.equal(counted(produced, "SENT"), messagesPerTopic, output(produced));
            const consumed = await run(["consume", endpoint, consumerGroup, topic, "example", String(messagesPerTopic), "180"]);
            assert.equal(consumed.code, 0, `${consumerGroup} did not receive every message of ${topic}:\n${output(consumed)}`);
            assert.equal(counted(consumed, "CONSUMED"), messagesPerTopic, output(consumed));
            if (type === "FIFO") assert.equal(counted(consumed, "OUT_OF_ORDER"), 0, `FIFO order broken within a message group:\n${output(consumed)}`);
            summary.push(`${topic} (${type}): sent ${counted(produced, "SENT")}, ${consumerGroup} received ${counted(consumed, "CONSUMED")}, out of order ${counted(consumed, "OUT_OF_ORDER")} (${((Date.now() - begin) / 1000).toFixed(0)} s)`);
        }
        for (const line of summary) console.log(`      ${line}`);
    });

    it("destroy removes every pod", async function () {
        this.timeout(600_000);
        const result = await stack.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        destroyed = true;
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
    });
});

function output(result: ProgramResult): string {
    return `${result.stdout}\n${result.stderr}`.slice(-4000);
}

function counted(result: ProgramResult, label: string): number {
    return Number(new RegExp(`^${label} (\\d+)$`, "m").exec(result.stdout)?.[1]);
}
