// Controller mode (RIP-44), standalone then embedded, in the sandbox, with the real pulumi CLI, real
// RocketMQ processes and the real remoting client, each on the smallest cluster that fails over
// (tests/e2e/programs/controller: one name server, three standalone controllers or one inside the
// name server, two groups of a master and a replica, a proxy, a topic per client kind and a consumer
// group each made by the provider):
// - a remoting producer sends keyed messages to group 0 throughout, and a gRPC producer
//   (rocketmq-client-java) sends keyed messages through the proxy (proxyEndpoint) throughout; the JVM
//   of group 0's master is killed with SIGKILL on the sandbox host (only that pod's process, found
//   through the agent's container id);
// - writes resume on the elected replica (the failover time runs from the kill to the first send
//   acknowledged by the new master, for each producer); the killed pod comes back as a replica; every
//   acknowledged key of both producers is consumed; the topics and subscription groups exist on the
//   new master;
// - pulumi refresh reports the new master, the next pulumi up restarts nothing, and a Topic change
//   works while the master is the former replica; a change of controller.mode is refused at preview;
// - standalone, while group 0's master is the pod of its -replica- StatefulSet (when the election
//   made the -master- pod master, that one is killed too): scaling 2 -> 3 groups copies the topics
//   and groups from it to the new group, a TopicTransfer moves a hand-made topic from group 0 to the
//   new group, and every message sent while scaling and after the moves is consumed; a change of the
//   controllers' and the proxy's heap previews those two workloads changing, and no other;
// - standalone runs three controllers: each one's /metrics is scraped on the port the
//   controller-metrics Service carries, and the Eviction API evicts one controller and refuses (429)
//   a second while the first is not Ready (the budget keeps two of three, a Raft majority).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { RocketMQAdminClient } from "../../provider/src/admin/client";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { httpGet, parseExposition } from "../support/prometheusText";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaGrpcClient, startJavaGrpcClient } from "../support/grpcClients";
import { runJavaProgram, startJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";
import { resolveServiceThroughHostsFile } from "../support/serviceHosts";

// Both modes by default, one small cluster after the other; E2E_CONTROLLER_MODES picks (e.g. "standalone").
const modes = (process.env.E2E_CONTROLLER_MODES ?? "standalone,embedded").split(",").filter((mode) => mode !== "");
const topic = "failover-topic";
const consumerGroup = "failover-group";
/** What the gRPC producer sends through the proxy, and the group its consumer reads with. */
const grpcTopic = "failover-grpc-topic";
const grpcConsumerGroup = "failover-grpc-group";
/** Standalone: three controllers, so one may be evicted while two (a majority) elect. */
const controllerSize = 3;

interface PodJson {
    metadata: { name: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
    spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
    status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string; restartCount?: number }[] };
}

interface GroupOutput {
    brokerName: string;
    masterPodName: string;
    replicaPodNames: string[];
    inSyncReplicaPodNames?: string[];
}

for (const mode of modes) describe(`e2e: controller mode ${mode} (sandbox): a killed master is replaced by its in-sync replica`, function () {
    const namespace = `e2e-controller-${mode}-${process.pid}`;
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let admin: RocketMQAdminClient;
    const started = Date.now();
    const scratch = scratchDir("rocketmq-e2e-controller-");
    /** Set by the failover case, read by the cases after it. */
    let newMasterPod = "";
    let newMasterAddress = "";
    let killedPod = "";

    const pods = async (): Promise<PodJson[]> => (JSON.parse(await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as { items: PodJson[] }).items;
    const pod = async (name: string) => (await pods()).find((p) => p.metadata.name === name);
    /** The agent names a container sandbox://<pod uid>/<container>/<pid>: the JVM's PID on this host. */
    const pidOf = (p: PodJson | undefined) => Number(p?.status.containerStatuses?.[0]?.containerID?.split("/").pop());

    async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = await probe().catch(() => undefined);
            if (found !== undefined) return found;
            if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }

    const groupAddresses = async (brokerName: string) => (await admin.getClusterInfo({ timeoutMs: 3000 })).brokers[brokerName]?.addresses ?? {};

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "controller")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, controllerMode: mode, ...(mode === "standalone" ? { controllerSize: String(controllerSize) } : {}) },
        });
        const begin = Date.now();
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        console.log(`      first up (${mode}: name server, ${mode === "standalone" ? `${controllerSize} controllers` : "controller"}, 2 groups of master + replica): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
        admin = new RocketMQAdminClient({ nameServers: `${(await pod("name-service-0"))!.status.podIP}:9876` });
    });

    after(async function () {
        this.timeout(600_000);
        admin?.close();
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        if (sandbox) {
            await podsAfterTermination(sandbox, namespace);
            await sandbox.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        }
        fs.rmSync(scratch, { recursive: true, force: true });
        console.log(`      whole file: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });

    it(`runs the ${mode} controller, and every group registers a master (id 0) and a replica with a controller-assigned id, as the output says`, async () => {
        if (mode === "standalone") {
            const statefulSet = JSON.parse(await sandbox.kubectl(["get", "statefulset", "controller", "-n", namespace, "-o", "json"])) as { status: { readyReplicas?: number } };
            assert.equal(statefulSet.status.readyReplicas, controllerSize);
        } else {
            assert.equal(await pod("controller-0"), undefined, "no standalone controller");
        }
        const groups = (await stack.outputs()).brokerGroups as GroupOutput[];
        assert.deepEqual(groups.map((g) => g.brokerName), ["broker-0", "broker-1"]);
        for (const group of groups) {
            const addresses = await groupAddresses(group.brokerName);
            assert.equal(Object.keys(addresses).length, 2, JSON.stringify(addresses));
            assert.ok(addresses["0"], `${group.brokerName} has a master: ${JSON.stringify(addresses)}`);
            assert.equal(`${(await pod(group.masterPodName))!.status.podIP}:10911`, addresses["0"], `${group.brokerName}: the output's master pod serves the name servers' master address`);
            assert.deepEqual([...group.inSyncReplicaPodNames ?? []].sort(), [group.masterPodName, ...group.replicaPodNames].sort(), `${group.brokerName}: both pods in sync`);
        }
    });

    if (mode === "standalone") it("metrics: each controller's /metrics is scraped on the port the controller-metrics Service carries; metricsEndpoints lists every controller", async function () {
        this.timeout(300_000);
        const controllerPods = Array.from({ length: controllerSize }, (_, index) => `controller-${index}`);
        const endpoints = (await stack.outputs()).metricsEndpoints as { component: string }[];
        assert.deepEqual(endpoints.map((endpoint) => endpoint.component), ["broker", "proxy", "controller"]);
        assert.deepEqual(endpoints[2], {
            component: "controller", serviceName: "controller-metrics", portName: "metrics", port: 5557, path: "/metrics",
            targets: controllerPods.map((name) => `${name}.controller.${namespace}.svc.cluster.local:5557`),
        });
        // A headless Service carrying the port, selecting exactly the controller pods, whose port of that name is the one scraped.
        const service = JSON.parse(await sandbox.kubectl(["get", "service", "controller-metrics", "-n", namespace, "-o", "json"])) as { spec: { clusterIP: string; ports: unknown[]; selector: Record<string, string> } };
        assert.equal(service.spec.clusterIP, "None");
        assert.deepEqual(service.spec.ports, [{ name: "metrics", port: 5557, protocol: "TCP", targetPort: 5557 }]);
        const selector = Object.entries(service.spec.selector).map(([key, value]) => `${key}=${value}`).join(",");
        const selected = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "name"])).trim().split("\n").sort();
        assert.deepEqual(selected, controllerPods.map((name) => `pod/${name}`));
        for (const name of controllerPods) {
            const controller = (await pod(name))!;
            assert.equal(controller.spec.containers[0].ports?.find((port) => port.name === "metrics")?.containerPort, 5557, name);
            const scraped = await until(`${name} /metrics`, 60_000, async () => parseExposition(await httpGet(`http://${controller.status.podIP}:5557/metrics`)));
            const families = [...new Set(scraped.families)].sort();
            console.log(`      ${name} /metrics families: ${families.join(" ")}`);
            // The controller's own gauge (ControllerMetricsManager): its Raft role, set at each role change.
            assert.ok(scraped.samples.some((sample) => sample.name === "role"), `${name}: ${families.join(", ")}`);
        }
    });

    it("kill -9 of group 0's master: writes resume on the elected replica, the killed pod rejoins as a replica, no acknowledged key is lost, the topic and group exist on the new master", async function () {
        this.timeout(900_000);
        const [group0] = (await stack.outputs()).brokerGroups as GroupOutput[];
        const oldMasterPod = group0.masterPodName;
        const replicaPod = group0.replicaPodNames[0];
        const oldMaster = await pod(oldMasterPod);
        const oldMasterAddress = `${oldMaster!.status.podIP}:10911`;
        const replicaAddress = `${(await pod(replicaPod))!.status.podIP}:10911`;
        // Replicas copy topics and groups from their master every 10 s: made before the kill means copied before it.
        const replicaHolds = async () => {
            const [topics, groups] = [(await admin.getAllTopicConfigs(replicaAddress)).topics, (await admin.getAllSubscriptionGroups(replicaAddress)).groups];
            return [topics[topic] !== undefined, topics[grpcTopic] !== undefined, groups[consumerGroup] !== undefined, groups[grpcConsumerGroup] !== undefined];
        };
        await until("the replica holds the topics and the consumer groups", 180_000, async () => ((await replicaHolds()).every(Boolean) ? true : undefined))
            .catch(async (err: Error) => { throw new Error(`${err.message}: ${replicaPod} (${replicaAddress}) holds [topic, gRPC topic, group, gRPC group]: ${JSON.stringify(await replicaHolds().catch((e: Error) => e.message))}; master ${oldMasterPod} (${oldMasterAddress}); name servers: ${JSON.stringify(await groupAddresses("broker-0"))}`); });

        const nameServer = `${(await pod("name-service-0"))!.status.podIP}:9876`;
        const progress = path.join(scratch, "producer-progress");
        const producer = startJavaProgram(path.join(scratch, "producer"), "FailoverProducer", [nameServer, topic, "broker-0", "k", "20", "200", "120", progress], { timeoutMs: 600_000 });
        // The gRPC client is given the stack's proxyEndpoint; its host resolves to the proxy pod through a hosts file.
        const endpoint = (await stack.outputs()).proxyEndpoint as string;
        assert.equal(endpoint, `proxy.${namespace}.svc.cluster.local:8081`);
        const hostsFile = path.join(scratch, "hosts");
        assert.equal((await resolveServiceThroughHostsFile(sandbox, endpoint, hostsFile)).length, 1, "one Ready proxy");
        const grpcProgress = path.join(scratch, "grpc-producer-progress");
        const grpcProducer = startJavaGrpcClient(["produce-until-stop", endpoint, grpcTopic, "grpc", "20", "200", "120", grpcProgress], { hostsFile, home: path.join(scratch, "grpc"), timeoutMs: 600_000 });
        // Sends flow before the kill.
        await until("100 remoting and 50 gRPC sends acknowledged before the kill", 180_000, async () =>
            (Number(fs.readFileSync(progress, "utf8")) >= 100 && Number(fs.readFileSync(grpcProgress, "utf8")) >= 50 ? true : undefined));

        // Only this test's pod: its JVM, found through the agent, must be that pod's broker.
        const pid = pidOf(oldMaster);
        assert.ok(pid > 0, `PID of ${oldMasterPod}: ${oldMaster?.status.containerStatuses?.[0]?.containerID}`);
        const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        assert.ok(commandLine.includes("BrokerStartup"), "the PID is a broker JVM");
        const environment = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
        assert.ok(environment.includes(`POD_IP=${oldMaster!.status.podIP}`), "the PID is the JVM of the pod being killed");
        const restartsBefore = oldMaster!.status.containerStatuses?.[0]?.restartCount ?? 0;
        const killedAt = Date.now();
        process.kill(pid, "SIGKILL");

        const elected = await until("the name servers list the replica as group 0's master", 120_000, async () => {
            const addresses = await groupAddresses("broker-0");
            return addresses["0"] === replicaAddress ? addresses["0"] : undefined;
        });
        const listedAt = Date.now();
        console.log(`      the name servers list ${replicaPod} as master ${((listedAt - killedAt) / 1000).toFixed(1)} s after the kill`);
        // The gRPC producer's sends reach group 0 through the proxy again: the proxy learnt the new master.
        const grpcAcks = (out: string) => out.split("\n").filter((line) => line.startsWith("ACK ")).map((line) => {
            const [, key, at, brokerName] = line.split(" ");
            return { key, at: Number(at), brokerName };
        });
        // Acknowledged by group 0 once the old master is gone and the new one listed: by the new master.
        await until("a gRPC send through the proxy acknowledged by group 0's new master", 120_000, async () =>
            grpcAcks(grpcProducer.stdout()).some((ack) => ack.at > listedAt && ack.brokerName === "broker-0") ? true : undefined);
        // Writes go on a while on the new master, then the killed pod must be back as a replica.
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        producer.tell("STOP");
        grpcProducer.tell("STOP");
        const [produced, grpcProduced] = await Promise.all([producer.exited, grpcProducer.exited]);
        assert.equal(grpcProduced.code, 0, grpcProduced.stdout.slice(-2000) + grpcProduced.stderr.slice(-4000));
        const grpcAcked = grpcAcks(grpcProduced.stdout);
        const grpcSent = Number(/^SENT (\d+)$/m.exec(grpcProduced.stdout)?.[1]);
        assert.equal(grpcAcked.length, grpcSent);
        const grpcBeforeKill = grpcAcked.filter((ack) => ack.at <= killedAt).length;
        const grpcFirstOnGroup0 = grpcAcked.find((ack) => ack.at > listedAt && ack.brokerName === "broker-0");
        // Group 0's write outage as the gRPC producer saw it: the longest pause between its acknowledgements by group 0 around the kill.
        const group0AckTimes = grpcAcked.filter((ack) => ack.brokerName === "broker-0").map((ack) => ack.at);
        const grpcOutage = Math.max(...group0AckTimes.slice(1).map((at, index) => (group0AckTimes[index] <= killedAt + 5000 && at >= killedAt ? at - group0AckTimes[index] : 0)));
        assert.ok(grpcAcked.some((ack) => ack.at <= killedAt && ack.brokerName === "broker-0"), "gRPC sends reached group 0 before the kill");
        assert.ok(grpcFirstOnGroup0);
        console.log(`      through the proxy: kill -> first gRPC send acknowledged by group 0's new master ${((grpcFirstOnGroup0.at - killedAt) / 1000).toFixed(1)} s ` +
            `(at most: counted from when the name servers listed it); longest pause between group 0's acknowledgements ${(grpcOutage / 1000).toFixed(1)} s; ` +
            `${grpcSent} keys acknowledged (${grpcBeforeKill} before the kill, ${grpcSent - grpcBeforeKill} after; ` +
            `${grpcAcked.filter((ack) => ack.brokerName === "broker-0").length} by group 0, ${grpcAcked.filter((ack) => ack.brokerName === "broker-1").length} by group 1), ` +
            `${/^FAILED_THEN_RETRIED (\d+)$/m.exec(grpcProduced.stdout)?.[1]} failed attempts retried`);
        assert.equal(produced.code, 0, produced.stdout.slice(-2000) + produced.stderr.slice(-4000));
        const acks = produced.stdout.split("\n").filter((line) => line.startsWith("ACK ")).map((line) => {
            const [, key, at, address] = line.split(" ");
            return { key, at: Number(at), address };
        });
        const sent = Number(/^SENT (\d+)$/m.exec(produced.stdout)?.[1]);
        assert.equal(acks.length, sent);
        const firstOnNewMaster = acks.find((ack) => ack.at > killedAt && ack.address === elected);
        assert.ok(acks.filter((ack) => ack.at <= killedAt).length >= 100, "sends flowed before the kill");
        assert.ok(firstOnNewMaster, `a send acknowledged by the elected replica ${elected}: ${acks.slice(-5).map((a) => `${a.key} ${a.address}`).join(", ")}`);
        const failoverSeconds = (firstOnNewMaster.at - killedAt) / 1000;
        const beforeKill = acks.filter((ack) => ack.at <= killedAt).length;
        console.log(`      failover: kill -> first send acknowledged by ${replicaPod} (${elected}) ${failoverSeconds.toFixed(1)} s; ` +
            `${sent} keys acknowledged (${beforeKill} before the kill, ${sent - beforeKill} after), ${/^FAILED_THEN_RETRIED (\d+)$/m.exec(produced.stdout)?.[1]} failed attempts retried`);

        // The remoting consumer reads with the name servers, the gRPC push consumer through the proxy.
        const consumers = Promise.all([
            runJavaProgram(path.join(scratch, "consumer"), "TestConsumer", [nameServer, consumerGroup, topic, String(sent), "180"], 300_000),
            runJavaGrpcClient(["consume", endpoint, grpcConsumerGroup, grpcTopic, "grpc", String(grpcSent), "180"], { hostsFile, home: path.join(scratch, "grpc") }),
        ]);
        consumers.catch(() => undefined);
        const rejoined = await until("the killed pod back as a replica of group 0", 180_000, async () => {
            const p = await pod(oldMasterPod);
            const address = `${p?.status.podIP}:10911`;
            const addresses = await groupAddresses("broker-0");
            const asReplica = Object.entries(addresses).find(([id, a]) => a === address && id !== "0");
            return asReplica && addresses["0"] === replicaAddress && (p?.status.containerStatuses?.[0]?.restartCount ?? 0) > restartsBefore ? asReplica[0] : undefined;
        });
        console.log(`      ${oldMasterPod} rejoined group 0 as replica id ${rejoined}`);
        assert.notEqual(oldMasterAddress, replicaAddress);

        // Every acknowledged key of both producers is consumed (the consumers ran while the killed pod came back).
        const [consumed, grpcConsumed] = await consumers;
        const distinct = Number(/^CONSUMED (\d+)$/m.exec(consumed.stdout)?.[1]);
        console.log(`      remoting: consumed ${distinct} distinct keys of ${sent} acknowledged: ${sent - distinct} lost`);
        assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr.slice(-3000));
        assert.equal(distinct, sent);
        const grpcDistinct = Number(/^CONSUMED (\d+)$/m.exec(grpcConsumed.stdout)?.[1]);
        console.log(`      gRPC through the proxy: consumed ${grpcDistinct} distinct keys of ${grpcSent} acknowledged: ${grpcSent - grpcDistinct} lost`);
        assert.equal(grpcConsumed.code, 0, grpcConsumed.stdout + grpcConsumed.stderr.slice(-3000));
        assert.equal(grpcDistinct, grpcSent);

        // What was made before the kill exists on the new master.
        assert.ok((await admin.getAllTopicConfigs(elected)).topics[topic], `${topic} on the new master`);
        assert.ok((await admin.getAllSubscriptionGroups(elected)).groups[consumerGroup], `${consumerGroup} on the new master`);
        assert.ok((await admin.getAllTopicConfigs(elected)).topics[grpcTopic], `${grpcTopic} on the new master`);
        assert.ok((await admin.getAllSubscriptionGroups(elected)).groups[grpcConsumerGroup], `${grpcConsumerGroup} on the new master`);
        newMasterPod = replicaPod;
        newMasterAddress = elected;
        killedPod = oldMasterPod;
    });

    it("pulumi refresh reports the new master; the next pulumi up fights nothing and restarts no broker", async function () {
        this.timeout(900_000);
        assert.ok(newMasterPod, "the failover case ran");
        const refresh = await stack.refresh();
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
        const processesBefore = Object.fromEntries((await pods()).map((p) => [p.metadata.name, p.status.containerStatuses?.[0]?.containerID]));
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const [group0] = (await stack.outputs()).brokerGroups as GroupOutput[];
        assert.equal(group0.masterPodName, newMasterPod);
        assert.deepEqual(group0.replicaPodNames, [killedPod]);
        const processesAfter = Object.fromEntries((await pods()).map((p) => [p.metadata.name, p.status.containerStatuses?.[0]?.containerID]));
        assert.deepEqual(processesAfter, processesBefore, "no pod restarted");
        assert.equal((await groupAddresses("broker-0"))["0"], newMasterAddress, "the elected replica is still master");
    });

    it("a Topic change works while group 0's master is the former replica", async function () {
        this.timeout(900_000);
        assert.ok(newMasterAddress, "the failover case ran");
        await stack.pulumiOrThrow(["config", "set", "topicQueues", "8"]);
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const config = (await admin.getAllTopicConfigs(newMasterAddress)).topics[topic];
        assert.equal(config?.writeQueueNums, 8, JSON.stringify(config));
        assert.equal(config?.readQueueNums, 8);
    });

    if (mode === "standalone") it("after the failover: scaling 2 -> 3 groups copies from group 0's new master, a TopicTransfer moves a topic off group 0, and every message sent across them is consumed", async function () {
        this.timeout(1_200_000);
        assert.ok(newMasterAddress, "the failover case ran");
        assert.equal((await groupAddresses("broker-0"))["0"], newMasterAddress, "group 0's master is still the one the failover elected");
        if (/-master-0$/.test(newMasterPod)) {
            // The election made the -master- pod master (the replica's pod was master first): fail over once more, so
            // that what follows runs while group 0's master is the pod of its -replica- StatefulSet.
            const master = (await pod(newMasterPod))!;
            const other = (await pod(killedPod))!;
            const otherAddress = `${other.status.podIP}:10911`;
            const restartsBefore = master.status.containerStatuses?.[0]?.restartCount ?? 0;
            assert.ok(fs.readFileSync(`/proc/${pidOf(master)}/environ`, "utf8").includes(`POD_IP=${master.status.podIP}`), "the PID is the JVM of the pod being killed");
            const killedAt = Date.now();
            process.kill(pidOf(master), "SIGKILL");
            await until(`${killedPod} listed as group 0's master`, 120_000, async () => ((await groupAddresses("broker-0"))["0"] === otherAddress ? true : undefined));
            const electedSeconds = (Date.now() - killedAt) / 1000;
            await until(`${newMasterPod} back as a replica of group 0`, 180_000, async () => {
                const p = await pod(newMasterPod);
                const addresses = await groupAddresses("broker-0");
                return (p?.status.containerStatuses?.[0]?.restartCount ?? 0) > restartsBefore && Object.entries(addresses).some(([id, a]) => id !== "0" && a === `${p?.status.podIP}:10911`) ? true : undefined;
            });
            console.log(`      second kill: ${killedPod} listed as master ${electedSeconds.toFixed(1)} s after it, ${newMasterPod} back as replica ${((Date.now() - killedAt) / 1000).toFixed(0)} s after it`);
            [newMasterPod, killedPod, newMasterAddress] = [killedPod, newMasterPod, otherAddress];
        }
        assert.match(newMasterPod, /^broker-0-replica-1-0$/, "group 0's master is the pod of its -replica- StatefulSet");
        const nameServer = `${(await pod("name-service-0"))!.status.podIP}:9876`;
        const counts: string[] = [];
        /** Sends `count` messages to `topicName` and has `group` consume them, each client in its own dir under `label`. */
        const sendAndConsume = async (label: string, topicName: string, group: string, count: number) => {
            const home = path.join(scratch, label.replace(/\W+/g, "-"));
            const produced = await runJavaProgram(path.join(home, "producer"), "TestProducer", [nameServer, topicName, String(count)], 180_000);
            assert.equal(produced.code, 0, produced.stdout + produced.stderr.slice(-3000));
            const consumed = await runJavaProgram(path.join(home, "consumer"), "TestConsumer", [nameServer, group, topicName, String(count), "180"], 300_000);
            const distinct = Number(/^CONSUMED (\d+)$/m.exec(consumed.stdout)?.[1]);
            counts.push(`${label}: ${count} sent to ${topicName}, ${distinct} consumed`);
            assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr.slice(-3000));
            assert.equal(distinct, count, label);
        };

        // A topic and a group made by hand on group 0's master (the former replica), as mqadmin would, used while the cluster grows.
        const handoverTopic = "handover-topic";
        const handoverGroup = "handover-group";
        await admin.createOrUpdateTopic(newMasterAddress, { topicName: handoverTopic, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
        await admin.createOrUpdateSubscriptionGroup(newMasterAddress, { groupName: handoverGroup });
        await until(`${handoverTopic} routed to group 0`, 60_000, async () =>
            (await admin.getTopicRoute(handoverTopic)).queues.some((queue) => queue.brokerName === "broker-0") ? true : undefined);

        // 2 -> 3 groups: the new group gets the topics and groups of the scale source, group 0, read from its master now.
        // Meanwhile messages flow through the hand-made topic, and the transfer's stack is made.
        let begin = Date.now();
        await stack.pulumiOrThrow(["config", "set", "brokerSize", "3"]);
        const [up, transfer] = await Promise.all([
            stack.up().then((result) => ({ ...result, seconds: (Date.now() - begin) / 1000 })),
            PulumiTestStack.create({
                programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "controller-transfer")),
                env: { KUBECONFIG: sandbox.kubeconfig },
                config: { nameServerAddresses: String((await stack.outputs()).nameServerAddresses), topic: handoverTopic, consumerGroup: handoverGroup, sourceGroup: "broker-0", targetGroup: "broker-2" },
            }),
            sendAndConsume("while scaling", handoverTopic, handoverGroup, 100),
        ]);
        try {
            assert.equal(up.code, 0, up.stdout + up.stderr);
            const groups = (await stack.outputs()).brokerGroups as GroupOutput[];
            assert.deepEqual(groups.map((g) => g.brokerName), ["broker-0", "broker-1", "broker-2"]);
            assert.equal(groups[0].masterPodName, newMasterPod, "group 0's master is still the former replica");
            const group2Master = (await groupAddresses("broker-2"))["0"];
            assert.ok(group2Master, "broker-2 registered a master");
            const copiedTopics = (await admin.getAllTopicConfigs(group2Master)).topics;
            const copiedGroups = (await admin.getAllSubscriptionGroups(group2Master)).groups;
            for (const name of [topic, grpcTopic, handoverTopic]) assert.ok(copiedTopics[name], `${name} copied to broker-2`);
            for (const name of [consumerGroup, grpcConsumerGroup, handoverGroup]) assert.ok(copiedGroups[name], `${name} copied to broker-2`);
            // Copied as group 0's master has it now: a replica copies its master's topics once a minute, so the Topic
            // change made shortly before the second kill may be missing there, while the -master- pod may have it.
            const sourceQueues = (await admin.getAllTopicConfigs(newMasterAddress)).topics[topic]?.writeQueueNums;
            assert.equal(copiedTopics[topic].writeQueueNums, sourceQueues, `${topic} as group 0's master ${newMasterPod} has it`);
            console.log(`      ${topic} copied to broker-2 with ${copiedTopics[topic].writeQueueNums} queues, as on group 0's master ${newMasterPod} ` +
                `(the Topic asks 8; ${killedPod} has ${(await admin.getAllTopicConfigs(`${(await pod(killedPod))!.status.podIP}:10911`)).topics[topic]?.writeQueueNums})`);

            // TopicTransfer of the hand-made topic from group 0 (master: the former replica) to the new group.
            begin = Date.now();
            const moved = await transfer.up();
            assert.equal(moved.code, 0, moved.stdout + moved.stderr);
            const transferSeconds = (Date.now() - begin) / 1000;
            const route = await admin.getTopicRoute(handoverTopic);
            assert.deepEqual([...new Set(route.queues.map((queue) => queue.brokerName))], ["broker-2"], JSON.stringify(route.queues));
            assert.equal((await admin.getAllTopicConfigs(newMasterAddress)).topics[handoverTopic], undefined, `${handoverTopic} deleted on group 0's master`);
            console.log(`      scaling 2 -> 3 groups: ${up.seconds.toFixed(0)} s; TopicTransfer broker-0 -> broker-2: ${transferSeconds.toFixed(0)} s`);
        } finally {
            await transfer.remove();
        }
        // The provider's topic is on three groups now: its consumers receive what is sent to all of them.
        assert.deepEqual([...new Set((await admin.getTopicRoute(topic)).queues.map((queue) => queue.brokerName))].sort(), ["broker-0", "broker-1", "broker-2"]);
        await Promise.all([
            sendAndConsume("after the transfer", handoverTopic, handoverGroup, 100),
            sendAndConsume("after the scaling", topic, consumerGroup, 150),
        ]);
        for (const line of counts) console.log(`      ${line}`);
        // The proxies restart when the broker groups change: the next case starts once the old proxy pod is gone.
        await until("no pod terminating", 180_000, async () => ((await pods()).every((p) => p.metadata.deletionTimestamp === undefined) ? true : undefined));
    });

    if (mode === "standalone") it("a change of the controllers' and the proxy's heap previews the controller StatefulSet and the proxy Deployment changing (they restart), no broker or name server, and changes nothing", async function () {
        this.timeout(600_000);
        const before = (await pods()).map((p) => `${p.metadata.name} ${p.status.containerStatuses?.[0]?.containerID}`).sort();
        await stack.pulumiOrThrow(["config", "set", "controllerHeap", "160m"]);
        await stack.pulumiOrThrow(["config", "set", "proxyHeap", "320m"]);
        const preview = await stack.preview();
        await stack.pulumiOrThrow(["config", "set", "controllerHeap", "128m"]);
        await stack.pulumiOrThrow(["config", "set", "proxyHeap", "256m"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        /** The diff block of each workload the preview updates, by its resource name. */
        const updated = new Map<string, string>();
        for (const match of preview.stdout.matchAll(/~ kubernetes:apps\/v1:(?:StatefulSet|Deployment): \(update\)[\s\S]*?\[urn=[^\]]*::(\S+)\]([\s\S]*?)(?=\n\s*[~+-] \S+: \(|\nResources:)/g)) {
            updated.set(match[1], match[2]);
        }
        const controllerDiff = [...updated].find(([name]) => name.endsWith("-controller"))?.[1];
        const proxyDiff = [...updated].find(([name]) => name.endsWith("-proxy"))?.[1];
        assert.match(controllerDiff ?? "no controller StatefulSet update in the preview", /160m/, preview.stdout);
        assert.match(proxyDiff ?? "no proxy Deployment update in the preview", /320m/, preview.stdout);
        assert.deepEqual([...updated.keys()].filter((name) => !name.endsWith("-controller") && !name.endsWith("-proxy")), [], "only the controllers and the proxy restart");
        assert.deepEqual((await pods()).map((p) => `${p.metadata.name} ${p.status.containerStatuses?.[0]?.containerID}`).sort(), before);
    });

    it("a change of controller.mode is refused at preview, naming the field, and changes nothing", async function () {
        this.timeout(600_000);
        const before = (await pods()).map((p) => `${p.metadata.name} ${p.status.containerStatuses?.[0]?.containerID}`).sort();
        await stack.pulumiOrThrow(["config", "set", "controllerMode", "none"]);
        const preview = await stack.preview();
        await stack.pulumiOrThrow(["config", "set", "controllerMode", mode]);
        assert.notEqual(preview.code, 0, preview.stdout);
        assert.match(preview.stdout + preview.stderr, new RegExp(`controller\\.mode ${mode} -> none on a running cluster is refused`));
        assert.deepEqual((await pods()).map((p) => `${p.metadata.name} ${p.status.containerStatuses?.[0]?.containerID}`).sort(), before);
    });

    if (mode === "standalone") it("disruption budget: the Eviction API evicts one controller and refuses a second while the first is not Ready (two of three stay, a Raft majority)", async function () {
        this.timeout(300_000);
        const isReady = (p: PodJson) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
        const controllers = async () => (await pods()).filter((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "controller");
        const budget = JSON.parse(await sandbox.kubectl(["get", "poddisruptionbudget", "controller", "-n", namespace, "-o", "json"])) as { spec: { maxUnavailable: number } };
        assert.equal(budget.spec.maxUnavailable, 1);
        await until("the budget allows one disruption", 60_000, async () =>
            (await sandbox.kubectl(["get", "poddisruptionbudget", "controller", "-n", namespace, "-o", "jsonpath={.status.disruptionsAllowed}"])) === "1" ? true : undefined);
        const evict = (name: string) => sandbox.kubectl(["create", "--raw", `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, "-f", "-"], {
            input: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } }),
        });
        const first = (await pod("controller-0"))!.metadata;
        const secondProcess = (await pod("controller-1"))!.status.containerStatuses?.[0]?.containerID;
        await evict("controller-0");
        const refused = await evict("controller-1").then(() => undefined, (error: Error) => error.message);
        // The evicted controller is going, gone, or back but not Ready yet: one short when the second eviction came.
        const firstNow = await pod("controller-0");
        assert.ok(firstNow === undefined || firstNow.metadata.deletionTimestamp !== undefined || !isReady(firstNow),
            `the evicted controller was Ready again: ${JSON.stringify(firstNow?.status.conditions)}`);
        assert.match(refused ?? "the second eviction was accepted", /TooManyRequests|429/);
        assert.match(refused ?? "", /Cannot evict pod as it would violate the pod's disruption budget/);
        const back = await until(`${controllerSize} Ready controllers again`, 180_000, async () => {
            const ready = (await controllers()).filter((p) => isReady(p) && p.metadata.deletionTimestamp === undefined);
            return ready.length === controllerSize ? ready : undefined;
        });
        assert.notEqual(back.find((p) => p.metadata.name === "controller-0")?.metadata.uid, first.uid, "controller-0 was evicted: a new pod runs it");
        assert.equal(back.find((p) => p.metadata.name === "controller-1")?.status.containerStatuses?.[0]?.containerID, secondProcess, "controller-1 kept running");
    });
});
