// The sandbox cluster as a user would check it: a StatefulSet of the pod contract's name server
// becomes Ready with a real NamesrvStartup process bound to its pod IP, kubectl logs, exec and
// port-forward work, deleting the pod stops the process, and an image the node cannot run
// leaves its pod Pending with an event that says why.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { ensureSandbox, Sandbox } from "../sandbox/client";

const namespace = `e2e-sandbox-${process.pid}`;

function manifest(): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "name-service", namespace },
                spec: { clusterIP: "None", selector: { app: "namesrv" }, ports: [{ name: "main", port: 9876 }] },
            },
            {
                apiVersion: "apps/v1",
                kind: "StatefulSet",
                metadata: { name: "name-service", namespace },
                spec: {
                    serviceName: "name-service",
                    replicas: 1,
                    selector: { matchLabels: { app: "namesrv" } },
                    template: {
                        metadata: { labels: { app: "namesrv" } },
                        spec: {
                            terminationGracePeriodSeconds: 20,
                            containers: [
                                {
                                    name: "name-service",
                                    image: "apache/rocketmq:5.5.1",
                                    command: ["sh", "mqnamesrv"],
                                    ports: [{ name: "main", containerPort: 9876 }],
                                    env: [{ name: "JAVA_OPT_EXT", value: "-Xms64m -Xmx64m" }],
                                    readinessProbe: { tcpSocket: { port: 9876 }, periodSeconds: 2 },
                                    livenessProbe: { tcpSocket: { port: 9876 }, initialDelaySeconds: 30, periodSeconds: 10 },
                                    volumeMounts: [{ name: "logs", mountPath: "/home/rocketmq/logs" }],
                                },
                            ],
                        },
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "logs" },
                            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
                        },
                    ],
                },
            },
        ],
    });
}

/** The contract's broker group: a master and one replica StatefulSet sharing a name server. */
function brokerManifest(): string {
    const namesrvAddr = `name-service-0.name-service.${namespace}.svc.cluster.local:9876`;
    const script =
        "cp /etc/rocketmq/broker.conf /home/rocketmq/conf/broker.conf && " +
        'echo "brokerIP1=${POD_IP}" >> /home/rocketmq/conf/broker.conf && ' +
        "exec sh mqbroker -c /home/rocketmq/conf/broker.conf";
    const member = (name: string, brokerId: number, role: string) => [
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name, namespace },
            data: {
                "broker.conf": [
                    "brokerClusterName=e2e",
                    "brokerName=broker-0",
                    `brokerId=${brokerId}`,
                    `brokerRole=${role}`,
                    "flushDiskType=ASYNC_FLUSH",
                    `namesrvAddr=${namesrvAddr}`,
                    "storePathRootDir=/home/rocketmq/store",
                    "mappedFileSizeCommitLog=67108864",
                ].join("\n") + "\n",
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace },
            spec: { clusterIP: "None", selector: { broker: name }, ports: [{ name: "main", port: 10911 }] },
        },
        {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name, namespace },
            spec: {
                serviceName: name,
                replicas: 1,
                selector: { matchLabels: { broker: name } },
                template: {
                    metadata: { labels: { broker: name } },
                    spec: {
                        terminationGracePeriodSeconds: 20,
                        containers: [
                            {
                                name: "broker",
                                image: "apache/rocketmq:5.5.1",
                                command: ["sh", "-c", script],
                                ports: [10909, 10911, 10912].map((containerPort) => ({ containerPort })),
                                env: [
                                    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                                    { name: "JAVA_OPT_EXT", value: "-Xms256m -Xmx256m -Xmn128m -XX:MaxDirectMemorySize=128m" },
                                ],
                                readinessProbe: { tcpSocket: { port: 10911 }, periodSeconds: 2 },
                                volumeMounts: [
                                    { name: "config", mountPath: "/etc/rocketmq" },
                                    { name: "conf", mountPath: "/home/rocketmq/conf" },
                                    { name: "store", mountPath: "/home/rocketmq/store" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "config", configMap: { name } },
                            { name: "conf", emptyDir: {} },
                        ],
                    },
                },
                volumeClaimTemplates: [
                    { metadata: { name: "store" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
                ],
            },
        },
    ];
    return JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [...member("broker-0-master", 0, "ASYNC_MASTER"), ...member("broker-0-replica-1", 1, "SLAVE")],
    });
}

/** One RocketMQ remoting request (JSON header, no body); resolves with the reply's body text. */
function remotingCall(host: string, port: number, code: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const header = Buffer.from(JSON.stringify({ code, flag: 0, language: "JAVA", opaque: 7, serializeTypeCurrentRPC: "JSON", version: 0 }));
        const frame = Buffer.alloc(8 + header.length);
        frame.writeInt32BE(4 + header.length, 0);
        frame.writeInt32BE(header.length, 4);
        header.copy(frame, 8);
        const socket = net.connect({ host, port }, () => socket.write(frame));
        let data = Buffer.alloc(0);
        socket.on("data", (d) => {
            data = Buffer.concat([data, d]);
            if (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
                socket.end();
                const headerLength = data.readInt32BE(4) & 0xffffff;
                resolve(data.subarray(8 + headerLength, 4 + data.readInt32BE(0)).toString());
            }
        });
        socket.once("error", reject);
        socket.setTimeout(15_000, () => socket.destroy(new Error(`no reply from ${host}:${port}`)));
    });
}

interface Listener {
    address: string;
    port: number;
    pid: number;
}

/** TCP listeners of the machine, from ss. */
async function listeners(sandbox: Sandbox): Promise<Listener[]> {
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync("ss", ["-ltnpH"], { env: sandbox.env, encoding: "utf8" });
    const result: Listener[] = [];
    for (const line of out.split("\n")) {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 6) continue;
        const local = fields[3];
        const sep = local.lastIndexOf(":");
        const pid = /pid=(\d+)/.exec(line);
        if (!pid) continue;
        result.push({ address: local.slice(0, sep).replace(/^\[|\]$/g, ""), port: Number(local.slice(sep + 1)), pid: Number(pid[1]) });
    }
    return result;
}

function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

function connect(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port }, () => {
            socket.end();
            resolve();
        });
        socket.once("error", reject);
        socket.setTimeout(5000, () => socket.destroy(new Error(`timeout connecting to ${host}:${port}`)));
    });
}

async function podJson(sandbox: Sandbox, name: string): Promise<any> {
    return JSON.parse(await sandbox.kubectl(["-n", namespace, "get", "pod", name, "-o", "json"]));
}

async function waitReady(sandbox: Sandbox, name: string): Promise<any> {
    await sandbox.kubectl(["-n", namespace, "wait", "--for=condition=Ready", `pod/${name}`, "--timeout=240s"], { timeoutMs: 250_000 });
    return podJson(sandbox, name);
}

/** Waits until the pod exists (a StatefulSet creates it asynchronously). */
async function waitExists(sandbox: Sandbox, name: string, notUid?: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
        try {
            const pod = await podJson(sandbox, name);
            if (pod.metadata.uid !== notUid) return;
        } catch {
            // not created yet
        }
        if (Date.now() > deadline) throw new Error(`pod ${name} was not created`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

describe("sandbox cluster", function () {
    let sandbox: Sandbox;

    before(async function () {
        this.timeout(25 * 60_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
    });

    after(async function () {
        this.timeout(180_000);
        if (sandbox) {
            await sandbox.kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=150s"], { timeoutMs: 170_000 });
        }
    });

    it("has one Ready node that runs pods", async function () {
        const nodes = JSON.parse(await sandbox.kubectl(["get", "nodes", "-o", "json"]));
        assert.equal(nodes.items.length, 1);
        const ready = nodes.items[0].status.conditions.find((c: any) => c.type === "Ready");
        assert.equal(ready.status, "True");
        // Every process of the sandbox listens on loopback only.
        const ids = sandbox.processIds();
        assert.deepEqual(Object.keys(ids).sort(), ["agent", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "resizer"]);
        const all = await listeners(sandbox);
        for (const [name, pid] of Object.entries(ids)) {
            const own = all.filter((l) => l.pid === pid);
            // The volume resizer only watches claims through the API server: it serves nothing.
            if (name !== "resizer") assert.ok(own.length > 0, `${name} listens`);
            for (const l of own) assert.match(l.address, /^127\./, `${name} listens on ${l.address}:${l.port}`);
        }
        const classes = JSON.parse(await sandbox.kubectl(["get", "storageclass", "-o", "json"]));
        const standard = classes.items.find((c: any) => c.metadata.name === "standard");
        assert.equal(standard?.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
    });

    it("runs the name server of a StatefulSet as a real Java process on its pod IP", async function () {
        this.timeout(10 * 60_000);
        await sandbox.kubectl(["apply", "-f", "-"], { input: manifest() });
        await waitExists(sandbox, "name-service-0");
        const pod = await waitReady(sandbox, "name-service-0");

        const podIP: string = pod.status.podIP;
        assert.match(podIP, /^127\.0\.0\.\d+$/);
        assert.notEqual(podIP, "127.0.0.1");
        const status = pod.status.containerStatuses[0];
        assert.equal(status.ready, true);
        assert.equal(status.restartCount, 0);
        assert.ok(status.state.running, "container is running");

        // The StatefulSet's claim got a volume from the provisioner and is bound.
        const pvc = JSON.parse(await sandbox.kubectl(["-n", namespace, "get", "pvc", "logs-name-service-0", "-o", "json"]));
        assert.equal(pvc.status.phase, "Bound");

        const mine = (await listeners(sandbox)).filter((l) => l.port === 9876 && l.address === podIP);
        assert.equal(mine.length, 1, `one listener on ${podIP}:9876`);
        const pid = mine[0].pid;
        const wildcard = (await listeners(sandbox)).filter((l) => l.pid === pid && (l.address === "0.0.0.0" || l.address === "*" || l.address === "::"));
        assert.deepEqual(wildcard, [], "the name server binds only its pod IP");
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        assert.ok(cmdline[0].endsWith("/java"), `a java process: ${cmdline[0]}`);
        assert.ok(cmdline.includes("org.apache.rocketmq.namesrv.NamesrvStartup"), cmdline.join(" "));
        assert.ok(cmdline.includes("-Xmx64m"), "JAVA_OPT_EXT reached the JVM");
        // The image tag picked the jars: the container sees the 5.5.1 lib dir at the image's path.
        const lib = fs.readdirSync(`/proc/${pid}/root/home/rocketmq/rocketmq-5.5.1/lib`);
        assert.ok(lib.includes("rocketmq-broker-5.5.1.jar"), "5.5.1 jars mounted");
        await connect(podIP, 9876);

        const logs = await sandbox.kubectl(["-n", namespace, "logs", "name-service-0"]);
        assert.match(logs, /The Name Server boot success/);

        // Cluster DNS names of the pod, as the JVM resolves them through the pod's hosts file.
        const hosts = await sandbox.kubectl(["-n", namespace, "exec", "name-service-0", "--", "cat", "/run/cluster-dns/hosts"]);
        assert.match(hosts, new RegExp(`^${podIP.replace(/\./g, "\\.")}\\s.*name-service-0\\.name-service\\.${namespace}\\.svc\\.cluster\\.local`, "m"));
        const hostname = await sandbox.kubectl(["-n", namespace, "exec", "name-service-0", "--", "hostname"]);
        assert.equal(hostname.trim(), "name-service-0");
    });

    it("runs a broker group of the pod contract that registers master and replica with the name server", async function () {
        this.timeout(10 * 60_000);
        await sandbox.kubectl(["apply", "-f", "-"], { input: brokerManifest() });
        for (const name of ["broker-0-master-0", "broker-0-replica-1-0"]) {
            await waitExists(sandbox, name);
        }
        const master = await waitReady(sandbox, "broker-0-master-0");
        const replica = await waitReady(sandbox, "broker-0-replica-1-0");
        const namesrv = await podJson(sandbox, "name-service-0");

        // brokerIP1 came from the downward API through the contract's script; every port is on the pod IP.
        const conf = await sandbox.kubectl(["-n", namespace, "exec", "broker-0-master-0", "--", "cat", "/home/rocketmq/conf/broker.conf"]);
        assert.match(conf, new RegExp(`^brokerIP1=${master.status.podIP.replace(/\./g, "\\.")}$`, "m"));
        const all = await listeners(sandbox);
        for (const pod of [master, replica]) {
            for (const port of [10909, 10911, 10912]) {
                assert.ok(all.some((l) => l.address === pod.status.podIP && l.port === port), `${pod.metadata.name} listens on ${pod.status.podIP}:${port}`);
            }
        }

        for (const pod of [master, replica]) {
            const pids = new Set(all.filter((l) => l.address === pod.status.podIP).map((l) => l.pid));
            assert.equal(pids.size, 1, `one broker process on ${pod.status.podIP}`);
            const elsewhere = all.filter((l) => pids.has(l.pid) && l.address !== pod.status.podIP);
            assert.deepEqual(elsewhere, [], `${pod.metadata.name} binds only its pod IP`);
        }

        // The name server knows both: master (id 0) and replica (id 1) of broker-0, at their pod IPs.
        const deadline = Date.now() + 120_000;
        let body = "";
        while (Date.now() < deadline) {
            body = await remotingCall(namesrv.status.podIP, 9876, 106);
            if (body.includes(`${master.status.podIP}:10911`) && body.includes(`${replica.status.podIP}:10911`)) break;
            await new Promise((r) => setTimeout(r, 2000));
        }
        assert.ok(body.includes(`${master.status.podIP}:10911`), `master registered: ${body}`);
        assert.ok(body.includes(`${replica.status.podIP}:10911`), `replica registered: ${body}`);
        assert.match(body, /"broker-0"/);
    });

    it("forwards a local port to the pod with kubectl port-forward", async function () {
        this.timeout(60_000);
        const child = spawn("kubectl", ["-n", namespace, "port-forward", "pod/name-service-0", ":9876"], { env: sandbox.env });
        try {
            const localPort = await new Promise<number>((resolve, reject) => {
                let out = "";
                child.stdout.on("data", (d: Buffer) => {
                    out += d.toString();
                    const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
                    if (m) resolve(Number(m[1]));
                });
                child.stderr.on("data", (d: Buffer) => (out += d.toString()));
                child.once("exit", (code) => reject(new Error(`port-forward exited ${code}: ${out}`)));
                setTimeout(() => reject(new Error(`port-forward did not start: ${out}`)), 30_000);
            });
            // A RocketMQ remoting request (GET_BROKER_CLUSTER_INFO, code 106) through the tunnel gets a reply frame.
            const reply = await new Promise<Buffer>((resolve, reject) => {
                const header = Buffer.from(JSON.stringify({ code: 106, flag: 0, language: "JAVA", opaque: 1, serializeTypeCurrentRPC: "JSON", version: 0 }));
                const frame = Buffer.alloc(8 + header.length);
                frame.writeInt32BE(4 + header.length, 0);
                frame.writeInt32BE(header.length, 4);
                header.copy(frame, 8);
                const socket = net.connect({ host: "127.0.0.1", port: localPort }, () => socket.write(frame));
                let data = Buffer.alloc(0);
                socket.on("data", (d) => {
                    data = Buffer.concat([data, d]);
                    if (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
                        socket.end();
                        resolve(data);
                    }
                });
                socket.once("error", reject);
                socket.setTimeout(15_000, () => socket.destroy(new Error("no reply through port-forward")));
            });
            const headerLength = reply.readInt32BE(4) & 0xffffff;
            const replyHeader = JSON.parse(reply.subarray(8, 8 + headerLength).toString());
            assert.equal(replyHeader.code, 0, `success reply: ${JSON.stringify(replyHeader)}`);
            assert.equal(replyHeader.opaque, 1);
        } finally {
            child.kill();
        }
    });

    it("restarts a container whose process dies, as restartPolicy Always says", async function () {
        this.timeout(4 * 60_000);
        const before = await podJson(sandbox, "name-service-0");
        const podIP: string = before.status.podIP;
        const old = (await listeners(sandbox)).find((l) => l.port === 9876 && l.address === podIP);
        assert.ok(old, "the name server listens");
        process.kill(old.pid, "SIGKILL");
        const deadline = Date.now() + 180_000;
        let status: any;
        for (;;) {
            status = (await podJson(sandbox, "name-service-0")).status.containerStatuses[0];
            if (status.restartCount >= 1 && status.ready) break;
            if (Date.now() > deadline) assert.fail(`not restarted: ${JSON.stringify(status)}`);
            await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal(status.restartCount, 1);
        assert.equal(status.lastState.terminated.exitCode, 137, "killed by SIGKILL");
        const fresh = (await listeners(sandbox)).find((l) => l.port === 9876 && l.address === podIP);
        assert.ok(fresh && fresh.pid !== old.pid, "a new process on the same pod IP");
        const previous = await sandbox.kubectl(["-n", namespace, "logs", "name-service-0", "--previous"]);
        assert.match(previous, /The Name Server boot success/);
    });

    it("stops the process when the pod is deleted, and the StatefulSet's new pod runs a new one", async function () {
        this.timeout(6 * 60_000);
        const before = await podJson(sandbox, "name-service-0");
        const oldIP: string = before.status.podIP;
        const old = (await listeners(sandbox)).find((l) => l.port === 9876 && l.address === oldIP);
        assert.ok(old, "the name server listens before the deletion");
        await sandbox.kubectl(["-n", namespace, "delete", "pod", "name-service-0", "--wait=true", "--timeout=120s"], { timeoutMs: 130_000 });
        assert.equal(processExists(old.pid), false, `process ${old.pid} stopped`);
        assert.equal((await listeners(sandbox)).some((l) => l.address === oldIP && l.port === 9876), false);

        await waitExists(sandbox, "name-service-0", before.metadata.uid);
        const after = await waitReady(sandbox, "name-service-0");
        const fresh = (await listeners(sandbox)).find((l) => l.port === 9876 && l.address === after.status.podIP);
        assert.ok(fresh, "the new pod's name server listens on its pod IP");
        assert.notEqual(fresh.pid, old.pid);
    });

    it("leaves a pod whose image it cannot run Pending, with an event saying why", async function () {
        this.timeout(120_000);
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "not-rocketmq", namespace },
            spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
        };
        await sandbox.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pod) });
        const deadline = Date.now() + 60_000;
        let message = "";
        while (Date.now() < deadline && !message) {
            const events = JSON.parse(
                await sandbox.kubectl(["-n", namespace, "get", "events", "--field-selector", "involvedObject.name=not-rocketmq", "-o", "json"]),
            );
            message = events.items.map((e: any) => `${e.reason}: ${e.message}`).find((m: string) => m.includes("cannot run")) ?? "";
            if (!message) await new Promise((r) => setTimeout(r, 1000));
        }
        assert.match(message, /^Failed: .*nginx:1\.27.*cannot run on this node/);
        // The status reaches the API server on its own path: give it the same time.
        let status: any;
        while (Date.now() < deadline + 30_000) {
            status = (await podJson(sandbox, "not-rocketmq")).status;
            if (status.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImagePull") break;
            await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal(status.phase, "Pending");
        assert.equal(status.containerStatuses?.[0]?.state?.waiting?.reason, "ErrImagePull");
        assert.match(status.containerStatuses[0].state.waiting.message, /cannot run on this node/);
    });
});
