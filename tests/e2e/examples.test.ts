// Every example program, run for real against the sandbox as its README would have a user run it:
// preview, up (pods Ready, outputs set, and the three topics and two consumer groups on every
// master, where a real Java producer and consumer use them), a second preview with no changes, destroy.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { MASTER_ID, RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { ExampleLanguage, prepareExample } from "../support/examples";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

interface ExampleCase {
    language: ExampleLanguage;
    expectedPods: string[];
    brokerClusterName: string;
}

const examples: ExampleCase[] = [
    { language: "yaml", expectedPods: ["broker-0-master-0", "broker-1-master-0", "name-service-0"], brokerClusterName: "YamlCluster" },
    { language: "typescript", expectedPods: ["broker-0-master-0", "broker-0-replica-1-0", "name-service-0"], brokerClusterName: "TsCluster" },
    { language: "python", expectedPods: ["broker-0-master-0", "name-service-0"], brokerClusterName: "PyCluster" },
    { language: "go", expectedPods: ["broker-0-master-0", "name-service-0"], brokerClusterName: "GoCluster" },
];

/** What every example declares: [topic, read queues, write queues, message type] and [group, orderly, retries]. */
const declaredTopics = [
    ["orders", 4, 4, "FIFO"],
    ["payments", 8, 8, "NORMAL"],
    ["events", 16, 16, undefined],
] as const;
const declaredGroups = [
    ["billing", true, 5],
    ["analytics", false, 16],
] as const;
/** A short session per example: the producer and consumer each start one JVM. */
const messagesPerExample = 50;

describe("e2e: examples in the sandbox", function () {
    let sandbox: Sandbox;
    const javaHome = scratchDir("rocketmq-e2e-example-clients-");
    after(() => fs.rmSync(javaHome, { recursive: true, force: true }));

    before(async () => {
        sandbox = await ensureSandbox();
    });

    for (const example of examples) {
        describe(`examples/${example.language}`, () => {
            const namespace = `e2e-example-${example.language}-${process.pid}`;
            let stack: PulumiTestStack;

            before(async () => {
                await sandbox.kubectl(["create", "namespace", namespace]);
                const prepared = prepareExample(example.language);
                stack = await PulumiTestStack.create({
                    programDir: prepared.dir,
                    env: { KUBECONFIG: sandbox.kubeconfig, ...prepared.env },
                    config: { namespace },
                });
            });

            after(async () => {
                if (stack) {
                    await stack.destroy();
                    await stack.remove();
                }
                await sandbox.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
            });

            it("previews the cluster to create", async () => {
                const result = await stack.preview();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
                assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
            });

            it("up brings every pod to Ready and sets the outputs; the topics and groups reach RocketMQ through the API server's port-forward", async () => {
                const result = await stack.up();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                // The name servers' cluster DNS names do not resolve on this machine, so connection auto takes the port-forward.
                assert.match(result.stdout, /reaching RocketMQ through the Kubernetes API server's port-forward/);
                assert.match(result.stdout, /opened \d+ port-forward streams/);
                const ready = await readyPods(sandbox, namespace);
                assert.deepEqual(ready, example.expectedPods);
                const outputs = await stack.outputs();
                assert.equal(outputs.nameServerAddresses, `name-service-0.name-service.${namespace}.svc.cluster.local:9876`);
                const groups = outputs.brokerGroups as { masterPodName: string }[];
                assert.deepEqual(
                    groups.map((group) => group.masterPodName),
                    example.expectedPods.filter((pod) => pod.endsWith("-master-0")),
                );
            });

            it("the three topics and two groups are on every master, and a real Java producer and consumer use them: every message sent is received", async () => {
                const podIp = await sandbox.kubectl(["get", "pod", "name-service-0", "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
                const nameServer = `${podIp}:9876`;
                const client = new RocketMQAdminClient({ nameServers: nameServer });
                try {
                    const info = await client.getClusterInfo();
                    const masters = (info.clusters[example.brokerClusterName] ?? []).map((b) => info.brokers[b].addresses[MASTER_ID]);
                    assert.equal(masters.length, example.expectedPods.filter((pod) => pod.endsWith("-master-0")).length);
                    for (const master of masters) {
                        const [topics, groups] = await Promise.all([client.getAllTopicConfigs(master), client.getAllSubscriptionGroups(master)]);
                        assert.deepEqual(
                            declaredTopics.map(([name]) => {
                                const t = topics.topics[name];
                                return [name, t?.readQueueNums, t?.writeQueueNums, t?.attributes?.["message.type"]];
                            }),
                            declaredTopics,
                        );
                        assert.deepEqual(
                            declaredGroups.map(([name]) => [name, groups.groups[name]?.consumeMessageOrderly ?? false, groups.groups[name]?.retryMaxTimes]),
                            declaredGroups,
                        );
                    }
                } finally {
                    client.close();
                }
                const produced = await runJavaProgram(javaHome, "TestProducer", [nameServer, "payments", String(messagesPerExample)]);
                assert.equal(produced.code, 0, `producer failed:\n${produced.stdout}\n${produced.stderr}`);
                const consumed = await runJavaProgram(javaHome, "TestConsumer", [nameServer, "analytics", "payments", String(messagesPerExample), "90"], 150_000);
                assert.equal(consumed.code, 0, `consumer did not get every message:\n${consumed.stdout}\n${consumed.stderr}`);
                const sent = Number(/SENT (\d+)/.exec(produced.stdout)?.[1]);
                const received = Number(/CONSUMED (\d+)/.exec(consumed.stdout)?.[1]);
                console.log(`      ${example.language}: sent ${sent} to payments, group analytics received ${received}`);
                assert.equal(sent, messagesPerExample);
                assert.equal(received, sent);
            });

            it("a second preview finds nothing to change", async () => {
                const result = await stack.preview(["--expect-no-changes"]);
                assert.equal(result.code, 0, result.stdout + result.stderr);
            });

            it("destroy removes every pod, with the plugins the program asks for (no older kubernetes plugin than the program's)", async () => {
                const result = await stack.destroy();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                // The SDK asks for the kubernetes SDK whose plugin the component registered its objects with.
                assert.doesNotMatch(result.stdout + result.stderr, /older version of package/);
                assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
            });
        });
    }
});
