// Day two in the sandbox, with the real pulumi CLI, real RocketMQ processes and real clients, on one
// small stack (tests/e2e/programs/day-two: a name server, one broker group of a master and a replica
// on claims of a StorageClass that allows expansion):
// - metrics: every broker's /metrics is scraped on its pod port (the one the metrics Service
//   carries); 500 messages from the real producer grow rocketmq_messages_in_total of the topic by
//   exactly 500; a consumer group that stops consuming while online shows its lag in
//   rocketmq_consumer_lag_messages; the Grafana dashboard names only metrics the scrape returned;
//   a ServiceMonitor is refused at preview while the cluster lacks its CRD;
// - disruption budgets: the Eviction API evicts one pod of the broker group and refuses (429) a
//   second eviction in the group while the first pod is not Ready;
// - disks: a stack deployed without StorageExpansion (as by a provider version before it) previews
//   no StatefulSet replaced and up replaces none; broker storage 1Gi -> 2Gi with pulumi up grows
//   every claim with no broker restart, a second up changes nothing, 2Gi -> 1Gi is refused at
//   preview naming the field;
// - every preview changes no object in the cluster.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { RunningJavaProgram, runJavaProgram, runMqadmin, startJavaProgram } from "../support/rocketmq";
import { httpGet, parseExposition, Sample, sumOf as sum } from "../support/prometheusText";
import { scratchDir } from "../support/scratch";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-daytwo-${process.pid}`;
const storageClass = `e2e-daytwo-expandable-${process.pid}`;
const brokerPods = ["broker-0-master-0", "broker-0-replica-1-0"];
const claims = brokerPods.map((pod) => `broker-storage-${pod}`);

interface PodJson {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string }[] };
}

describe("e2e: day two (sandbox): metrics, disruption budgets, growing disks", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    tearDownAfterFile(() => ({ namespace, sandbox, stack, clusterObjects: [["storageclass", storageClass]] }));
    const javaHome = scratchDir("rocketmq-e2e-daytwo-");

    const pods = async (): Promise<PodJson[]> => (JSON.parse(await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as { items: PodJson[] }).items;
    const isReady = (pod: PodJson) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    const podIp = async (name: string) => (await pods()).find((pod) => pod.metadata.name === name)?.status.podIP;
    /** The agent names a container sandbox://<pod uid>/<container>/<pid>. */
    const brokerProcesses = async () => Object.fromEntries((await pods()).filter((pod) => brokerPods.includes(pod.metadata.name))
        .map((pod) => [pod.metadata.name, `${pod.metadata.uid}/${pod.status.containerStatuses?.[0]?.containerID?.split("/").pop()}`]));
    const nameServer = async () => `${await podIp("name-service-0")}:9876`;

    /** uid and resourceVersion of every object of the namespace. */
    async function clusterObjects(): Promise<string[]> {
        const list = JSON.parse(await sandbox.kubectl(["get", "statefulsets,pods,services,configmaps,secrets,poddisruptionbudgets,persistentvolumeclaims", "-n", namespace, "-o", "json"])) as {
            items: { kind: string; metadata: { name: string; uid: string; resourceVersion: string } }[];
        };
        // The namespace's own root CA ConfigMap is Kubernetes', not ours.
        return list.items.filter((item) => item.metadata.name !== "kube-root-ca.crt")
            .map((item) => `${item.kind}/${item.metadata.name} ${item.metadata.uid} ${item.metadata.resourceVersion}`).sort();
    }

    /** A preview, asserting it changed no object in the cluster. */
    async function previewChangingNothing(): Promise<{ code: number; output: string }> {
        const before = await clusterObjects();
        const preview = await stack.preview();
        assert.deepEqual(await clusterObjects(), before, "the preview changed no object in the cluster");
        return { code: preview.code, output: preview.stdout + preview.stderr };
    }

    async function scrape(pod: string): Promise<{ families: string[]; samples: Sample[] }> {
        return parseExposition(await httpGet(`http://${await podIp(pod)}:5557/metrics`));
    }

    async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = await probe().catch(() => undefined);
            if (found !== undefined) return found;
            if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    }

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        await sandbox.kubectl(["apply", "-f", "-"], {
            input: JSON.stringify({
                apiVersion: "storage.k8s.io/v1",
                kind: "StorageClass",
                metadata: { name: storageClass },
                provisioner: "sandbox.pulumi-rocketmq/hostpath",
                reclaimPolicy: "Delete",
                volumeBindingMode: "Immediate",
                allowVolumeExpansion: true,
            }),
        });
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "day-two")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, storageClass },
        });
        const preview = await previewChangingNothing();
        assert.equal(preview.code, 0, preview.output);
        assert.deepEqual(await clusterObjects(), [], "nothing exists after the first preview");
        const begin = Date.now();
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        console.log(`      first up (name server, master + replica on claims): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
    });

    it("metrics: every broker's /metrics scraped on the metrics port; 500 sent messages count exactly; a lagging group shows its lag; the dashboard names only scraped metrics", async () => {
        const outputs = await stack.outputs();
        const [endpoint, ...others] = outputs.metricsEndpoints as { component: string; serviceName: string; portName: string; port: number; path: string; targets: string[] }[];
        assert.deepEqual(others, []);
        assert.deepEqual(endpoint, {
            component: "broker", serviceName: "broker-metrics", portName: "metrics", port: 5557, path: "/metrics",
            targets: brokerPods.map((pod) => `${pod}.broker-0.${namespace}.svc.cluster.local:5557`),
        });
        // The Service carries the port and selects exactly the broker pods, whose port of that name is the one scraped.
        const service = JSON.parse(await sandbox.kubectl(["get", "service", "broker-metrics", "-n", namespace, "-o", "json"])) as { spec: { ports: unknown[]; selector: Record<string, string> } };
        assert.deepEqual(service.spec.ports, [{ name: "metrics", port: 5557, protocol: "TCP", targetPort: 5557 }]);
        const selector = Object.entries(service.spec.selector).map(([key, value]) => `${key}=${value}`).join(",");
        assert.deepEqual((await sandbox.kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "name"])).trim().split("\n").sort(), brokerPods.map((pod) => `pod/${pod}`));
        const families: Record<string, string[]> = {};
        for (const pod of brokerPods) {
            const scraped = await until(`${pod} /metrics`, 60_000, () => scrape(pod));
            families[pod] = [...new Set(scraped.families)].sort();
            assert.ok(scraped.samples.some((sample) => sample.name === "rocketmq_broker_permission"), `${pod}: ${families[pod].join(", ")}`);
        }
        console.log(`      broker metric families (${families[brokerPods[0]].length} on the master, ${families[brokerPods[1]].length} on the replica): ${families[brokerPods[0]].join(" ")}`);

        const topic = "daytwo-metrics";
        const address = await nameServer();
        const created = await runMqadmin(javaHome, address, ["updateTopic", "-c", "DefaultCluster", "-t", topic, "-r", "4", "-w", "4"]);
        assert.equal(created.code, 0, created.stdout + created.stderr);
        const messagesIn = async () => {
            let total = 0;
            for (const pod of brokerPods) total += sum((await scrape(pod)).samples, "rocketmq_messages_in_total", { topic });
            return total;
        };
        const before = await messagesIn();
        const sent = await runJavaProgram(javaHome, "TestProducer", [address, topic, "500"]);
        assert.equal(sent.code, 0, sent.stdout + sent.stderr);
        const grown = await until("rocketmq_messages_in_total grows by 500", 60_000, async () => ((await messagesIn()) - before >= 500 ? (await messagesIn()) - before : undefined));
        assert.equal(grown, 500);

        // A group that consumed the 500 and stays online without consuming: the next 120 are its lag.
        const group = "daytwo-lagging";
        const statusFile = path.join(javaHome, "pausing-consumer.status");
        const consumer: RunningJavaProgram = startJavaProgram(javaHome, "PausingConsumer", [address, group, topic, "500", "120", statusFile], { timeoutMs: 600_000 });
        try {
            await until("the consumer group consumed 500 and paused", 180_000, async () =>
                (fs.existsSync(statusFile) && fs.readFileSync(statusFile, "utf8").startsWith("PAUSED") ? true : undefined));
            const more = await runJavaProgram(javaHome, "TestProducer", [address, topic, "120"]);
            assert.equal(more.code, 0, more.stdout + more.stderr);
            const lag = await until("the group's lag on the master", 90_000, async () => {
                const value = sum((await scrape("broker-0-master-0")).samples, "rocketmq_consumer_lag_messages", { consumer_group: group, topic });
                return value === 120 ? value : undefined;
            });
            assert.equal(lag, 120);
            // The dashboard's queries name only metric families this scrape returned.
            const scrapedNames = new Set<string>();
            for (const pod of brokerPods) for (const sample of (await scrape(pod)).samples) scrapedNames.add(sample.name.replace(/_(bucket|sum|count)$/, ""));
            const dashboard = fs.readFileSync(path.join(repoRoot, "examples", "grafana", "rocketmq-dashboard.json"), "utf8");
            const named = [...new Set([...dashboard.matchAll(/\b(rocketmq_[a-z0-9_]+)\b/g)].map((match) => match[1]))].sort();
            assert.ok(named.length >= 5, named.join(", "));
            assert.deepEqual(named.filter((name) => !scrapedNames.has(name)), [], `scraped: ${[...scrapedNames].sort().join(", ")}`);
        } finally {
            consumer.closeStdin();
            await consumer.exited.catch(() => undefined);
        }
    });

    it("metrics: a ServiceMonitor is refused at preview, naming the input and the CRD, while the cluster lacks the Prometheus Operator's CRD", async () => {
        await stack.pulumiOrThrow(["config", "set", "serviceMonitor", "true"]);
        const preview = await previewChangingNothing();
        await stack.pulumiOrThrow(["config", "set", "serviceMonitor", "false"]);
        assert.notEqual(preview.code, 0, preview.output);
        assert.match(preview.output, /metrics\.serviceMonitor: the cluster at https:\/\/127\.0\.0\.1:\d+ has no ServiceMonitor \(monitoring\.coreos\.com\/v1\): the Prometheus Operator's CRD servicemonitors\.monitoring\.coreos\.com must be installed first/);
    });

    it("disruption budgets: the Eviction API evicts one pod of the broker group and refuses a second while the first is not Ready", async () => {
        const budget = JSON.parse(await sandbox.kubectl(["get", "poddisruptionbudget", "broker-0", "-n", namespace, "-o", "json"])) as { spec: { maxUnavailable: number } };
        assert.equal(budget.spec.maxUnavailable, 1);
        await until("the budget allows one disruption", 60_000, async () =>
            (await sandbox.kubectl(["get", "poddisruptionbudget", "broker-0", "-n", namespace, "-o", "jsonpath={.status.disruptionsAllowed}"])) === "1" ? true : undefined);
        const evict = (pod: string) => sandbox.kubectl(["create", "--raw", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, "-f", "-"], {
            input: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } }),
        });
        const masterBefore = (await brokerProcesses())["broker-0-master-0"];
        const replicaBefore = (await brokerProcesses())["broker-0-replica-1-0"];
        await evict("broker-0-replica-1-0");
        const refused = await evict("broker-0-master-0").then(() => undefined, (error: Error) => error.message);
        // Still going, gone, or a new pod not Ready yet: the group was one pod short when the second eviction came.
        const replicaNow = (await pods()).find((pod) => pod.metadata.name === "broker-0-replica-1-0");
        assert.ok(replicaNow === undefined || replicaNow.metadata.deletionTimestamp !== undefined || !isReady(replicaNow),
            `the evicted replica was Ready again: ${JSON.stringify(replicaNow?.status.conditions)}`);
        assert.match(refused ?? "the second eviction was accepted", /TooManyRequests|429/);
        assert.match(refused ?? "", /Cannot evict pod as it would violate the pod's disruption budget/);
        assert.equal((await brokerProcesses())["broker-0-master-0"], masterBefore, "the master kept running");
        await until("the evicted replica is back and Ready", 180_000, async () => {
            const back = (await pods()).find((pod) => pod.metadata.name === "broker-0-replica-1-0");
            return back && isReady(back) && back.metadata.deletionTimestamp === undefined ? true : undefined;
        });
        assert.notEqual((await brokerProcesses())["broker-0-replica-1-0"], replicaBefore, "the replica was evicted: a new pod runs it");
    });

    it("disks: a stack deployed without StorageExpansion (as by a provider version before it) previews its StorageClass-backed StatefulSets unchanged, and up replaces none", async () => {
        // The state such a version left: no StorageExpansion, and no StatefulSet depending on one.
        const exported = JSON.parse((await stack.pulumiOrThrow(["stack", "export"])).stdout) as {
            deployment: { resources: { urn: string; type: string; dependencies?: string[]; propertyDependencies?: Record<string, string[]> }[] };
        };
        const expansions = exported.deployment.resources.filter((resource) => resource.type === "rocketmq:index:StorageExpansion").map((resource) => resource.urn);
        assert.equal(expansions.length, 2, "one per broker StatefulSet");
        exported.deployment.resources = exported.deployment.resources.filter((resource) => !expansions.includes(resource.urn)).map((resource) => ({
            ...resource,
            dependencies: resource.dependencies?.filter((urn) => !expansions.includes(urn)),
            propertyDependencies: resource.propertyDependencies && Object.fromEntries(Object.entries(resource.propertyDependencies)
                .map(([key, urns]) => [key, urns.filter((urn) => !expansions.includes(urn))])),
        }));
        const stateFile = path.join(javaHome, "without-storage-expansion.json");
        fs.writeFileSync(stateFile, JSON.stringify(exported));
        await stack.pulumiOrThrow(["stack", "import", "--file", stateFile]);
        const statefulSets = async () => (await clusterObjects()).filter((object) => object.startsWith("StatefulSet/"));
        const before = await statefulSets();

        const preview = await previewChangingNothing();
        assert.equal(preview.code, 0, preview.output);
        const replacing = preview.output.split("\n").filter((line) => /to replace|replaced|\+-kubernetes:apps\/v1:StatefulSet/.test(line));
        assert.deepEqual(replacing, [], "the preview shows no StatefulSet replaced");
        assert.match(preview.output, /\+ 2 to create/, "only the two StorageExpansions are created");
        const up = await stack.up();
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.doesNotMatch(up.stdout, /replaced/, up.stdout);
        assert.deepEqual(await statefulSets(), before, "up replaced no StatefulSet");
    });

    it("disks: 1Gi -> 2Gi grows every claim with no broker restart, a second up changes nothing, 2Gi -> 1Gi is refused at preview naming the field", async () => {
        await stack.pulumiOrThrow(["config", "set", "brokerStorage", "2Gi"]);
        const preview = await previewChangingNothing();
        assert.equal(preview.code, 0, preview.output);
        const processes = await brokerProcesses();
        const begin = Date.now();
        const up = await stack.up();
        const seconds = (Date.now() - begin) / 1000;
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const resize = /StatefulSet (\S+): (\d+) claim\(s\) grown .* in ([\d.]+) s/g;
        // The engine shows each line twice (as it happens, and among the diagnostics at the end).
        const resized = [...new Set([...(up.stdout + up.stderr).matchAll(resize)].map((match) => `${match[1]} ${match[2]} claim(s) in ${match[3]} s`))];
        console.log(`      up 1Gi -> 2Gi: ${seconds.toFixed(0)} s; ${resized.join("; ")}`);
        for (const claim of claims) assert.match(up.stdout + up.stderr, new RegExp(`claim ${claim}: requesting 2Gi \\(was 1Gi\\)`));

        const pvcs = JSON.parse(await sandbox.kubectl(["get", "persistentvolumeclaims", "-n", namespace, "-o", "json"])) as {
            items: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } }; status: { capacity?: { storage?: string } } }[];
        };
        assert.deepEqual(pvcs.items.map((pvc) => [pvc.metadata.name, pvc.spec.resources.requests.storage, pvc.status.capacity?.storage]).sort(),
            claims.map((claim) => [claim, "2Gi", "2Gi"]));
        assert.deepEqual(await brokerProcesses(), processes, "the broker pods and JVMs are the same");
        for (const statefulSet of ["broker-0-master", "broker-0-replica-1"]) {
            assert.equal(await sandbox.kubectl(["get", "statefulset", statefulSet, "-n", namespace, "-o", "jsonpath={.spec.volumeClaimTemplates[0].spec.resources.requests.storage}"]), "2Gi");
        }

        const again = await stack.pulumi(["up", "--yes", "--non-interactive", "--skip-preview", "--expect-no-changes"]);
        assert.equal(again.code, 0, again.stdout + again.stderr);

        await stack.pulumiOrThrow(["config", "set", "brokerStorage", "1Gi"]);
        const shrink = await previewChangingNothing();
        await stack.pulumiOrThrow(["config", "set", "brokerStorage", "2Gi"]);
        assert.notEqual(shrink.code, 0, shrink.output);
        assert.match(shrink.output, /broker\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: 2Gi to 1Gi would shrink the claims broker-storage-broker-0-(master|replica-1)-\*; a PersistentVolumeClaim cannot shrink/);
    });
});
