// Topic and ConsumerGroup under the real Pulumi engine: the real pulumi CLI runs a YAML program
// with the built plugin against a real name server and broker on loopback; drift is made with the
// real mqadmin, and a topic made with mqadmin is brought in with `pulumi import`.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { topicTransferHandler } from "../../provider/src/resources/topicTransfer";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { RocketMQTestBed } from "../support/rocketmq";

const cluster = "clusterE";

describe("Topic and ConsumerGroup with the real pulumi CLI", function () {
    let bed: RocketMQTestBed;
    let client: RocketMQAdminClient;
    let stack: PulumiTestStack;
    let programDir: string;

    before(async function () {
        this.timeout(600_000);
        bed = await RocketMQTestBed.start({ brokers: [{ cluster, brokerName: "broker-e1" }], readyTimeoutMs: 240_000 });
        client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 10_000 });
        programDir = copyProgram(path.join(__dirname, "programs", "topics"));
        stack = await PulumiTestStack.create({ programDir, config: { nameServers: bed.nameServer, cluster } });
    });

    after(async () => {
        await stack?.remove();
        client?.close();
        await bed?.stop();
    });

    function output(result: { stdout: string; stderr: string }): string {
        return `${result.stdout}\n${result.stderr}`;
    }

    async function topicOnBroker(topic: string) {
        return client.getTopicConfig(bed.broker("broker-e1").address, topic);
    }

    it("up creates the topics and the group on the cluster's master", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, output(result));
        const orders = await topicOnBroker("orders");
        assert.deepEqual([orders.readQueueNums, orders.writeQueueNums, orders.perm, orders.attributes?.["message.type"]], [4, 4, 6, "FIFO"]);
        assert.equal((await topicOnBroker("events")).readQueueNums, 8);
        const billing = (await client.getAllSubscriptionGroups(bed.broker("broker-e1").address)).groups.billing;
        assert.deepEqual([billing?.consumeMessageOrderly, billing?.retryMaxTimes], [true, 5]);
        assert.deepEqual((await stack.outputs()).ordersBrokers, ["broker-e1"]);
    });

    it("the next preview shows no changes, nor does a refresh", async () => {
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, output(preview));
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, output(refresh));
    });

    it("refresh finds a permission changed with mqadmin; the preview names it and up puts it back", async () => {
        const drift = await bed.mqadmin(["updateTopic", "-c", cluster, "-t", "orders", "-r", "4", "-w", "4", "-p", "4", "-a", "+message.type=FIFO"]);
        assert.equal(drift.code, 0, output(drift));
        const refresh = await stack.refresh();
        assert.equal(refresh.code, 0, output(refresh));
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.notEqual(preview.code, 0, "the preview shows a change");
        assert.match(output(preview), /~ perm\s*:\s*4 => 6/);
        const up = await stack.up();
        assert.equal(up.code, 0, output(up));
        assert.equal((await topicOnBroker("orders")).perm, 6);
    });

    it("a queue decrease in the program is refused at preview, naming the rule", async () => {
        const file = path.join(programDir, "Pulumi.yaml");
        const original = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, original.replace("readQueueNums: 4\n      writeQueueNums: 4", "readQueueNums: 2\n      writeQueueNums: 2"));
        try {
            const preview = await stack.preview();
            assert.notEqual(preview.code, 0);
            assert.match(output(preview), /readQueueNums 4 -> 2, writeQueueNums 4 -> 2 is a decrease, refused/);
        } finally {
            fs.writeFileSync(file, original);
        }
    });

    it("a new connection and kubeconfig update in place without touching the broker; the state keeps the kubeconfig secret; refresh goes the new way", async () => {
        const before = await topicOnBroker("orders");
        const kubeconfigFile = path.join(programDir, "kubeconfig");
        fs.writeFileSync(kubeconfigFile, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
        const file = path.join(programDir, "Pulumi.yaml");
        fs.writeFileSync(
            file,
            fs.readFileSync(file, "utf8").replace("      messageType: FIFO\n", `      messageType: FIFO\n      connection: direct\n      kubeconfig: ${kubeconfigFile}\n`),
        );
        const up = await stack.up();
        assert.equal(up.code, 0, output(up));
        assert.match(output(up), /1 updated/);
        assert.deepEqual(await topicOnBroker("orders"), before, "the broker's topic config is unchanged");
        const exported = await stack.pulumiOrThrow(["stack", "export"]);
        const orders = (JSON.parse(exported.stdout) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, any> }> } }).deployment.resources.find(
            (r) => r.type === "rocketmq:index:Topic" && r.outputs?.name === "orders",
        );
        assert.equal(orders?.outputs?.connection, "direct");
        assert.ok(orders?.outputs?.kubeconfig?.ciphertext, `the kubeconfig is stored encrypted: ${JSON.stringify(orders?.outputs?.kubeconfig)}`);
        assert.ok(!exported.stdout.includes(kubeconfigFile), "the kubeconfig appears nowhere in plain text");
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, output(refresh));
        assert.match(output(refresh), /reaching RocketMQ directly: connection is direct/);
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, output(preview));
    });

    it("pulumi import brings in a topic made with mqadmin, managed at once (a TopicTransfer of it is refused); declared as imported, the preview shows no changes", async () => {
        const made = await bed.mqadmin(["updateTopic", "-c", cluster, "-t", "legacy", "-r", "6", "-w", "6", "-a", "+message.type=DELAY"]);
        assert.equal(made.code, 0, output(made));
        const imported = await stack.pulumi(["import", "rocketmq:index:Topic", "legacy", `${bed.nameServer}/cluster:${cluster}/legacy`, "--protect=false", "--yes", "--non-interactive", "--out", path.join(programDir, "imported.yaml")]);
        assert.equal(imported.code, 0, output(imported));
        // Managed from the import on, before any update: a TopicTransfer of it is refused before it moves anything.
        const transfers = topicTransferHandler(undefined, () => ({ info: () => undefined, warn: () => undefined }));
        const checked = await transfers.check("urn", {}, { topic: "legacy", sourceCluster: cluster, targetCluster: "elsewhere", nameServerAddresses: bed.nameServer });
        await assert.rejects(transfers.create("urn", checked.inputs), /topic legacy is managed by a Topic resource \(on cluster clusterE\).*change the Topic's clusterName or brokerNames instead/);
        assert.equal((await topicOnBroker("legacy")).readQueueNums, 6, "the topic stays where it is");
        const generated = fs.readFileSync(path.join(programDir, "imported.yaml"), "utf8");
        for (const line of ["name: legacy", "readQueueNums: 6", "writeQueueNums: 6", "messageType: DELAY", `clusterName: ${cluster}`]) {
            assert.ok(generated.includes(line), `the generated program declares ${line}:\n${generated}`);
        }
        const file = path.join(programDir, "Pulumi.yaml");
        fs.writeFileSync(
            file,
            fs.readFileSync(file, "utf8").replace(
                "outputs:\n",
                `  legacy:\n    type: rocketmq:index:Topic\n    properties:\n      name: legacy\n      clusterName: \${cluster}\n      readQueueNums: 6\n      writeQueueNums: 6\n      messageType: DELAY\n      nameServerAddresses: \${nameServers}\noutputs:\n`,
            ),
        );
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, output(preview));
    });

    it("destroy deletes every topic and the group", async () => {
        const result = await stack.destroy();
        assert.equal(result.code, 0, output(result));
        const topics = (await client.getAllTopicConfigs(bed.broker("broker-e1").address)).topics;
        assert.deepEqual(["orders", "events", "legacy"].filter((t) => topics[t]), []);
        assert.equal((await client.getAllSubscriptionGroups(bed.broker("broker-e1").address)).groups.billing, undefined);
    });
});
