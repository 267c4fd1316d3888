// Changes that reach running brokers, in the sandbox with the real pulumi CLI and real RocketMQ,
// on one stack (tests/e2e/programs/broker-runtime) walked through its config:
// - allowRestart false, name servers 1 -> 3 (and fileReservedTime 48 -> 24): the broker processes
//   are the same (same PIDs), every broker is registered with all three name servers when
//   `pulumi up` returns, and the brokers report the new list and setting;
// - a restart-only change (flushDiskType) previews as a warning naming it;
// - allowRestart false, 3 -> 1: the brokers get the short list, same processes;
// - allowRestart true (turning it on, then 1 -> 3): the brokers restart one at a time, replica
//   before master, never two not Ready at once (pods watched during the up), all registered.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { CommandResult, PulumiTestStack } from "../support/pulumiStack";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-runtime-${process.pid}`;
const brokerPods = ["broker-0-master-0", "broker-0-replica-1-0"];

interface PodJson {
    metadata: { name: string; uid: string };
    status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string }[] };
}

describe("e2e: changes reach running brokers (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    tearDownAfterFile(() => ({ namespace, sandbox, stack }));

    const pods = async (): Promise<PodJson[]> => (JSON.parse(await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as { items: PodJson[] }).items;
    const isReady = (pod: PodJson) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    /** The agent names a container sandbox://<pod uid>/<container>/<pid>. */
    const brokerPids = async () => Object.fromEntries((await pods()).filter((pod) => brokerPods.includes(pod.metadata.name))
        .map((pod) => [pod.metadata.name, pod.status.containerStatuses?.[0]?.containerID?.split("/").pop()]));
    const podIp = async (name: string) => (await pods()).find((pod) => pod.metadata.name === name)?.status.podIP;

    async function configure(values: Record<string, string>): Promise<void> {
        for (const [key, value] of Object.entries(values)) await stack.pulumiOrThrow(["config", "set", key, value]);
    }

    /** Runs `pulumi up` while sampling the broker pods every 500 ms: which were not Ready (or absent) together. */
    async function upWatchingPods(): Promise<{ result: CommandResult; seconds: number; notReadyTogether: string[][] }> {
        const samples: string[][] = [];
        let running = true;
        const watcher = (async () => {
            while (running) {
                const now = await pods().catch(() => undefined);
                if (now) samples.push(brokerPods.filter((name) => !now.some((pod) => pod.metadata.name === name && isReady(pod))));
                await new Promise((resolve) => setTimeout(resolve, 500));
            }
        })();
        const begin = Date.now();
        const result = await stack.up();
        const seconds = (Date.now() - begin) / 1000;
        running = false;
        await watcher;
        return { result, seconds, notReadyTogether: samples.filter((sample) => sample.length > 0) };
    }

    /** Per name server pod, the broker ids of broker-0 it lists. */
    async function registrations(nameServerCount: number): Promise<Record<string, string[]>> {
        const listed: Record<string, string[]> = {};
        for (let i = 0; i < nameServerCount; i++) {
            const address = `${await podIp(`name-service-${i}`)}:9876`;
            const client = new RocketMQAdminClient({ nameServers: address });
            try {
                listed[`name-service-${i}`] = Object.keys((await client.getClusterInfoFrom(address)).brokers["broker-0"]?.addresses ?? {}).sort();
            } finally {
                client.close();
            }
        }
        return listed;
    }

    async function brokerSetting(pod: string, key: string): Promise<string | undefined> {
        const address = `${await podIp(pod)}:10911`;
        const client = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        try {
            return (await client.getBrokerConfig(address))[key];
        } finally {
            client.close();
        }
    }

    const nameServerList = (count: number) => Array.from({ length: count }, (_, i) => `name-service-${i}.name-service.${namespace}.svc.cluster.local:9876`).join(";");

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "broker-runtime")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace },
        });
        const first = await upWatchingPods();
        assert.equal(first.result.code, 0, first.result.stdout + first.result.stderr);
        console.log(`      first up (1 name server, master + replica): ${first.seconds.toFixed(0)} s`);
    });

    it("allowRestart false, name servers 1 -> 3: same broker processes, all registered with all three when up returns, new list and setting live", async () => {
        const before = await brokerPids();
        assert.ok(Object.values(before).every((pid) => /^\d+$/.test(pid ?? "")), JSON.stringify(before));
        await configure({ nameServers: "3", fileReservedTime: "24" });
        const { result, seconds, notReadyTogether } = await upWatchingPods();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        console.log(`      up 1 -> 3 name servers, no restart: ${seconds.toFixed(0)} s`);
        assert.deepEqual(await registrations(3), { "name-service-0": ["0", "1"], "name-service-1": ["0", "1"], "name-service-2": ["0", "1"] });
        assert.deepEqual(await brokerPids(), before, "the broker processes are the same");
        assert.deepEqual(notReadyTogether, [], "no broker was ever not Ready");
        for (const pod of brokerPods) {
            assert.equal(await brokerSetting(pod, "namesrvAddr"), nameServerList(3), pod);
            assert.equal(await brokerSetting(pod, "fileReservedTime"), "24", pod);
        }
        assert.match(result.stdout, /all 2 broker\(s\) registered with all 3 name server\(s\)/);
    });

    it("a restart-only change with allowRestart false previews as a warning naming the key", async () => {
        await configure({ flushDiskType: "SYNC_FLUSH" });
        const preview = await stack.pulumi(["preview", "--non-interactive"]);
        await configure({ flushDiskType: "ASYNC_FLUSH" });
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        assert.match(preview.stdout + preview.stderr, /warning: cluster DefaultCluster: flushDiskType changed and take effect only when the brokers restart; allowRestart is false/, preview.stdout + preview.stderr);
    });

    it("allowRestart false, name servers 3 -> 1: the brokers get the short list before the name servers go, same processes", async () => {
        const before = await brokerPids();
        await configure({ nameServers: "1" });
        const { result, seconds } = await upWatchingPods();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        console.log(`      up 3 -> 1 name servers, no restart: ${seconds.toFixed(0)} s`);
        assert.deepEqual(await brokerPids(), before);
        for (const pod of brokerPods) assert.equal(await brokerSetting(pod, "namesrvAddr"), nameServerList(1), pod);
        assert.deepEqual(await registrations(1), { "name-service-0": ["0", "1"] });
    });

    it("allowRestart true: turning it on and then 1 -> 3 restart the brokers one at a time, replica first, never two not Ready at once", async () => {
        const pidsAtStart = await brokerPids();
        await configure({ allowRestart: "true" });
        const turnOn = await upWatchingPods();
        assert.equal(turnOn.result.code, 0, turnOn.result.stdout + turnOn.result.stderr);
        const afterTurnOn = await brokerPids();
        console.log(`      up turning allowRestart on (rolls 2 brokers): ${turnOn.seconds.toFixed(0)} s`);

        await configure({ nameServers: "3" });
        const scale = await upWatchingPods();
        assert.equal(scale.result.code, 0, scale.result.stdout + scale.result.stderr);
        console.log(`      up 1 -> 3 name servers, rolling: ${scale.seconds.toFixed(0)} s`);
        const afterScale = await brokerPids();

        for (const { notReadyTogether } of [turnOn, scale]) {
            assert.ok(notReadyTogether.length > 0, "the brokers were restarted");
            assert.ok(notReadyTogether.every((sample) => sample.length === 1), `two brokers not Ready at once: ${JSON.stringify(notReadyTogether)}`);
            // The replica goes first: the first not-Ready sample names it, the last the master.
            assert.deepEqual(notReadyTogether[0], ["broker-0-replica-1-0"], JSON.stringify(notReadyTogether));
            assert.deepEqual(notReadyTogether[notReadyTogether.length - 1], ["broker-0-master-0"], JSON.stringify(notReadyTogether));
        }
        for (const pod of brokerPods) {
            assert.notEqual(afterTurnOn[pod], pidsAtStart[pod], `${pod} restarted when allowRestart turned on`);
            assert.notEqual(afterScale[pod], afterTurnOn[pod], `${pod} restarted for the new list`);
        }
        assert.deepEqual(await registrations(3), { "name-service-0": ["0", "1"], "name-service-1": ["0", "1"], "name-service-2": ["0", "1"] });
    });
});
