// TLS enforcing, as a user runs it: the test makes a CA and a certificate for the cluster's DNS
// names with openssl, puts them in a Secret, and one stack (tests/e2e/programs/tls: one name
// server, one broker group without replica) deploys the cluster from it, with a Topic and a
// ConsumerGroup that reach it through the API server's port-forward with the clientTls output.
// Then: the served certificate is the Secret's, a plaintext client is refused, the real Java
// remoting client with TLS on sends and receives, so does a gRPC client (rocketmq-client-nodejs)
// through the proxy at the proxyEndpoint output trusting only the CA (and trusting another CA it
// cannot connect), a Topic given another CA fails at once naming the certificate problem, and the
// private key is in no stack export, ConfigMap or engine log.
// The cert-manager path: the Certificate the component makes passes cert-manager's CRDs, and the
// real cert-manager controller (built from its Go module, tests/toolchain) issues it for a second,
// smaller cluster whose pods serve it.
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { makeCertificates, TestCertificates } from "../support/certificates";
import { runNodeGrpcClient } from "../support/grpcClients";
import { podsAfterTermination } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { JavaResult, startJavaProgram } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";
import { resolveServiceThroughHostsFile } from "../support/serviceHosts";

const namespace = `e2e-tls-${process.pid}`;
const serverName = `name-service.${namespace}.svc.cluster.local`;
const messages = 200;

describe("e2e: TLS enforcing from a Secret (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let certs: TestCertificates;
    let engineLog = "";
    const scratch = scratchDir("rocketmq-e2e-tls-");
    const started = Date.now();

    before(async function () {
        this.timeout(900_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        // The names the cluster's certificate must carry (schema.json's ClusterTls says which).
        certs = makeCertificates([
            serverName, `*.name-service.${namespace}.svc.cluster.local`,
            `broker-0.${namespace}.svc.cluster.local`, `*.broker-0.${namespace}.svc.cluster.local`,
            "proxy", `proxy.${namespace}`, `proxy.${namespace}.svc`, `proxy.${namespace}.svc.cluster.local`,
        ]);
        await sandbox.kubectl(["create", "secret", "generic", "mq-tls", "-n", namespace,
            `--from-file=tls.crt=${path.join(certs.dir, "tls.crt")}`, `--from-file=tls.key=${path.join(certs.dir, "tls.key")}`, `--from-file=ca.crt=${path.join(certs.dir, "ca.crt")}`]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "tls")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace },
        });
        await stack.pulumiOrThrow(["config", "set-all", "--plaintext", `caBundle=${certs.caCert}`]);
        const begin = Date.now();
        // The engine's own log, at its most verbose, goes to stderr: the key must not be in it.
        const up = await stack.up(["--logtostderr", "--logflow", "-v=9"]);
        engineLog = up.stdout + up.stderr;
        assert.equal(up.code, 0, (up.stdout + up.stderr).slice(-20000));
        console.log(`      first up (1 name server, 1 broker, 1 proxy, TLS enforcing, a Topic and a ConsumerGroup through port-forward): ${((Date.now() - begin) / 1000).toFixed(0)} s`);
    });

    after(async function () {
        this.timeout(600_000);
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        if (sandbox) {
            await podsAfterTermination(sandbox, namespace);
            await sandbox.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        }
        if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
        fs.rmSync(scratch, { recursive: true, force: true });
        console.log(`      whole file: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });

    async function podAddress(pod: string, port: number): Promise<string> {
        return `${await sandbox.kubectl(["get", "pod", pod, "-n", namespace, "-o", "jsonpath={.status.podIP}"])}:${port}`;
    }

    /** The real Java remoting client (tests/support/rocketmq-java); `tls` turns TLS on and trusts `ca`. */
    function javaClient(mainClass: string, args: string[], tls: { ca: string } | undefined): Promise<JavaResult> {
        const jvmOptions = tls
            ? ["-Dtls.enable=true", "-Dtls.test.mode.enable=false", "-Dtls.client.authServer=true", `-Dtls.client.trustCertPath=${tls.ca}`]
            : ["-Dtls.enable=false"];
        const program = startJavaProgram(path.join(scratch, "java"), mainClass, args, { timeoutMs: 180_000, jvmOptions });
        program.closeStdin();
        return program.exited;
    }

    it("the Topic and the ConsumerGroup were made over TLS through port-forward, verified as the cluster's name", async () => {
        const outputs = await stack.outputs();
        assert.deepEqual(outputs.clientTls, { caBundle: certs.caCert, serverName });
        assert.deepEqual(outputs.topicBrokers, ["broker-0"]);
        assert.deepEqual(outputs.groupBrokers, ["broker-0"]);
        assert.match(engineLog, /TLS verified against tls\.caBundle/);
        const streams = sandbox.portForwardStreams(namespace);
        assert.ok(streams.some((stream) => stream === "broker-0-master-0:10911"), streams.join(", "));
        assert.ok(streams.some((stream) => stream === "name-service-0:9876"), streams.join(", "));
    });

    it("the name server serves the Secret's certificate, which openssl verifies against the CA and the pod's DNS name", async () => {
        const nameServer = await podAddress("name-service-0", 9876);
        const out = await run("openssl", ["s_client", "-connect", nameServer, "-CAfile", path.join(certs.dir, "ca.crt"),
            "-verify_hostname", `name-service-0.name-service.${namespace}.svc.cluster.local`, "-verify_return_error"]);
        assert.match(out, /Verify return code: 0 \(ok\)/, out);
    });

    it("the proxy started (it creates its topic on the brokers over TLS) and serves the certificate on gRPC and remoting, verified as the proxy Service's name", async () => {
        const proxyPod = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/component=proxy", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
        assert.ok(proxyPod.startsWith("proxy-"), proxyPod);
        for (const port of [8081, 8080]) {
            const out = await run("openssl", ["s_client", "-connect", await podAddress(proxyPod, port), "-CAfile", path.join(certs.dir, "ca.crt"),
                "-verify_hostname", `proxy.${namespace}.svc.cluster.local`, "-verify_return_error", "-alpn", "h2"]);
            assert.match(out, /Verify return code: 0 \(ok\)/, `port ${port}: ${out}`);
        }
    });

    it("a plaintext client is refused; the real Java client that trusts the CA sends and receives", async function () {
        this.timeout(900_000);
        const nameServer = await podAddress("name-service-0", 9876);
        const begin = Date.now();
        const plain = await javaClient("TestProducer", [nameServer, "tls-orders", "1"], undefined);
        assert.notEqual(plain.code, 0, `a plaintext producer sent:\n${plain.stdout}`);
        assert.doesNotMatch(plain.stdout, /SENT 1/);
        console.log(`      plaintext producer refused after ${((Date.now() - begin) / 1000).toFixed(0)} s: ${lastLine(plain.stderr)}`);

        const ca = path.join(certs.dir, "ca.crt");
        const sent = await javaClient("TestProducer", [nameServer, "tls-orders", String(messages)], { ca });
        assert.equal(sent.code, 0, sent.stdout + sent.stderr);
        assert.match(sent.stdout, new RegExp(`SENT ${messages}`));
        const received = await javaClient("TestConsumer", [nameServer, "tls-billing", "tls-orders", String(messages), "120"], { ca });
        assert.equal(received.code, 0, received.stdout + received.stderr);
        assert.match(received.stdout, new RegExp(`CONSUMED ${messages}\\b`), received.stdout);
        console.log(`      Java client over TLS: sent ${messages}, received ${messages} (${((Date.now() - begin) / 1000).toFixed(0)} s in all)`);
    });

    it("a gRPC client through the proxy at proxyEndpoint, over TLS trusting only the CA, sends and receives; trusting another CA it cannot connect", async function () {
        this.timeout(900_000);
        const endpoint = (await stack.outputs()).proxyEndpoint as string;
        const hostsFile = path.join(scratch, "hosts");
        assert.equal((await resolveServiceThroughHostsFile(sandbox, endpoint, hostsFile)).length, 1, "one Ready proxy");
        // The client verifies the certificate against the one CA it is given and the endpoint's host name.
        const grpc = (args: string[], trustedCa: string, timeoutMs = 300_000) => runNodeGrpcClient(args, { hostsFile, home: path.join(scratch, "node"), trustedCa, timeoutMs });
        const begin = Date.now();
        const ca = path.join(certs.dir, "ca.crt");
        const count = 50;
        const sent = await grpc(["produce", endpoint, "tls-orders", "grpc", String(count), "0"], ca);
        assert.equal(sent.code, 0, sent.stdout + sent.stderr);
        assert.match(sent.stdout, new RegExp(`^SENT ${count}$`, "m"));
        const received = await grpc(["consume", endpoint, "tls-grpc", "tls-orders", "grpc", String(count), "180"], ca);
        assert.equal(received.code, 0, received.stdout + received.stderr);
        assert.match(received.stdout, new RegExp(`^CONSUMED ${count}$`, "m"));
        console.log(`      gRPC client over TLS through the proxy: sent ${count}, received ${count} (${((Date.now() - begin) / 1000).toFixed(0)} s)`);
        const other = makeCertificates([`proxy.${namespace}.svc.cluster.local`]);
        try {
            const refused = await grpc(["produce", endpoint, "tls-orders", "grpc", "1", "0"], path.join(other.dir, "ca.crt"), 120_000);
            assert.notEqual(refused.code, 0, refused.stdout);
            assert.doesNotMatch(refused.stdout, /^SENT/m);
            assert.match(refused.stderr, /unable to verify the first certificate/, refused.stderr.slice(-2000));
            console.log(`      trusting another CA: exit ${refused.code}, ${lastLine(refused.stderr)}`);
        } finally {
            fs.rmSync(other.dir, { recursive: true, force: true });
        }
    });

    it("a Topic reaches the cluster directly (name server by pod IP) over TLS verified as the cluster's name", async function () {
        this.timeout(600_000);
        const direct = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "tls-topic")),
            stackName: "direct",
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { nameServerAddresses: await podAddress("name-service-0", 9876), serverName, connection: "direct", topicName: "tls-direct" },
        });
        try {
            await direct.pulumiOrThrow(["config", "set-all", "--plaintext", `caBundle=${certs.caCert}`]);
            const up = await direct.up();
            assert.equal(up.code, 0, up.stdout + up.stderr);
            assert.match(up.stdout + up.stderr, /opened \d+ direct TCP connections/);
            const streamsBefore = sandbox.portForwardStreams(namespace).length;
            const destroyed = await direct.destroy();
            assert.equal(destroyed.code, 0, destroyed.stdout + destroyed.stderr);
            assert.equal(sandbox.portForwardStreams(namespace).length, streamsBefore, "the direct Topic opened no port-forward stream");
        } finally {
            await direct.remove();
        }
    });

    it("a Topic given a CA that did not sign the cluster's certificate fails at once, naming the certificate problem", async function () {
        this.timeout(600_000);
        const other = makeCertificates([serverName]);
        const wrong = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "tls-topic")),
            stackName: "wrong-ca",
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { nameServerAddresses: (await stack.outputs()).nameServerAddresses as string, serverName },
        });
        try {
            await wrong.pulumiOrThrow(["config", "set-all", "--plaintext", `caBundle=${other.caCert}`]);
            const begin = Date.now();
            const up = await wrong.up();
            const seconds = (Date.now() - begin) / 1000;
            const text = up.stdout + up.stderr;
            assert.notEqual(up.code, 0, text);
            assert.match(text, /TLS to \S+ \(verified as name-service\.\S+\) failed: its certificate is not signed by a CA of tls\.caBundle \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/, text);
            assert.doesNotMatch(text, /tried \d+ times/, "a certificate problem is not retried");
            console.log(`      wrong CA: pulumi up failed in ${seconds.toFixed(0)} s: ${/TLS to .*/.exec(text)?.[0].slice(0, 300)}`);
        } finally {
            await wrong.destroy();
            await wrong.remove();
            fs.rmSync(other.dir, { recursive: true, force: true });
        }
    });

    it("the Certificate made from an issuerRef is accepted by cert-manager's CustomResourceDefinitions, which refuse a wrong one", async function () {
        this.timeout(600_000);
        const crds = (await run("bash", [path.join(repoRoot, "tests", "toolchain", "cert-manager-crds.sh")])).trim().split("\n")[0];
        await sandbox.kubectl(["apply", "--server-side", "-f", crds]);
        await sandbox.kubectl(["wait", "--for=condition=Established", "crd/certificates.cert-manager.io", "--timeout=60s"]);
        const preview = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "tls-cert-manager")),
            stackName: "cert-manager",
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace, brokerGroups: "2", proxy: "true", issuerKind: "ClusterIssuer" },
        });
        try {
            await preview.pulumiOrThrow(["config", "set-all", "--plaintext", `caBundle=${certs.caCert}`]);
            // The kubernetes provider previews a custom resource with a server-side dry run: the CRD's schema checks it.
            const planned = await preview.pulumi(["preview", "--non-interactive", "--json"]);
            assert.equal(planned.code, 0, planned.stdout + planned.stderr);
            const steps = (JSON.parse(planned.stdout) as { steps: { newState?: { type: string; inputs: Record<string, unknown> } }[] }).steps;
            const certificate = steps.map((step) => step.newState).find((state) => state?.type === "kubernetes:cert-manager.io/v1:Certificate");
            assert.ok(certificate, "the preview plans a Certificate");
            const object = { ...certificate.inputs } as { spec: { dnsNames: string[]; privateKey: Record<string, unknown> } };
            delete (object as Record<string, unknown>).__inputs;
            assert.deepEqual(object.spec.dnsNames, [
                `name-service.${namespace}.svc.cluster.local`, `*.name-service.${namespace}.svc.cluster.local`,
                `broker-0.${namespace}.svc.cluster.local`, `*.broker-0.${namespace}.svc.cluster.local`,
                `broker-1.${namespace}.svc.cluster.local`, `*.broker-1.${namespace}.svc.cluster.local`,
                "proxy", `proxy.${namespace}`, `proxy.${namespace}.svc`, `proxy.${namespace}.svc.cluster.local`,
            ]);
            const file = path.join(scratch, "certificate.json");
            fs.writeFileSync(file, JSON.stringify(object));
            const accepted = await sandbox.kubectl(["apply", "--dry-run=server", "-f", file]);
            assert.match(accepted, /certificate\.cert-manager\.io\/rocketmq-tls (created|configured) \(server dry run\)/);
            // The same check refuses a key encoding cert-manager does not know.
            fs.writeFileSync(file, JSON.stringify({ ...object, spec: { ...object.spec, privateKey: { ...object.spec.privateKey, encoding: "PKCS9" } } }));
            await assert.rejects(sandbox.kubectl(["apply", "--dry-run=server", "-f", file]), /spec\.privateKey\.encoding: Unsupported value: "PKCS9"/);
        } finally {
            await preview.remove();
        }
    });

    it("cert-manager's controller issues the Certificate the component requests from an Issuer; the pods serve it and a Topic works over it", async function () {
        this.timeout(900_000);
        const issued = `e2e-tls-cm-${process.pid}`;
        const ca = makeCertificates(["unused.invalid"]);
        const controllerBinary = (await run("bash", [path.join(repoRoot, "tests", "toolchain", "cert-manager-controller.sh")])).trim().split("\n").pop()!;
        await sandbox.kubectl(["create", "namespace", issued]);
        // The real controller, built from cert-manager's module, watching only this namespace.
        const controllerLog = fs.openSync(path.join(scratch, "cert-manager-controller.log"), "w");
        const controller = spawn(controllerBinary, ["-kubeconfig", sandbox.kubeconfig, "-namespace", issued], { stdio: ["ignore", controllerLog, controllerLog] });
        const cmStack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "tls-cert-manager")),
            stackName: "issued",
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace: issued },
        });
        try {
            await sandbox.kubectl(["create", "secret", "tls", "rocketmq-ca", "-n", issued, `--cert=${path.join(ca.dir, "ca.crt")}`, `--key=${path.join(ca.dir, "ca.key")}`]);
            await sandbox.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: "rocketmq-ca", namespace: issued }, spec: { ca: { secretName: "rocketmq-ca" } } }) });
            await cmStack.pulumiOrThrow(["config", "set-all", "--plaintext", `caBundle=${ca.caCert}`]);
            const begin = Date.now();
            const up = await cmStack.up();
            assert.equal(up.code, 0, (up.stdout + up.stderr).slice(-20000) + "\n" + fs.readFileSync(path.join(scratch, "cert-manager-controller.log"), "utf8").slice(-5000));
            assert.deepEqual((await cmStack.outputs()).topicBrokers, ["broker-0"]);
            const ready = await sandbox.kubectl(["get", "certificate", "rocketmq-tls", "-n", issued, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]);
            assert.equal(ready, "True");
            const secret = JSON.parse(await sandbox.kubectl(["get", "secret", "rocketmq-tls", "-n", issued, "-o", "json"])) as { data: Record<string, string> };
            const key = Buffer.from(secret.data["tls.key"], "base64").toString();
            assert.match(key, /^-----BEGIN PRIVATE KEY-----/, "cert-manager wrote a PKCS#8 key");
            const nameServer = `${await sandbox.kubectl(["get", "pod", "name-service-0", "-n", issued, "-o", "jsonpath={.status.podIP}"])}:9876`;
            const out = await run("openssl", ["s_client", "-connect", nameServer, "-CAfile", path.join(ca.dir, "ca.crt"),
                "-verify_hostname", `name-service-0.name-service.${issued}.svc.cluster.local`, "-verify_return_error"]);
            assert.match(out, /Verify return code: 0 \(ok\)/, out);
            const exported = (await cmStack.pulumiOrThrow(["stack", "export", "--show-secrets"])).stdout;
            const keyLine = key.split("\n")[5];
            assert.ok(keyLine.length === 64 && !exported.includes(keyLine), "the issued key is not in the stack export");
            console.log(`      cert-manager path: up in ${((Date.now() - begin) / 1000).toFixed(0)} s, Certificate Ready, the name server serves the issued certificate, Topic over TLS`);
        } finally {
            await cmStack.destroy();
            await cmStack.remove();
            controller.kill("SIGTERM");
            await podsAfterTermination(sandbox, issued);
            await sandbox.kubectl(["delete", "namespace", issued, "--wait=false"]).catch(() => undefined);
            fs.closeSync(controllerLog);
            fs.rmSync(ca.dir, { recursive: true, force: true });
        }
    });

    it("the private key appears in no stack export (secrets shown), no ConfigMap and no engine log", async () => {
        const keyLines = certs.key.split("\n").filter((line) => /^[A-Za-z0-9+/=]{64}$/.test(line));
        assert.ok(keyLines.length > 10);
        const keyBase64 = Buffer.from(certs.key).toString("base64").slice(0, 200);
        const exported = (await stack.pulumiOrThrow(["stack", "export", "--show-secrets"])).stdout;
        const configMaps = await sandbox.kubectl(["get", "configmaps", "-n", namespace, "-o", "json"]);
        const places: Record<string, string> = { "stack export": exported, ConfigMaps: configMaps, "engine log": engineLog };
        assert.ok(engineLog.length > 100_000, `the engine log has ${engineLog.length} characters`);
        for (const [place, text] of Object.entries(places)) {
            assert.ok(!text.includes("PRIVATE KEY"), `${place} holds a private key`);
            for (const line of keyLines) assert.ok(!text.includes(line), `${place} holds a line of the private key`);
            assert.ok(!text.includes(keyBase64), `${place} holds the private key in base64`);
        }
        // The pods do have it: the Secret is mounted, not copied.
        const broker = JSON.parse(await sandbox.kubectl(["get", "statefulset", "broker-0-master", "-n", namespace, "-o", "json"]));
        assert.ok(JSON.stringify(broker.spec.template.spec.volumes).includes('"secretName":"mq-tls"'));
        console.log(`      searched ${(exported.length / 1024).toFixed(0)} KiB of stack export, ${(configMaps.length / 1024).toFixed(0)} KiB of ConfigMaps, ${(engineLog.length / 1024 / 1024).toFixed(1)} MiB of engine log`);
    });
});

function run(command: string, args: string[]): Promise<string> {
    return new Promise((resolve) => {
        const child = execFile(command, args, { timeout: 30_000 }, (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
        child.stdin?.end();
    });
}

function lastLine(text: string): string {
    return text.trim().split("\n").filter((line) => /Exception|Error/.test(line)).slice(-1)[0] ?? text.trim().split("\n").slice(-1)[0] ?? "";
}
