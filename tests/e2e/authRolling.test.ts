// ACL 2.0 turned on and off on a running cluster, and the provider's operations with auth on, in the
// sandbox with the real pulumi CLI, real RocketMQ 5.3.2 and real Java clients, on one stack
// (tests/e2e/programs/auth-rolling: a name server, groups of a master and a replica on volume
// claims, a Topic and two ConsumerGroups that sign with the cluster's adminCredentials).
// A producer sends keyed messages from the first `pulumi up` to the last and a consumer consumes
// them, both signing as the super user (a broker with auth off ignores the signature). Then:
// - one `pulumi up` turns auth on and adds a group: broker-0 rolls its replica, then its master,
//   one pod at a time; the new group starts with auth on and gets the metadata (a signed copy);
//   the Topic's change in the same up is signed; the real mqadmin without credentials is refused;
// - with auth on, a TopicTransfer (its own stack) moves a topic with its messages between the
//   groups, and a topic made on the master reaches the replica (its metadata sync signs with the
//   brokers' inner keys);
// - one `pulumi up` turns auth off and removes broker-1: broker-0 rolls the same way while broker-1,
//   never restarted, still checks signatures when it is drained and the Topic changes; mqadmin
//   without credentials works again.
// Every message the producer had acknowledged is consumed.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { Credentials, MASTER_ID, Perm, RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { eventually } from "../support/eventually";
import { PodWatch } from "../support/podWatch";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { RunningJavaProgram, runJavaProgram, runMqadmin, startJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-auth-rolling-${process.pid}`;
const version = "5.3.2";
const superUser: Credentials = { accessKey: "rocketmq-admin", secretKey: "R0lling-auth-e2e" };
const nameServerPod = "name-service-0";
const replicaPod = "broker-0-replica-1-0";
const masterPod = "broker-0-master-0";
const topic = "roll-orders";

const count = (output: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, "m").exec(output)?.[1]);

describe("e2e: auth turned on and off on a running cluster, and operations with auth on (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let transferStack: PulumiTestStack | undefined;
    let client: RocketMQAdminClient;
    let nameServer: string;
    let watch: PodWatch;
    let producer: RunningJavaProgram | undefined;
    let consumer: RunningJavaProgram | undefined;
    const scratch = scratchDir("rocketmq-e2e-auth-rolling-");
    tearDownAfterFile(() => ({ namespace, sandbox, stack, scratchDirs: [scratch] }));

    const clientOptions = { heap: "128m", timeoutMs: 1_200_000, version };
    const keys = [superUser.accessKey, superUser.secretKey];

    function mqadmin(args: string[]) {
        return runMqadmin(path.join(scratch, "mqadmin-anonymous"), nameServer, args, 120_000, version);
    }

    const masterOf = async (group: string) => (await client.getClusterInfo()).brokers[group]?.addresses[MASTER_ID];
    const brokerAddress = async (pod: string) => `${await sandbox.kubectl(["get", "pod", pod, "-n", namespace, "-o", "jsonpath={.status.podIP}"])}:10911`;

    /** Runs `pulumi up` with the config given, returning when it began and its seconds. */
    async function upWith(config: Record<string, string>, what: string): Promise<number> {
        for (const [key, value] of Object.entries(config)) await stack.pulumiOrThrow(["config", "set", key, value]);
        watch.resetMost();
        const begin = Date.now();
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        console.log(`      ${what} (pulumi up): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
        return begin;
    }

    /** The group's pods went one at a time, the replica Ready again before the master went; the name server stayed. */
    function assertRolledReplicaThenMaster(begin: number) {
        const windows = watch.windowsSince(begin);
        assert.deepEqual(windows.map((w) => w.name), [replicaPod, masterPod], JSON.stringify(windows));
        const [replica, master] = windows;
        assert.ok(replica.to !== undefined && replica.to <= master.from, "the replica is Ready again before the master goes");
        assert.ok(master.to !== undefined, "the master is Ready again");
        assert.equal(watch.mostNotReadyTogether.length, 1, `pods not Ready together: ${watch.mostNotReadyTogether.join(", ")}`);
        const relative = (time?: number) => `${(((time ?? NaN) - begin) / 1000).toFixed(1)} s`;
        for (const w of windows) console.log(`      ${w.name} not Ready from ${relative(w.from)} to ${relative(w.to)} into the up`);
    }

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(__dirname, "programs", "auth-rolling")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace },
        });
        await stack.pulumiOrThrow(["config", "set", "--secret", "superUserPassword", superUser.secretKey]);
        const begin = Date.now();
        const first = await stack.up();
        assert.equal(first.code, 0, first.stdout + first.stderr);
        console.log(`      first up (auth off, a master and a replica on claims, topic, groups): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
        nameServer = `${await sandbox.kubectl(["get", "pod", nameServerPod, "-n", namespace, "-o", "jsonpath={.status.podIP}"])}:9876`;
        client = new RocketMQAdminClient({ nameServers: nameServer, credentials: superUser });
        watch = new PodWatch(sandbox.kubeconfig, namespace, path.join(scratch, "hosts"), [nameServerPod, replicaPod, masterPod]);
        await watch.start();
        consumer = startJavaProgram(path.join(scratch, "consumer"), "DrainingConsumer", [nameServer, "roll-consumers", topic, "180", ...keys], clientOptions);
        producer = startJavaProgram(path.join(scratch, "producer"), "SteadyProducer", [nameServer, topic, "100", "500", "180", ...keys], clientOptions);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
    });

    after(async function () {
        this.timeout(300_000);
        watch?.stop();
        producer?.closeStdin();
        consumer?.closeStdin();
        client?.close();
        if (transferStack) {
            await transferStack.destroy();
            await transferStack.remove();
        }
    });

    it("one up turns auth on and adds a group: the replica rolls, then the master, one at a time; the new group gets the metadata; the Topic's change is signed; mqadmin without credentials is refused", async function () {
        this.timeout(900_000);
        const begin = await upWith({ authEnabled: "true", brokerSize: "2", queues: "6" }, "auth on, 1 -> 2 groups");
        assertRolledReplicaThenMaster(begin);
        const master = await brokerAddress(masterPod);
        assert.equal((await client.getBrokerConfig(master)).authenticationEnabled, "true");
        assert.equal((await client.getTopicConfig(master, topic)).writeQueueNums, 6, "the Topic's update reached the master");
        const newMaster = await masterOf("broker-1");
        assert.ok(newMaster, "broker-1 has a master");
        assert.equal((await client.getBrokerConfig(newMaster)).authenticationEnabled, "true");
        assert.equal((await client.getTopicConfig(newMaster, topic)).writeQueueNums, 6, "broker-1 got the topic");
        const groups = (await client.getAllSubscriptionGroups(newMaster)).groups;
        assert.ok(groups["roll-consumers"] && groups["moved-consumers"], Object.keys(groups).join(", "));
        const refused = await mqadmin(["updateTopic", "-b", master, "-t", "anonymous-topic"]);
        assert.match(`${refused.stdout}\n${refused.stderr}`, /CODE: 16|no permission/i, refused.stdout + refused.stderr);
        await assert.rejects(client.getTopicConfig(master, "anonymous-topic"), (e: { isNotFound(): boolean }) => e.isNotFound());
        // The replica copies this from its master once a minute, signing with the brokers' inner keys.
        await client.createOrUpdateTopic(master, { topicName: "after-auth", readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ | Perm.WRITE });
    });

    it("with auth on, a TopicTransfer moves a topic with its messages from broker-1 to broker-0", async function () {
        this.timeout(900_000);
        const source = (await masterOf("broker-1"))!;
        await client.createOrUpdateTopic(source, { topicName: "moved", readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ | Perm.WRITE });
        await eventually("moved routed", async () => ((await client.getTopicRoute("moved")).queues.length > 0 ? true : undefined));
        const movedConsumer = startJavaProgram(path.join(scratch, "moved-consumer"), "DrainingConsumer", [nameServer, "moved-consumers", "moved", "120", ...keys], clientOptions);
        try {
            const before = await runJavaProgram(path.join(scratch, "moved-producer"), "SignedProducer", [nameServer, "moved", "20", ...keys, "0"], 150_000, "128m", version);
            assert.match(before.stdout, /SENT 20/, before.stdout + before.stderr);
            transferStack = await PulumiTestStack.create({
                programDir: copyProgram(path.join(__dirname, "programs", "auth-rolling-transfer")),
                stackName: "transfer",
                config: { nameServerAddresses: nameServer, accessKey: superUser.accessKey },
            });
            await transferStack.pulumiOrThrow(["config", "set", "--secret", "secretKey", superUser.secretKey]);
            const begin = Date.now();
            const up = await transferStack.up();
            assert.equal(up.code, 0, up.stdout + up.stderr);
            console.log(`      TopicTransfer broker-1 -> broker-0 (pulumi up): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
            const route = await client.getTopicRoute("moved");
            assert.deepEqual([...new Set(route.queues.map((q) => q.brokerName))], ["broker-0"]);
            const after = await runJavaProgram(path.join(scratch, "moved-producer"), "SignedProducer", [nameServer, "moved", "20", ...keys, "20"], 150_000, "128m", version);
            assert.match(after.stdout, /SENT 20/, after.stdout + after.stderr);
            movedConsumer.tell("EXPECT 40");
            const consumed = await movedConsumer.exited;
            assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr);
            assert.equal(count(consumed.stdout, "CONSUMED"), 40);
        } finally {
            movedConsumer.closeStdin();
        }
        const replica = await brokerAddress(replicaPod);
        await eventually("the replica holds the topic made on its master with auth on", async () => client.getTopicConfig(replica, "after-auth"), 90_000);
    });

    it("one up turns auth off and removes broker-1: broker-0 rolls the same way, broker-1 (auth still on) is drained; mqadmin without credentials works again; every acknowledged message was consumed", async function () {
        this.timeout(900_000);
        const begin = await upWith({ authEnabled: "false", brokerSize: "1", queues: "8" }, "auth off, 2 -> 1 groups");
        assertRolledReplicaThenMaster(begin);
        assert.deepEqual(Object.keys((await client.getClusterInfo()).brokers), ["broker-0"]);
        const master = await brokerAddress(masterPod);
        assert.notEqual((await client.getBrokerConfig(master)).authenticationEnabled, "true");
        assert.equal((await client.getTopicConfig(master, topic)).writeQueueNums, 8, "the Topic's update reached the master");
        const created = await mqadmin(["updateTopic", "-b", master, "-t", "anonymous-topic"]);
        assert.match(created.stdout, /create topic to .* success/, created.stdout + created.stderr);

        await new Promise((resolve) => setTimeout(resolve, 3_000));
        producer!.tell("STOP");
        const produced = await producer!.exited;
        assert.equal(produced.code, 0, `producer failed:\n${produced.stdout}\n${produced.stderr}`);
        const sent = count(produced.stdout, "SENT");
        consumer!.tell(`EXPECT ${sent}`);
        const consumed = await consumer!.exited;
        console.log(`      produced ${sent}, consumed ${count(consumed.stdout, "CONSUMED")} distinct (${count(consumed.stdout, "DUPLICATES")} redelivered); ` +
            `${count(produced.stdout, "FAILED_THEN_RETRIED")} failed sends retried, longest send ${count(produced.stdout, "LONGEST_SEND_MS")} ms`);
        assert.ok(sent > 0, produced.stdout);
        assert.equal(consumed.code, 0, `the consumer did not get every message:\n${consumed.stdout}\n${consumed.stderr}`);
        assert.equal(count(consumed.stdout, "CONSUMED"), sent);
        assert.equal(count(consumed.stdout, "OUT_OF_RANGE"), 0);
    });
});
