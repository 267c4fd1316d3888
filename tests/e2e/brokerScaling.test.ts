// Broker groups that grow with their metadata and shrink only when drained, in the sandbox with the
// real pulumi CLI, real RocketMQ, the real mqadmin and real Java clients, on one stack:
// 1 group -> 500 topics and 50 subscription groups made on broker-0 with mqadmin -> preview of
// 3 groups changes nothing -> one `pulumi up` to 3 groups: mqadmin topicRoute shows every topic on
// all three, a Java producer's messages land on all three -> a second up and a refresh change
// nothing -> 3 -> 2 waits for subscription groups whose consumers have not started yet (2,015
// messages on a topic of every group) and a lagging consumer group, then fails naming each and its
// lag, broker-2 writable -> once real consumers drained those, 3 -> 2 is refused at once for a topic
// no consumer group reads -> allowed to drop that topic's messages, 3 -> 2 succeeds and each group
// received every message produced for it -> destroy with messages left unconsumed does not wait. The provider reaches RocketMQ as a user's laptop would: the name
// servers' DNS names do not resolve here, so `connection: auto` goes through port-forward.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { MASTER_ID, RocketMQAdminClient } from "../../provider/src/admin";
import { parseFastjson } from "../../provider/src/admin/fastjson";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

const namespace = `e2e-scaling-${process.pid}`;
const topicCount = 500;
const groupCount = 50;
const probeTopic = "e2e-topic-7";
const probeGroup = "e2e-group-7";
// A topic on every group whose subscription groups exist before any of their consumers has started,
// and a topic no consumer group reads.
const ordersTopic = "e2e-orders";
const ordersCount = 2015;
const newGroups = ["e2e-g1", "e2e-g2"];
const unreadTopic = "e2e-unread";

describe("e2e: broker groups scale 1 -> 3 -> 2 with metadata sync and drain", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let client: RocketMQAdminClient;
    let nameServer: string;
    const javaHome = scratchDir("rocketmq-e2e-scaling-");
    const counted = { produced: 0, consumed: 0 };
    const began = Date.now();

    /** Real mqadmin commands, 24 at a time in one JVM (tests/support/rocketmq-java/MqadminBatch.java); the output of each, in order. */
    async function mqadmin(commands: string[][]): Promise<string[]> {
        const file = path.join(javaHome, `commands-${Date.now()}.tsv`);
        fs.writeFileSync(file, commands.map((args) => [...args, "-n", nameServer].join("\t")).join("\n"));
        const run = await runJavaProgram(javaHome, "MqadminBatch", [file], 600_000, "512m");
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, new RegExp(`RAN ${commands.length}\\n`));
        const outputs: string[] = [];
        const parts = run.stdout.split(/^=== (\d+)$/m);
        for (let i = 1; i < parts.length; i += 2) outputs[Number(parts[i])] = parts[i + 1];
        assert.equal(outputs.filter((o) => o !== undefined).length, commands.length);
        return outputs;
    }

    async function produce(count: number): Promise<void> {
        const run = await runJavaProgram(javaHome, "TestProducer", [nameServer, probeTopic, String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        counted.produced += Number(/SENT (\d+)/.exec(run.stdout)?.[1]);
    }

    async function produceTo(topic: string, count: number): Promise<void> {
        const run = await runJavaProgram(javaHome, "TestProducer", [nameServer, topic, String(count)]);
        assert.equal(run.code, 0, `producer failed:\n${run.stdout}\n${run.stderr}`);
        assert.equal(Number(/SENT (\d+)/.exec(run.stdout)?.[1]), count);
    }

    /** Distinct messages each group received, counted by the real Java consumer. */
    const consumedBy: Record<string, number> = {};
    async function consumeAs(group: string, topic: string, expected: number): Promise<void> {
        const run = await runJavaProgram(javaHome, "TestConsumer", [nameServer, group, topic, String(expected), "120"], 180_000);
        assert.equal(run.code, 0, `consumer ${group} did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        consumedBy[group] = Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
    }

    async function storedOnBroker2(topic: string): Promise<number> {
        const address = (await masters())["broker-2"];
        return (await client.getTopicStats(address, topic)).queues.reduce((sum, q) => sum + q.maxOffset - q.minOffset, 0);
    }

    async function assertBroker2Writable(): Promise<void> {
        assert.ok((await readyPods(sandbox, namespace)).includes("broker-2-master-0"));
        const address = (await masters())["broker-2"];
        assert.equal((await client.getBrokerConfig(address)).brokerPermission, "6");
        const route = await client.getTopicRoute(probeTopic);
        assert.equal(route.queues.find((q) => q.brokerName === "broker-2")?.perm, 6);
    }

    async function consume(expected: number): Promise<void> {
        const run = await runJavaProgram(javaHome, "TestConsumer", [nameServer, probeGroup, probeTopic, String(expected), "90"], 150_000);
        assert.equal(run.code, 0, `consumer did not get ${expected} messages:\n${run.stdout}\n${run.stderr}`);
        counted.consumed += Number(/CONSUMED (\d+)/.exec(run.stdout)?.[1]);
    }

    /** The masters once `names` are all registered (a broker registers a moment after its port answers). */
    async function registered(names: string[]): Promise<Record<string, string>> {
        const deadline = Date.now() + 60_000;
        for (;;) {
            const found = await masters();
            if (names.every((name) => found[name])) return found;
            assert.ok(Date.now() < deadline, `${names.join(", ")} registered within 60 s: ${JSON.stringify(found)}`);
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    }

    /** Which of the test's topics each registered group lacks now, to tell a copy that missed one from a source that lost one. */
    async function topicsEachGroupLacks(): Promise<string> {
        const made = Array.from({ length: topicCount }, (_, i) => `e2e-topic-${i}`);
        const found = await masters();
        const lacks = await Promise.all(
            Object.entries(found).map(async ([name, address]) => {
                const topics = (await client.getAllTopicConfigs(address)).topics;
                return `${name} lacks [${made.filter((t) => !topics[t]).join(", ")}]`;
            }),
        );
        return lacks.sort().join("; ");
    }

    async function masters(): Promise<Record<string, string>> {
        const info = await client.getClusterInfo();
        return Object.fromEntries(Object.entries(info.brokers).map(([name, group]) => [name, group.addresses[MASTER_ID]]));
    }

    /** name=resourceVersion of every object of the namespace a preview could touch. */
    async function resourceVersions(): Promise<string> {
        return sandbox.kubectl(["get", "statefulsets,configmaps,services,secrets,pods", "-n", namespace, "-o", "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}"]);
    }

    async function resize(size: number): Promise<void> {
        await stack.pulumiOrThrow(["config", "set", "brokerSize", String(size)]);
    }

    before(async () => {
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "broker-scaling")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, brokerSize: "1" },
        });
    });

    after(async () => {
        client?.close();
        fs.rmSync(javaHome, { recursive: true, force: true });
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        console.log(`      e2e broker scaling: ${((Date.now() - began) / 1000).toFixed(0)} s in all`);
    });

    it("up deploys one broker group; mqadmin makes 500 topics and 50 subscription groups on it", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        nameServer = `${await sandbox.kubectl(["get", "pod", "name-service-0", "-n", namespace, "-o", "jsonpath={.status.podIP}"])}:9876`;
        client = new RocketMQAdminClient({ nameServers: nameServer, timeoutMs: 15_000 });
        const broker0 = (await registered(["broker-0"]))["broker-0"];
        const made = Date.now();
        const outputs = await mqadmin([
            ...Array.from({ length: topicCount }, (_, i) => ["updateTopic", "-b", broker0, "-t", `e2e-topic-${i}`, "-r", String(1 + (i % 4)), "-w", String(1 + (i % 4)), ...(i % 25 === 24 ? ["-o", "true"] : [])]),
            ...Array.from({ length: groupCount }, (_, i) => ["updateSubGroup", "-b", broker0, "-g", `e2e-group-${i}`, "-r", String(1 + (i % 16))]),
        ]);
        outputs.forEach((output, i) => assert.match(output, /success/, `mqadmin command ${i} did not report success: ${JSON.stringify(output)}`));
        console.log(`      mqadmin made ${topicCount} topics and ${groupCount} subscription groups on broker-0 in ${((Date.now() - made) / 1000).toFixed(1)} s (one JVM)`);
        const topics = Object.keys((await client.getAllTopicConfigs(broker0)).topics).filter((t) => t.startsWith("e2e-topic-"));
        const groups = Object.keys((await client.getAllSubscriptionGroups(broker0)).groups).filter((g) => g.startsWith("e2e-group-"));
        assert.deepEqual([topics.length, groups.length], [topicCount, groupCount], `mqadmin reported every command done; ${await topicsEachGroupLacks()}`);
    });

    it("preview of 3 groups shows the BrokerScaling update and what it will copy, and changes nothing", async () => {
        await resize(3);
        const versions = await resourceVersions();
        const topicTable = (await client.getAllTopicConfigs((await masters())["broker-0"])).dataVersion;
        const result = await stack.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /~ rocketmq:index:BrokerScaling: \(update\)/);
        assert.match(result.stdout + result.stderr, /the update copies every topic and subscription group of broker-0 to broker-1, broker-2 once their masters are registered/);
        assert.equal(await resourceVersions(), versions, "no object changed");
        assert.deepEqual((await client.getAllTopicConfigs((await masters())["broker-0"])).dataVersion, topicTable);
        assert.deepEqual(Object.keys(await masters()).sort(), ["broker-0"]);
    });

    it("one up to 3 groups: mqadmin topicRoute shows each of the 500 topics on all three groups", async () => {
        const upBegan = Date.now();
        const result = await stack.up();
        const upSeconds = (Date.now() - upBegan) / 1000;
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const shown = result.stdout + result.stderr;
        const copies = [...shown.matchAll(/(broker-[12]): copied (\d+) topic\(s\) and (\d+) subscription group\(s\) from broker-0 in ([\d.]+) s/g)];
        const copied = [...new Set(copies.map((m) => `${m[1]} ${m[2]} ${m[3]}`))].sort();
        const expectedCopies = [`broker-1 ${topicCount} ${groupCount}`, `broker-2 ${topicCount} ${groupCount}`];
        if (JSON.stringify(copied) !== JSON.stringify(expectedCopies)) console.log(`      the copies differ from ${topicCount} topics: ${await topicsEachGroupLacks()}`);
        assert.deepEqual(copied, expectedCopies, shown);
        console.log(`      pulumi up 1 -> 3 groups: ${upSeconds.toFixed(1)} s; copy of ${topicCount} topics + ${groupCount} groups: ${copies.map((m) => `${m[1]} ${m[4]} s`).join(", ")} (both at once, through port-forward)`);
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "broker-1-master-0", "broker-2-master-0", "name-service-0"]);

        const commands = Array.from({ length: topicCount }, (_, i) => ["topicRoute", "-t", `e2e-topic-${i}`]);
        const routes = await mqadmin(commands);
        routes.forEach((output, i) => {
            assert.ok(output.includes("{"), `mqadmin topicRoute -t e2e-topic-${i} printed no route: ${JSON.stringify(output)}`);
            const json = parseFastjson(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1)) as { queueDatas: { brokerName: string; writeQueueNums: number }[] };
            const groups = json.queueDatas.map((q) => `${q.brokerName}:${q.writeQueueNums}`).sort();
            assert.deepEqual(groups, ["broker-0", "broker-1", "broker-2"].map((b) => `${b}:${1 + (i % 4)}`), `e2e-topic-${i}: ${output}`);
        });
        const addresses = await masters();
        const groups = (await client.getAllSubscriptionGroups(addresses["broker-2"])).groups;
        assert.equal(groups["e2e-group-9"]?.retryMaxTimes, 10, "subscription groups copied with their settings");
        assert.equal((await client.getAllTopicConfigs(addresses["broker-1"])).topics["e2e-topic-24"]?.order, true);
    });

    it("a real Java producer's messages for one topic land on all three groups' queues", async () => {
        await produce(60);
        const addresses = await masters();
        const stored = await Promise.all(["broker-0", "broker-1", "broker-2"].map(async (b) => (await client.getTopicStats(addresses[b], probeTopic)).queues.reduce((sum, q) => sum + q.maxOffset, 0)));
        assert.ok(stored.every((n) => n > 0), `messages per group: ${stored.join(", ")}`);
        assert.equal(stored.reduce((a, b) => a + b, 0), 60);
        await consume(60);
    });

    it("a second up and a refresh change nothing", async () => {
        const up = await stack.up(["--expect-no-changes"]);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
    });

    it("3 -> 2 while g1 and g2 have no consumer yet: up waits, then fails naming g1, g2 and the probe group with their lag; broker-2 stays, writable", async () => {
        // The copy's other 49 subscription groups read nothing and never will: a drain counts every group
        // the brokers know (one that has consumed nothing may read any topic), so they go, as a user
        // removes groups nobody uses.
        const cluster = Object.keys((await client.getClusterInfo()).clusters)[0];
        const unusedGroups = Array.from({ length: groupCount }, (_, i) => `e2e-group-${i}`).filter((g) => g !== probeGroup);
        const made = await mqadmin([
            ...unusedGroups.map((g) => ["deleteSubGroup", "-c", cluster, "-g", g]),
            // Subscription groups made ahead of their consumers, on a topic of every group, and a topic nobody reads.
            ["updateTopic", "-c", cluster, "-t", ordersTopic, "-r", "4", "-w", "4"],
            ["updateTopic", "-c", cluster, "-t", unreadTopic, "-r", "2", "-w", "2"],
            ...newGroups.map((g) => ["updateSubGroup", "-c", cluster, "-g", g]),
        ]);
        made.forEach((output, i) => assert.match(output, /success/i, `mqadmin command ${i}: ${JSON.stringify(output)}`));
        await produce(30);
        await produceTo(ordersTopic, ordersCount);
        await produceTo(unreadTopic, 40);
        const addresses = await masters();
        const probeLag = (await client.getConsumeStats(addresses["broker-2"], probeGroup, probeTopic)).totalLag;
        const ordersOnBroker2 = await storedOnBroker2(ordersTopic);
        assert.ok(probeLag > 0 && ordersOnBroker2 > 0, "messages left on broker-2");

        await resize(2);
        const versions = await resourceVersions();
        const preview = await stack.preview();
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        assert.match(preview.stdout + preview.stderr, /the update drains broker-2 .* before their objects are deleted/);
        assert.equal(await resourceVersions(), versions, "the preview changed no object");

        const result = await stack.up();
        const shown = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, shown);
        const error = /scale-down of broker group\(s\) broker-2 stopped: consumers did not consume every message within drainTimeoutSeconds.*/.exec(shown)?.[0] ?? "";
        for (const group of newGroups) {
            assert.match(error, new RegExp(`consumer group ${group} lag ${ordersOnBroker2} on broker-2 \\(topic ${ordersTopic}, nothing consumed yet\\)`), shown);
        }
        assert.match(error, new RegExp(`consumer group ${probeGroup} lag ${probeLag} on broker-2 \\(topic ${probeTopic}\\)`));
        assert.match(error, /Write permission is restored \(brokerPermission=6 on broker-2 master [\d.]+:10911\) and nothing was removed/);
        assert.match(shown, /draining broker-2: \d+ message\(s\) not yet consumed/);
        await assertBroker2Writable();
    });

    it("after g1, g2 and the probe group consumed everything, 3 -> 2 is refused at once for the topic no consumer group reads, naming it and its count; broker-2 stays, writable", async () => {
        await consume(30);
        for (const group of newGroups) await consumeAs(group, ordersTopic, ordersCount);
        const unreadStored = await storedOnBroker2(unreadTopic);
        assert.ok(unreadStored > 0, "broker-2 holds messages of the topic no group reads");

        const result = await stack.up();
        const shown = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, shown);
        assert.match(shown, new RegExp(`topic ${unreadTopic} holds ${unreadStored} message\\(s\\) on broker-2 that no consumer group has read`));
        assert.match(shown, /Write permission is restored \(brokerPermission=6 on broker-2 master [\d.]+:10911\) and nothing was removed; .*allowDroppingUnreadMessages/);
        assert.doesNotMatch(shown, /draining broker-2:/, "refused before any wait");
        await assertBroker2Writable();
    });

    it("allowing unread messages to go, 3 -> 2 succeeds: broker-2 goes, and each group received every message produced for it", async () => {
        await stack.pulumiOrThrow(["config", "set", "allowDroppingUnreadMessages", "true"]);
        const upBegan = Date.now();
        const result = await stack.up();
        const upSeconds = (Date.now() - upBegan) / 1000;
        const shown = result.stdout + result.stderr;
        assert.equal(result.code, 0, shown);
        assert.match(shown, new RegExp(`topic ${unreadTopic} holds \\d+ message\\(s\\) on broker-2 that no consumer group has read .*allowDroppingUnreadMessages allows`));
        const drained = /broker group\(s\) broker-2: every consumer group has consumed every message after ([\d.]+) s/.exec(shown);
        assert.ok(drained, shown);
        console.log(`      pulumi up 3 -> 2 groups: ${upSeconds.toFixed(1)} s; drain check ${drained[1]} s`);
        assert.equal(await sandbox.kubectl(["get", "statefulsets", "-n", namespace, "-o", "name"]).then((s) => s.includes("broker-2")), false);
        assert.equal(counted.consumed, counted.produced);
        assert.deepEqual(
            Object.fromEntries(newGroups.map((g) => [g, consumedBy[g]])),
            Object.fromEntries(newGroups.map((g) => [g, ordersCount])),
            "g1 and g2 each received every message of the topic: none lost",
        );
        const outputs = await stack.outputs();
        assert.deepEqual((outputs.brokerGroups as { brokerName: string }[]).map((g) => g.brokerName), ["broker-0", "broker-1"]);
    });

    it("destroy of the cluster holding unconsumed messages completes without waiting for a drain", async () => {
        await produce(20);
        const destroyBegan = Date.now();
        const result = await stack.destroy();
        const seconds = (Date.now() - destroyBegan) / 1000;
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.doesNotMatch(result.stdout + result.stderr, /drain/);
        console.log(`      destroy with ${counted.produced - counted.consumed} messages unconsumed: ${seconds.toFixed(1)} s`);
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
    });
});
