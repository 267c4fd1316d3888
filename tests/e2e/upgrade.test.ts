// An upgrade by image change, in the sandbox with the real pulumi CLI, real RocketMQ and a real
// Java producer and consumer, on one stack (tests/e2e/programs/upgrade): a name server and one
// broker group (master and replica, stores on volume claims, allowRestart true) on
// apache/rocketmq:5.3.2, changed to 5.5.1 with `pulumi up` while the producer sends and the
// consumer consumes. The pods are watched through the API during the up: the name server rolls
// before the brokers, the replica before the master, one pod at a time. Every message sent is
// consumed. Then a downgrade to 4.9.7 is refused at preview with the reason.
//
// One group has no second master to send to while its master restarts, and the client's own
// retries (retryTimesWhenSendFailed) are immediate and count-bound, so they cannot outlast that
// window: the producer retries each message itself, the same key every 500 ms, for up to 3 minutes,
// counting each failure it retried and failing if one message was never sent.
//
// The clients run on this machine and reach the name server by the stack's output (its cluster DNS
// name), which a hosts file kept from the watched pods resolves, as cluster DNS does for pods: a
// restarted pod comes back on a new address.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RequestCode, RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { startJavaProgram } from "../support/rocketmq";
import { PodWatch } from "../support/podWatch";
import { scratchDir } from "../support/scratch";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-upgrade-${process.pid}`;
const fromImage = "apache/rocketmq:5.3.2";
const toImage = "apache/rocketmq:5.5.1";
/** MQVersion ordinals the processes answer with (provider/src/admin/releases.ts). */
const protocolVersions: Record<string, number> = { [fromImage]: 477, [toImage]: 515 };
const nameServerPod = "name-service-0";
const replicaPod = "broker-0-replica-1-0";
const masterPod = "broker-0-master-0";
const allPods = [nameServerPod, replicaPod, masterPod];
const topic = "upgrade-orders";
const consumerGroup = "upgrade-consumers";

describe("e2e: upgrade by image change, 5.3.2 -> 5.5.1 (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    const scratch = scratchDir("rocketmq-e2e-upgrade-");
    tearDownAfterFile(() => ({ namespace, sandbox, stack, scratchDirs: [scratch] }));

    const podIp = async (name: string) =>
        sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
    const images = async () => Object.fromEntries(await Promise.all(allPods.map(async (name) =>
        [name, await sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.spec.containers[0].image}"])] as const)));

    /** The release each process answers with: the protocol version in its replies. */
    async function runningVersions(): Promise<Record<string, number | undefined>> {
        const nameServer = `${await podIp(nameServerPod)}:9876`;
        const client = new RocketMQAdminClient({ nameServers: nameServer });
        try {
            const versions: Record<string, number | undefined> = {
                [nameServerPod]: await client.protocolVersionOf(nameServer, { code: RequestCode.GET_BROKER_CLUSTER_INFO }),
            };
            for (const pod of [replicaPod, masterPod]) {
                versions[pod] = await client.protocolVersionOf(`${await podIp(pod)}:10911`, { code: RequestCode.GET_BROKER_CONFIG });
            }
            return versions;
        } finally {
            client.close();
        }
    }

    const everyPod = (value: number) => Object.fromEntries(allPods.map((name) => [name, value]));

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "upgrade")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, image: fromImage },
        });
        const begin = Date.now();
        const first = await stack.up();
        assert.equal(first.code, 0, first.stdout + first.stderr);
        console.log(`      first up (${fromImage}: name server, master + replica on volume claims, topic, group): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
        assert.deepEqual(await runningVersions(), everyPod(protocolVersions[fromImage]));
    });

    it(`changing the image to ${toImage} rolls the name server, then the replica, then the master, one pod at a time; every message sent while it rolls is consumed`, async function () {
        this.timeout(1_200_000);
        const watch = new PodWatch(sandbox.kubeconfig, namespace, path.join(scratch, "hosts"), allPods);
        await watch.start();
        const uidsBefore = Object.fromEntries(allPods.map((name) => [name, watch.pods.get(name)?.metadata.uid]));
        const nameServer = (await stack.outputs()).nameServerAddresses as string;
        const jvmOptions = [`-Djdk.net.hosts.file=${watch.hostsFile}`, "-Dsun.net.inetaddr.ttl=1", "-Dsun.net.inetaddr.negative.ttl=0"];
        const clientOptions = { jvmOptions, heap: "128m", timeoutMs: 1_200_000 };
        const consumer = startJavaProgram(path.join(scratch, "consumer"), "DrainingConsumer", [nameServer, consumerGroup, topic, "180"], clientOptions);
        const producer = startJavaProgram(path.join(scratch, "producer"), "SteadyProducer", [nameServer, topic, "50", "500", "180"], clientOptions);
        try {
            // Traffic before the change, through it, and after it.
            await new Promise((resolve) => setTimeout(resolve, 10_000));
            await stack.pulumiOrThrow(["config", "set", "image", toImage]);
            const begin = Date.now();
            const up = await stack.up();
            const upSeconds = (Date.now() - begin) / 1000;
            assert.equal(up.code, 0, up.stdout + up.stderr);
            await new Promise((resolve) => setTimeout(resolve, 5_000));
            producer.tell("STOP");
            const produced = await producer.exited;
            assert.equal(produced.code, 0, `producer failed:\n${produced.stdout}\n${produced.stderr}`);
            const count = (output: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, "m").exec(output)?.[1]);
            const sent = count(produced.stdout, "SENT");
            consumer.tell(`EXPECT ${sent}`);
            const consumed = await consumer.exited;
            watch.stop();

            const received = count(consumed.stdout, "CONSUMED");
            const windowOf = (name: string) => watch.windows.find((w) => w.name === name);
            const relative = (time?: number) => (time === undefined ? "never" : `${((time - begin) / 1000).toFixed(1)} s`);
            console.log(`      upgrade ${fromImage} -> ${toImage} (pulumi up): ${upSeconds.toFixed(0)} s`);
            for (const name of allPods) console.log(`      ${name} not Ready from ${relative(windowOf(name)?.from)} to ${relative(windowOf(name)?.to)} into the up`);
            console.log(`      produced ${sent}, consumed ${received} distinct (${count(consumed.stdout, "DUPLICATES")} redelivered); ` +
                `${count(produced.stdout, "FAILED_THEN_RETRIED")} failed sends retried successfully, longest send ${count(produced.stdout, "LONGEST_SEND_MS")} ms, ` +
                `${count(produced.stdout, "GAVE_UP")} given up`);

            assert.equal(count(produced.stdout, "GAVE_UP"), 0, produced.stderr);
            assert.ok(sent > 0, produced.stdout);
            assert.equal(consumed.code, 0, `consumer did not get every message:\n${consumed.stdout}\n${consumed.stderr}`);
            assert.equal(received, sent);
            assert.equal(count(consumed.stdout, "OUT_OF_RANGE"), 0);

            // Each pod was replaced exactly once, by a Ready pod of the new image.
            assert.deepEqual(watch.windows.map((w) => w.name), allPods, JSON.stringify(watch.windows));
            for (const name of allPods) {
                const { endedByUid } = windowOf(name)!;
                assert.ok(endedByUid !== undefined && endedByUid !== uidsBefore[name], `${name} was replaced: ${JSON.stringify(windowOf(name))}`);
            }
            assert.ok(windowOf(nameServerPod)!.to! <= windowOf(replicaPod)!.from, "the name server is Ready again before the replica goes");
            assert.ok(windowOf(replicaPod)!.to! <= windowOf(masterPod)!.from, "the replica is Ready again before the master goes");
            assert.equal(watch.mostNotReadyTogether.length, 1, `pods not Ready together: ${watch.mostNotReadyTogether.join(", ")}`);
            assert.deepEqual(await images(), Object.fromEntries(allPods.map((name) => [name, toImage])));
            assert.deepEqual(await runningVersions(), everyPod(protocolVersions[toImage]));
        } finally {
            watch.stop();
            producer.closeStdin();
            consumer.closeStdin();
        }
    });

    it("a downgrade to 4.9.7 is refused at preview, naming the image and why", async function () {
        this.timeout(300_000);
        await stack.pulumiOrThrow(["config", "set", "image", "apache/rocketmq:4.9.7"]);
        const preview = await stack.preview();
        await stack.pulumiOrThrow(["config", "set", "image", toImage]);
        assert.notEqual(preview.code, 0, preview.stdout + preview.stderr);
        console.log(`      preview: ${(preview.stdout + preview.stderr).split("\n").find((line) => line.includes("is a downgrade"))?.trim()}`);
        assert.match(preview.stdout + preview.stderr, /broker\.image.*apache\/rocketmq:5\.5\.1 -> apache\/rocketmq:4\.9\.7 is a downgrade RocketMQ does not support: .*topic attributes such as message\.type are lost/);
    });
});
