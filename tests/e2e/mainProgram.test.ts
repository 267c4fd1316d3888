// The main job's program (the root Pulumi.yaml) against the sandbox cluster, as a user runs it:
// preview shows the plan, up deploys real RocketMQ, the brokers register with the name server,
// real Java clients send and receive through it and the real mqadmin sees master and slave, a
// second preview and a refresh find nothing to change, a second broker group joins when
// broker.size goes from 1 to 2, and destroy removes every pod.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ClusterInfo, RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaProgram, runMqadmin } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

const namespace = `e2e-main-${process.pid}`;

interface BrokerGroupOutput {
    brokerName: string;
    masterPodName: string;
    replicaPodNames: string[];
}

/** Broker addresses by broker name and brokerId, once every listed group has `members` registered (60 s at most). */
async function registeredBrokers(client: RocketMQAdminClient, brokerNames: string[], members: number): Promise<ClusterInfo> {
    // A broker registers right after it starts listening, and again on every heartbeat.
    const deadline = Date.now() + 60_000;
    for (;;) {
        const info = await client.getClusterInfo();
        const complete = brokerNames.every((name) => Object.keys(info.brokers[name]?.addresses ?? {}).length >= members);
        if (complete || Date.now() > deadline) return info;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
}

describe("e2e: the root Pulumi.yaml program in the sandbox", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let programDir: string;
    const javaHome = scratchDir("rocketmq-e2e-main-");
    const podIp = (name: string) => sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);

    before(async () => {
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        programDir = copyProgram(repoRoot, { replace: [["namespace: default", `namespace: ${namespace}`]] });
        // The sandbox's node cannot run the dashboard image (no registry here carries it).
        stack = await PulumiTestStack.create({
            programDir,
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { consoleEnabled: "false" },
        });
    });

    after(async () => {
        fs.rmSync(javaHome, { recursive: true, force: true });
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
    });

    it("preview shows the cluster and its Kubernetes objects to create", async () => {
        const result = await stack.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
        assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
        assert.match(result.stdout, /\+ .*kubernetes:core\/v1:ConfigMap/);
    });

    it("up deploys name server, master and replica, all Ready", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // Every pod of the namespace, and only those, is Ready.
        const all = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "name"])).split("\n").filter((line) => line !== "");
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "broker-0-replica-1-0", "name-service-0"]);
        assert.equal(all.length, 3, all.join(", "));
    });

    it("outputs say where clients connect, and the brokers are registered there", async () => {
        const outputs = await stack.outputs();
        assert.equal(outputs.brokerClusterName, "DefaultCluster");
        assert.equal(outputs.nameServerAddresses, `name-service-0.name-service.${namespace}.svc.cluster.local:9876`);
        const groups = outputs.brokerGroups as BrokerGroupOutput[];
        assert.deepEqual(groups.map((group) => group.masterPodName), ["broker-0-master-0"]);

        // Ask the real name server, reached at its pod IP, which brokers registered.
        const client = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        const expected = {
            "0": `${await podIp("broker-0-master-0")}:10911`,
            "1": `${await podIp("broker-0-replica-1-0")}:10911`,
        };
        try {
            const info = await registeredBrokers(client, [groups[0].brokerName], 2);
            assert.deepEqual(info.clusters.DefaultCluster, [groups[0].brokerName]);
            assert.deepEqual({ ...info.brokers[groups[0].brokerName].addresses }, expected, JSON.stringify(info));
        } finally {
            client.close();
        }
    });

    it("a message sent by the real Java producer is received by the real Java consumer; mqadmin clusterList shows master and slave", async () => {
        const nameServer = `${await podIp("name-service-0")}:9876`;
        const admin = new RocketMQAdminClient({ nameServers: nameServer });
        try {
            // The topic a user would create first: on the master, which the name server then routes.
            const master = `${await podIp("broker-0-master-0")}:10911`;
            await admin.createOrUpdateTopic(master, { topicName: "hello", readQueueNums: 4, writeQueueNums: 4, perm: 6 });
        } finally {
            admin.close();
        }
        const sent = await runJavaProgram(javaHome, "TestProducer", [nameServer, "hello", "10"]);
        assert.equal(sent.code, 0, `producer failed:\n${sent.stdout}\n${sent.stderr}`);
        assert.match(sent.stdout, /SENT 10\b/);
        const received = await runJavaProgram(javaHome, "TestConsumer", [nameServer, "hello-readers", "hello", "10", "90"], 150_000);
        assert.equal(received.code, 0, `consumer did not get every message:\n${received.stdout}\n${received.stderr}`);
        assert.match(received.stdout, /CONSUMED 10\b/);

        const clusterList = await runMqadmin(path.join(javaHome, "mqadmin"), nameServer, ["clusterList"]);
        assert.equal(clusterList.code, 0, clusterList.stdout + clusterList.stderr);
        // Rows: cluster, broker name, brokerId (0 is the master, 1 the slave), address, ...
        const rows = clusterList.stdout
            .split("\n")
            .map((line) => line.trim().split(/\s+/))
            .filter((fields) => fields[0] === "DefaultCluster")
            .map((fields) => fields.slice(0, 4).join(" "))
            .sort();
        assert.deepEqual(rows, [
            `DefaultCluster broker-0 0 ${await podIp("broker-0-master-0")}:10911`,
            `DefaultCluster broker-0 1 ${await podIp("broker-0-replica-1-0")}:10911`,
        ], clusterList.stdout);
    });

    it("a second preview and a refresh find nothing to change", async () => {
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
    });

    it("broker.size 1 -> 2: group 1's master and replica become Ready and register, group 0's pods are untouched", async () => {
        const projectFile = path.join(programDir, "Pulumi.yaml");
        const program = fs.readFileSync(projectFile, "utf8");
        const scaled = program.replace(/(\n {6}broker:\n {8}size:) 1\n/, "$1 2\n");
        assert.notEqual(scaled, program, "the program declares broker.size 1");
        const podUids = () => sandbox.kubectl(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/component=broker", "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}"]);
        const before = (await podUids()).trim();
        fs.writeFileSync(projectFile, scaled);

        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "broker-0-replica-1-0", "broker-1-master-0", "broker-1-replica-1-0", "name-service-0"]);
        const after = (await podUids()).trim().split(" ");
        for (const pod of before.split(" ")) assert.ok(after.includes(pod), `group 0's pod ${pod} was kept`);

        const outputs = await stack.outputs();
        assert.deepEqual((outputs.brokerGroups as BrokerGroupOutput[]).map((group) => group.brokerName), ["broker-0", "broker-1"]);
        const client = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        try {
            const info = await registeredBrokers(client, ["broker-0", "broker-1"], 2);
            assert.deepEqual([...(info.clusters.DefaultCluster ?? [])].sort(), ["broker-0", "broker-1"]);
            assert.deepEqual({ ...info.brokers["broker-1"].addresses }, {
                "0": `${await podIp("broker-1-master-0")}:10911`,
                "1": `${await podIp("broker-1-replica-1-0")}:10911`,
            }, JSON.stringify(info));
        } finally {
            client.close();
        }
    });

    it("destroy removes every pod of the cluster", async () => {
        const result = await stack.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
    });
});
