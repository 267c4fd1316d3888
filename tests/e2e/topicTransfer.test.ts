// examples/yaml-topic-transfer against the sandbox, as its comments have a user run it: one
// `pulumi up` deploys the two RocketMQClusters, the topics and their consumer groups on their first
// placement; then `pulumi config set` gives `orders` broker group broker-1 and `payments` the
// cluster EdgeCluster (registered with the same name server), the preview shows the Topics and
// ConsumerGroups to update in place, and `pulumi up` moves each topic in the seven steps of a topic
// transfer. The real name server and brokers then report each topic and group only where it was
// asked. Real Java clients send and consume messages before and after: every message sent is consumed.
// The example runs as committed, from this machine: the name servers' cluster DNS names do not
// resolve here, so `connection: auto` sends every admin connection through the API server's
// port-forward, and the node agent counts each stream. A second program then moves a topic with
// ten consumer groups twice with TopicTransfer, once forced through port-forward and once over
// direct TCP to pod IPs, and compares their times.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { MASTER_ID, Perm, RocketMQAdminClient, TopicRoute } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

const namespace = `e2e-transfer-${process.pid}`;
const edgeNamespace = `e2e-transfer-edge-${process.pid}`;

const orders = { topic: "orders", group: "orders-billing", source: ["broker-0"], target: ["broker-1"] };
const payments = { topic: "payments", group: "payments-audit", source: ["broker-0", "broker-1"], target: ["edge-0"] };

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s (${String(lastError ?? "no error")})`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
}

function routeBrokers(route: TopicRoute): string[] {
    return [...new Set(route.queues.map((q) => q.brokerName))].sort();
}

/**
 * What the provider said it opened, one entry per operation: the engine log line of each transfer's
 * create or read ("opened N port-forward streams: ..."), each line once (the CLI repeats
 * diagnostics in its summary).
 */
function connectionsReported(output: string, what: "port-forward streams" | "direct TCP connections"): number[] {
    // The engine shows a resource's message on its progress lines more than once: one count per
    // resource and message. Two resources may report the very same line.
    const reports = new Map<string, number>();
    for (const m of output.matchAll(new RegExp(`(rocketmq:index:\\w+ \\S+) .*?(opened (\\d+) ${what}(: [^\\n]*)?)`, "g"))) {
        reports.set(`${m[1]} ${m[2].trim()}`, Number(m[3]));
    }
    return [...reports.values()];
}

/** The time of each step, in seconds, from a transfer's `steps` output. */
function stepSeconds(steps: { step: number; startedAt: string; finishedAt: string }[]): Record<number, number> {
    return Object.fromEntries(steps.map((s) => [s.step, (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000]));
}

describe("e2e: examples/yaml-topic-transfer in the sandbox", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let programDir: string;
    let client: RocketMQAdminClient;
    let nameServerAddress: string;
    /** Master address of each broker group, as the name server reports it. */
    const masters: Record<string, string> = {};
    const javaHome = scratchDir("rocketmq-e2e-clients-");
    const produced: Record<string, number> = {};
    const consumed: Record<string, number> = {};

    /** Sends `count` messages with the real Java producer; returns how many it sent. */
    async function produce(topic: string, count: number): Promise<number> {
        const run = await runJavaProgram(javaHome, "TestProducer", [nameServerAddress, topic, String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        const sent = Number(/SENT (\d+)/.exec(run.stdout)?.[1]);
        produced[topic] = (produced[topic] ?? 0) + sent;
        return sent;
    }

    /** Consumes with the real Java push consumer until `expected` messages arrived (it then commits its offsets). */
    async function consume(group: string, topic: string, expected: number): Promise<number> {
        const run = await runJavaProgram(javaHome, "TestConsumer", [nameServerAddress, group, topic, String(expected), "90"], 150_000);
        assert.equal(run.code, 0, `consumer did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        const received = Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
        consumed[topic] = (consumed[topic] ?? 0) + received;
        return received;
    }

    before(async () => {
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        await sandbox.kubectl(["create", "namespace", edgeNamespace]);
        programDir = copyProgram(path.join(repoRoot, "examples", "yaml-topic-transfer"));
        stack = await PulumiTestStack.create({
            programDir,
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, edgeNamespace },
        });
    });

    after(async () => {
        client?.close();
        fs.rmSync(javaHome, { recursive: true, force: true });
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        for (const ns of [namespace, edgeNamespace]) {
            await sandbox?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
        }
    });

    it("one up deploys both clusters, the topics and their groups; all three brokers register with the shared name server", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const podIp = await sandbox.kubectl(["get", "pod", "name-service-0", "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        nameServerAddress = `${podIp}:9876`;
        client = new RocketMQAdminClient({ nameServers: nameServerAddress });
        const info = await eventually("three brokers registered", async () => {
            const current = await client.getClusterInfo();
            const registered = ["broker-0", "broker-1", "edge-0"].every((name) => current.brokers[name]?.addresses[MASTER_ID]);
            return registered ? current : undefined;
        });
        assert.deepEqual([...(info.clusters.MainCluster ?? [])].sort(), ["broker-0", "broker-1"]);
        assert.deepEqual(info.clusters.EdgeCluster, ["edge-0"]);
        for (const name of ["broker-0", "broker-1", "edge-0"]) masters[name] = info.brokers[name].addresses[MASTER_ID];
    });

    it("the topics and their consumer groups exist on their first placement only, where real clients use them", async () => {
        for (const move of [orders, payments]) {
            const route = await eventually(`${move.topic} routed to ${move.source.join(", ")}`, async () => {
                const current = await client.getTopicRoute(move.topic);
                return JSON.stringify(routeBrokers(current)) === JSON.stringify(move.source) ? current : undefined;
            });
            assert.ok(route.queues.every((q) => q.writeQueueNums === 4 && q.perm === Perm.READ_WRITE), JSON.stringify(route));
            for (const broker of move.source) {
                assert.ok((await client.getAllSubscriptionGroups(masters[broker])).groups[move.group], `${move.group} on ${broker}`);
            }
            // Consumed before the move, so the move's wait for the consumers finds nothing left.
            assert.equal(await produce(move.topic, 100), 100);
            assert.equal(await consume(move.group, move.topic, 100), 100);
            // What step 4 of the move will ask: the brokers count every message as consumed.
            for (const broker of move.source) {
                const stats = await client.getConsumeStats(masters[broker], move.group, move.topic);
                assert.equal(stats.totalLag, 0, `${move.group} lag on ${broker}: ${JSON.stringify(stats)}`);
            }
        }
    });

    it("preview of the new placements shows the Topics and ConsumerGroups to update in place, and what each move will do", async () => {
        // As the example's comments say to move them.
        await stack.pulumiOrThrow(["config", "set", "ordersBroker", "broker-1"]);
        await stack.pulumiOrThrow(["config", "set", "paymentsCluster", "EdgeCluster"]);
        const streamsBefore = sandbox.portForwardStreams(namespace).length;
        const result = await stack.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /~ rocketmq:index:Topic: \(update\)\n\s+\[id=\S+\]\n\s+\[urn=\S+::orders\]/);
        assert.match(result.stdout, /~ rocketmq:index:Topic: \(update\)\n\s+\[id=\S+\]\n\s+\[urn=\S+::payments\]/);
        assert.match(result.stdout, /4 to update/);
        assert.doesNotMatch(result.stdout, /to replace|to create|to delete/);
        // And what each move will do. The --diff display prints the provider's log lines on stderr,
        // so they are read from what the terminal shows: both streams.
        const shown = result.stdout + result.stderr;
        assert.match(shown, /topic orders moves from broker groups broker-0 to broker groups broker-1: .*seven steps of a topic transfer.*up to 300 s/);
        assert.match(shown, /topic payments moves from cluster MainCluster to cluster EdgeCluster: /);
        // Preview contacts nothing, and changes nothing: the topics are still where they were.
        assert.equal(sandbox.portForwardStreams(namespace).length, streamsBefore, "preview opened no port-forward stream");
        assert.deepEqual(routeBrokers(await client.getTopicRoute(orders.topic)), orders.source);
        assert.deepEqual(routeBrokers(await client.getTopicRoute(payments.topic)), payments.source);
    });

    it("up moves each topic and its consumer group to the new placement, and off the old one, through the API server", async () => {
        const streamsBefore = sandbox.portForwardStreams(namespace).length + sandbox.portForwardStreams(edgeNamespace).length;
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // From this machine the name server's DNS name does not resolve: auto chose port-forward,
        // and every stream the provider reports opening reached the node agent through the API server.
        const shown = result.stdout + result.stderr;
        assert.match(shown, /reaching RocketMQ through the Kubernetes API server's port-forward: connection is auto and no name server answers from this machine \(name-service-0\.name-service\.e2e-transfer-\d+\.svc\.cluster\.local:9876: /);
        assert.doesNotMatch(shown, /opened \d+ direct TCP connections/);
        assert.match(shown, /topic orders: transfer from broker groups broker-0 to broker groups broker-1 complete/);
        assert.match(shown, /topic payments: transfer from broker groups broker-0, broker-1 to cluster EdgeCluster complete/);
        const reported = connectionsReported(shown, "port-forward streams");
        assert.equal(reported.length, 4, `one report per Topic and ConsumerGroup update:\n${shown}`);
        const streams = sandbox.portForwardStreams(namespace).length + sandbox.portForwardStreams(edgeNamespace).length - streamsBefore;
        assert.equal(streams, reported.reduce((a, b) => a + b, 0), "streams the agent served = streams the provider opened");
        assert.ok(sandbox.portForwardStreams(edgeNamespace).includes("edge-0-master-0:10911"), "edge-0 in the other namespace reached by port-forward");
        console.log(`      example up: ${streams} port-forward streams (${reported.join(" + ")})`);
        for (const move of [orders, payments]) {
            const route = await client.getTopicRoute(move.topic);
            assert.deepEqual(routeBrokers(route), move.target, `${move.topic}: ${JSON.stringify(route)}`);
            assert.deepEqual(route.brokers.map((b) => b.brokerName).sort(), move.target);
            for (const broker of move.target) {
                const topics = (await client.getAllTopicConfigs(masters[broker])).topics;
                assert.equal(topics[move.topic]?.perm, Perm.READ_WRITE, `${move.topic} writable on ${broker}`);
                assert.equal(topics[move.topic]?.writeQueueNums, 4);
                assert.ok(topics[`%RETRY%${move.group}`], `retry topic of ${move.group} on ${broker}`);
                const groups = (await client.getAllSubscriptionGroups(masters[broker])).groups;
                assert.ok(groups[move.group], `${move.group} on ${broker}`);
            }
            for (const broker of move.source) {
                assert.equal((await client.getAllTopicConfigs(masters[broker])).topics[move.topic], undefined, `${move.topic} left on ${broker}`);
                assert.equal((await client.getAllSubscriptionGroups(masters[broker])).groups[move.group], undefined, `${move.group} left on ${broker}`);
            }
        }
        // The engine's state says the same.
        const exported = JSON.parse((await stack.pulumiOrThrow(["stack", "export"])).stdout) as {
            deployment: { resources: { type: string; urn: string; outputs?: Record<string, unknown> }[] };
        };
        for (const move of [orders, payments]) {
            for (const type of ["rocketmq:index:Topic", "rocketmq:index:ConsumerGroup"]) {
                const name = type.endsWith("Topic") ? move.topic : move.group;
                const resource = exported.deployment.resources.find((r) => r.type === type && r.urn.endsWith(`::${name}`));
                assert.deepEqual(resource?.outputs?.brokers, move.target, `${type} ${name}`);
            }
        }
    });

    it("new messages go to the target and are consumed there: every message sent was consumed", async () => {
        for (const move of [orders, payments]) {
            assert.equal(await produce(move.topic, 30), 30);
            const stored = await Promise.all(
                move.target.map(async (broker) => (await client.getTopicStats(masters[broker], move.topic)).queues.reduce((sum, q) => sum + q.maxOffset, 0)),
            );
            assert.equal(stored.reduce((a, b) => a + b, 0), 30, `${move.topic} messages stored on ${move.target.join(", ")}`);
            assert.equal(await consume(move.group, move.topic, 30), 30);
            assert.equal(consumed[move.topic], produced[move.topic], `${move.topic}: count consumed = count produced`);
        }
    });

    it("a topic with ten groups moves through forced portForward and through direct: every portForward connection is a stream at the agent, direct makes none", async () => {
        const via = { portForward: "via-port-forward", direct: "via-direct" } as const;
        for (const topic of Object.values(via)) {
            await client.createOrUpdateTopic(masters["broker-0"], { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ_WRITE });
            for (let i = 0; i < 10; i++) await client.createOrUpdateSubscriptionGroup(masters["broker-0"], { groupName: `${topic}-group-${i}` });
            await eventually(`${topic} routed to broker-0`, async () => (routeBrokers(await client.getTopicRoute(topic)).join() === "broker-0" ? true : undefined));
        }
        const outputs = await stack.outputs();
        const connectionDir = copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "transfer-connection"));
        const connectionStack = await PulumiTestStack.create({
            programDir: connectionDir,
            stackName: "connection",
            env: { KUBECONFIG: sandbox.kubeconfig },
            // The cluster's output as it is, and the name server's pod IP for the direct move.
            config: { nameServerAddresses: String(outputs.nameServers), podIpNameServerAddresses: nameServerAddress },
        });
        const kubeconfig = fs.readFileSync(sandbox.kubeconfig, "utf8");
        await connectionStack.pulumiOrThrow(["config", "set", "--secret", "kubeconfig", kubeconfig]);
        try {
            const streamsBefore = sandbox.portForwardStreams(namespace);
            const result = await connectionStack.up();
            assert.equal(result.code, 0, result.stdout + result.stderr);
            const shown = result.stdout + result.stderr;
            const streams = sandbox.portForwardStreams(namespace).slice(streamsBefore.length);
            const [forwarded] = connectionsReported(shown, "port-forward streams");
            const [direct] = connectionsReported(shown, "direct TCP connections");
            assert.match(shown, /reaching RocketMQ through the Kubernetes API server's port-forward: connection is portForward/);
            assert.match(shown, /reaching RocketMQ directly: connection is direct/);
            assert.ok(forwarded > 0 && direct > 0, shown);
            // The agent served exactly the streams the portForward transfer opened: the direct one added none.
            assert.equal(streams.length, forwarded, `agent streams ${JSON.stringify(streams)}`);
            assert.deepEqual([...new Set(streams)].sort(), ["broker-0-master-0:10911", "broker-1-master-0:10911", "name-service-0:9876"]);
            for (const topic of Object.values(via)) {
                assert.deepEqual(routeBrokers(await client.getTopicRoute(topic)), ["broker-1"], topic);
                const groups = (await client.getAllSubscriptionGroups(masters["broker-1"])).groups;
                for (let i = 0; i < 10; i++) assert.ok(groups[`${topic}-group-${i}`], `${topic}-group-${i} on broker-1`);
            }
            // The kubeconfig stays secret in the state.
            const state = (await connectionStack.pulumiOrThrow(["stack", "export"])).stdout;
            const credential = kubeconfig.split("\n").find((l) => /(client-key-data|token|client-certificate-data):/.test(l))?.split(":")[1]?.trim() ?? "";
            assert.ok(credential.length > 20, "the sandbox kubeconfig carries a credential");
            assert.ok(!state.includes(credential.slice(0, 40)), "no kubeconfig credential in the state file");
            const moved = await connectionStack.outputs();
            const report = (name: "portForward" | "direct", count: string) => {
                const steps = stepSeconds(moved[`${name}Steps`] as never);
                const withoutWaits = Object.entries(steps).filter(([step]) => step !== "4" && step !== "6").reduce((sum, [, seconds]) => sum + seconds, 0);
                const minusConsumerWait = Number(moved[`${name}Seconds`]) - Number(moved[`${name}ConsumerWaitSeconds`]);
                return `${name} (${count}): total minus consumer wait ${minusConsumerWait.toFixed(2)} s, steps 1-3, 5, 7 ${withoutWaits.toFixed(2)} s, per step ${JSON.stringify(steps)}`;
            };
            console.log(`      10 groups, ${report("portForward", `${forwarded} streams`)}`);
            console.log(`      10 groups, ${report("direct", `${direct} connections`)}`);
        } finally {
            await connectionStack.destroy();
            await connectionStack.remove();
        }
    });

    it("a Topic and a ConsumerGroup with connection portForward: created, refreshed and deleted through the API server only, each stream served by the agent", async () => {
        const outputs = await stack.outputs();
        // The topic on one broker group, the group on both: each operation reports its own number of streams.
        const forwardDir = copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "topic-port-forward"));
        const forwardStack = await PulumiTestStack.create({
            programDir: forwardDir,
            stackName: "forwarded",
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { nameServerAddresses: String(outputs.nameServers) },
        });
        await forwardStack.pulumiOrThrow(["config", "set", "--secret", "kubeconfig", fs.readFileSync(sandbox.kubeconfig, "utf8")]);
        try {
            for (const [operation, run] of [
                ["up", () => forwardStack.up()],
                ["refresh", () => forwardStack.refresh(["--expect-no-changes"])],
                ["destroy", () => forwardStack.destroy()],
            ] as const) {
                const streamsBefore = sandbox.portForwardStreams(namespace).length;
                const result = await run();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                const shown = result.stdout + result.stderr;
                assert.match(shown, /reaching RocketMQ through the Kubernetes API server's port-forward: connection is portForward/);
                assert.doesNotMatch(shown, /opened \d+ direct TCP connections/);
                const reported = connectionsReported(shown, "port-forward streams");
                const served = sandbox.portForwardStreams(namespace).length - streamsBefore;
                assert.ok(reported.length > 0 && served > 0, `${operation}: ${shown}`);
                // Every stream the provider reported went through the API server to the agent. A
                // resource whose reads report the same line twice (a refresh) counts once here.
                const total = reported.reduce((a, b) => a + b, 0);
                if (operation === "refresh") assert.ok(served >= total, `${operation}: the agent served ${served} streams, the provider reported ${total}\n${shown}`);
                else assert.equal(served, total, `${operation}: streams the agent served = streams the provider opened\n${shown}`);
                console.log(`      Topic and ConsumerGroup ${operation} through port-forward: ${served} streams (${reported.join(" + ")})`);
                if (operation === "up") {
                    assert.deepEqual(await forwardStack.outputs(), { topicBrokers: ["broker-0"], groupBrokers: ["broker-0", "broker-1"] });
                    const topic = (await client.getAllTopicConfigs(masters["broker-0"])).topics.forwarded;
                    assert.deepEqual([topic?.readQueueNums, topic?.attributes?.["message.type"]], [2, "FIFO"]);
                    for (const broker of ["broker-0", "broker-1"]) {
                        assert.equal((await client.getAllSubscriptionGroups(masters[broker])).groups["forwarded-group"]?.consumeMessageOrderly, true, broker);
                    }
                }
            }
            for (const broker of ["broker-0", "broker-1"]) {
                assert.equal((await client.getAllTopicConfigs(masters[broker])).topics.forwarded, undefined, `deleted on ${broker}`);
                assert.equal((await client.getAllSubscriptionGroups(masters[broker])).groups["forwarded-group"], undefined, `deleted on ${broker}`);
            }
        } finally {
            await forwardStack.remove();
        }
    });

    it("a second preview and a refresh find nothing to change", async () => {
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        // read asks the brokers where each topic is: still on the target.
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
    });

    it("destroy removes every pod of both clusters", async () => {
        const result = await stack.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
        assert.deepEqual(await podsAfterTermination(sandbox, edgeNamespace), []);
    });
});
