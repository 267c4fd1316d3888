// examples/yaml-secure against the sandbox, unmodified: a cluster with ACL 2.0 on (one group, a master
// and a replica, a proxy), a User and an Acl, a Topic and a ConsumerGroup that reach it as the super
// user. The real mqadmin without credentials is refused, with them it works; the real Java producer as
// orders-app sends to orders and is refused on payments, and so does the real gRPC client
// (rocketmq-client-java) through the proxy at the proxyEndpoint output, where a client without keys
// or with a wrong password is refused and the super user sends anywhere, and orders-app's consumer
// (group billing) receives every message it sent there; an Acl changed behind
// Pulumi's back shows at refresh; deleting the Acl takes the right away, through the proxy too; no
// password in the state, a ConfigMap or the engine's output. And bad input is refused at preview.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Credentials, MASTER_ID, RocketMQAdminClient } from "../../provider/src/admin";
import { getAcl, getUser, updateAcl } from "../../provider/src/admin/authOperations";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { eventually } from "../support/eventually";
import { runJavaGrpcClient } from "../support/grpcClients";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { runJavaProgram, runMqadmin } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";
import { resolveServiceThroughHostsFile } from "../support/serviceHosts";

const namespace = `e2e-auth-${process.pid}`;
const superUserPassword = "Sup3r-e2e-Passw0rd";
const ordersAppPassword = "0rders-app-e2e-pass";
const superUser: Credentials = { accessKey: "rocketmq-admin", secretKey: superUserPassword };
const ordersApp: Credentials = { accessKey: "orders-app", secretKey: ordersAppPassword };
/** The release the example's brokers run: the Java programs and mqadmin use its jars. */
const version = "5.4.0";

describe("e2e: examples/yaml-secure in the sandbox", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let client: RocketMQAdminClient;
    let nameServer: string;
    let brokers: string[] = [];
    const home = scratchDir("rocketmq-e2e-auth-clients-");
    const engineOutput: string[] = [];
    const began = Date.now();

    function mqadmin(args: string[], keys?: Credentials) {
        const dir = path.join(home, keys ? "mqadmin-super" : "mqadmin-anonymous");
        fs.mkdirSync(path.join(dir, "conf"), { recursive: true });
        if (keys) fs.writeFileSync(path.join(dir, "conf", "tools.yml"), `accessKey: ${keys.accessKey}\nsecretKey: ${keys.secretKey}\n`);
        return runMqadmin(dir, nameServer, args, 120_000, version);
    }

    function sendAsOrdersApp(topic: string) {
        return runJavaProgram(path.join(home, "producer"), "SignedProducer", [nameServer, topic, "10", "orders-app", ordersAppPassword], 150_000, "256m", version);
    }

    const hostsFile = path.join(home, "hosts");
    let proxyEndpoint = "";
    /** Sends 10 messages with the gRPC Java client through the proxy, signed with `keys` (none: unsigned). */
    function sendThroughProxy(topic: string, keys?: Credentials) {
        return runJavaGrpcClient(["produce", proxyEndpoint, topic, "grpc", "10", "0"], { hostsFile, home: path.join(home, "grpc"), credentials: keys, timeoutMs: 120_000 });
    }

    /** Messages stored for `topic` on the master. */
    async function storedMessages(topic: string): Promise<number> {
        return (await client.getTopicStats(brokers[0], topic)).queues.reduce((sum, queue) => sum + queue.maxOffset - queue.minOffset, 0);
    }

    before(async () => {
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "examples", "yaml-secure")),
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { namespace },
        });
        await stack.pulumiOrThrow(["config", "set", "--secret", "superUserPassword", superUserPassword]);
        await stack.pulumiOrThrow(["config", "set", "--secret", "ordersAppPassword", ordersAppPassword]);
    });

    after(async () => {
        client?.close();
        fs.rmSync(home, { recursive: true, force: true });
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        console.log(`      e2e auth took ${Math.round((Date.now() - began) / 1000)} s`);
    });

    it("up deploys the cluster with auth on, the topics, the group, the user on master and replica, and its Acl", async () => {
        const result = await stack.up();
        engineOutput.push(result.stdout, result.stderr);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // The preview's warning about consumers through the proxies of 5.3 brokers with auth is not for 5.4.0.
        assert.doesNotMatch(result.stdout + result.stderr, /with auth and proxies/);
        const podIp = await sandbox.kubectl(["get", "pod", "name-service-0", "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        nameServer = `${podIp}:9876`;
        client = new RocketMQAdminClient({ nameServers: nameServer, credentials: superUser });
        const info = await eventually("master and replica registered", async () => {
            const current = await client.getClusterInfo();
            const addresses = current.brokers["broker-0"]?.addresses ?? {};
            return addresses[MASTER_ID] && addresses["1"] ? current : undefined;
        });
        brokers = Object.values(info.brokers["broker-0"].addresses);
        const outputs = await stack.outputs();
        assert.deepEqual(outputs.ordersAppBrokers, ["broker-0", "broker-0 #1"]);
        assert.deepEqual(outputs.adminCredentials, { accessKey: "rocketmq-admin", secretKey: superUserPassword });
        for (const broker of brokers) {
            assert.equal((await getUser(client, broker, "orders-app"))?.userType, "Normal", `orders-app on ${broker}`);
            const acl = await getAcl(client, broker, "User:orders-app");
            // The broker lists its entries in an order of its own.
            const entries = acl?.policies.flatMap((p) => p.entries.map((e) => [e.resource, e.actions])).sort();
            assert.deepEqual(entries, [["Group:billing", ["Sub"]], ["Topic:orders", ["Pub", "Sub"]]], `Acl on ${broker}`);
        }
        const master = info.brokers["broker-0"].addresses[MASTER_ID];
        assert.ok((await client.getTopicConfig(master, "orders")).topicName === "orders");
        assert.ok((await client.getAllSubscriptionGroups(master)).groups.billing);
    });

    it("a second preview finds nothing to change", async () => {
        const result = await stack.preview(["--expect-no-changes"]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
    });

    it("the real mqadmin without credentials is refused (updateTopic, deleteTopic, updateBrokerConfig); as the super user it works", async () => {
        const master = brokers[0];
        for (const args of [
            ["updateTopic", "-b", master, "-t", "unsigned-topic"],
            ["deleteTopic", "-c", "SecureCluster", "-t", "orders"],
            ["updateBrokerConfig", "-b", master, "-k", "brokerPermission", "-v", "4"],
        ]) {
            const run = await mqadmin(args);
            assert.match(`${run.stdout}\n${run.stderr}`, /CODE: 16|No permission|no permission|not found/i, `${args[0]} without credentials:\n${run.stdout}\n${run.stderr}`);
        }
        await assert.rejects(client.getTopicConfig(master, "unsigned-topic"), (e: { isNotFound(): boolean }) => e.isNotFound());
        assert.ok(await client.getTopicConfig(master, "orders"), "orders survived the unsigned deleteTopic");
        assert.equal((await client.getBrokerConfig(master)).brokerPermission, "6");
        const created = await mqadmin(["updateTopic", "-b", master, "-t", "mqadmin-topic"], superUser);
        assert.match(created.stdout, /create topic to .* success/, created.stdout + created.stderr);
    });

    it("orders-app sends to orders with the real Java client and is refused on payments", async () => {
        const allowed = await sendAsOrdersApp("orders");
        assert.match(allowed.stdout, /SENT 10/, allowed.stdout + allowed.stderr);
        const refused = await sendAsOrdersApp("payments");
        assert.equal(refused.code, 3, refused.stdout + refused.stderr);
        assert.match(refused.stdout, /REFUSED 16 .*User:orders-app has no permission to access Topic:payments/);
    });

    it("through the proxy at proxyEndpoint, the gRPC client as orders-app sends to orders and is refused on payments; unsigned or with a wrong password it is refused; the super user sends to payments", async () => {
        proxyEndpoint = (await stack.outputs()).proxyEndpoint as string;
        assert.equal(proxyEndpoint, `proxy.${namespace}.svc.cluster.local:8081`);
        assert.equal((await resolveServiceThroughHostsFile(sandbox, proxyEndpoint, hostsFile)).length, 1, "one Ready proxy");
        const [orders, payments] = [await storedMessages("orders"), await storedMessages("payments")];
        const allowed = await sendThroughProxy("orders", ordersApp);
        assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
        assert.match(allowed.stdout, /^SENT 10$/m);
        assert.equal(await storedMessages("orders"), orders + 10, "orders-app's messages are on the master");
        const refusals: Array<[string, Credentials | undefined, string, RegExp]> = [
            ["orders-app on payments", ordersApp, "payments", /User:orders-app has no permission to access Topic:payments/],
            ["unsigned", undefined, "orders", /username cannot be null/],
            ["a wrong password", { accessKey: "orders-app", secretKey: "not-the-password" }, "orders", /check signature failed/],
        ];
        for (const [who, keys, topic, reason] of refusals) {
            const refused = await sendThroughProxy(topic, keys);
            assert.equal(refused.code, 3, `${who}: ${refused.stdout}${refused.stderr}`);
            assert.match(refused.stdout, /^REFUSED (Unauthorized|Forbidden)Exception /m, who);
            assert.match(refused.stdout, reason, who);
        }
        assert.equal(await storedMessages("orders"), orders + 10, "no refused message was stored");
        assert.equal(await storedMessages("payments"), payments);
        const asSuperUser = await sendThroughProxy("payments", superUser);
        assert.equal(asSuperUser.code, 0, asSuperUser.stdout + asSuperUser.stderr);
        assert.equal(await storedMessages("payments"), payments + 10);
    });

    it("through the proxy, orders-app's gRPC consumer in the group billing receives every message it sent to orders", async () => {
        assert.ok(proxyEndpoint, "the proxy test ran first");
        const sent = await runJavaGrpcClient(["produce", proxyEndpoint, "orders", "billing", "20", "0"], { hostsFile, home: path.join(home, "grpc"), credentials: ordersApp, timeoutMs: 120_000 });
        assert.equal(sent.code, 0, sent.stdout + sent.stderr);
        assert.match(sent.stdout, /^SENT 20$/m, "every send acknowledged");
        const consumed = await runJavaGrpcClient(["consume", proxyEndpoint, "billing", "orders", "billing", "20", "120"], { hostsFile, home: path.join(home, "grpc"), credentials: ordersApp, timeoutMs: 180_000 });
        assert.match(consumed.stdout, /^CONSUMED 20$/m, `every acknowledged key received:\n${consumed.stdout}${consumed.stderr.slice(-4000)}`);
        assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr.slice(-4000));
        console.log(`      through the proxy as orders-app: sent ${sent.stdout.match(/^SENT (\d+)$/m)?.[1]}, billing received ${consumed.stdout.match(/^CONSUMED (\d+)$/m)?.[1]}`);
    });

    it("an Acl changed behind Pulumi's back shows as drift at refresh, and up writes it back", async () => {
        await updateAcl(client, brokers[1], { subject: "User:orders-app", policies: [{ policyType: "Custom", entries: [{ resource: "Topic:payments", actions: ["Pub"], decision: "Allow" }] }] });
        const refresh = await stack.refresh(["--diff"]);
        engineOutput.push(refresh.stdout, refresh.stderr);
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
        assert.match(refresh.stdout, /~ rocketmq:index:Acl: \(update\)/, refresh.stdout);
        assert.match(refresh.stdout, /driftedOn/);
        const preview = await stack.preview();
        assert.match(preview.stdout, /~ rocketmq:index:Acl: \(update\)/, preview.stdout);
        const up = await stack.up();
        engineOutput.push(up.stdout, up.stderr);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const settled = await stack.preview(["--expect-no-changes"]);
        assert.equal(settled.code, 0, `after the repair nothing is left to change:\n${settled.stdout}${settled.stderr}`);
        const repaired = await getAcl(client, brokers[1], "User:orders-app");
        assert.deepEqual(repaired?.policies.flatMap((p) => p.entries.map((e) => e.resource)).sort(), ["Group:billing", "Topic:orders"]);
    });

    it("no password appears in plain text in the stack's state, any ConfigMap, or the engine's output", async () => {
        const exported = (await stack.pulumiOrThrow(["stack", "export"])).stdout;
        const configMaps = await sandbox.kubectl(["get", "configmaps", "-n", namespace, "-o", "json"]);
        for (const password of [superUserPassword, ordersAppPassword]) {
            assert.ok(!exported.includes(password), "stack export holds a password");
            assert.ok(!configMaps.includes(password), "a ConfigMap holds a password");
            assert.ok(!engineOutput.join("\n").includes(password), "the engine's output holds a password");
        }
        // The brokers have it, from the group's Secret.
        const secret = await sandbox.kubectl(["get", "secret", "broker-0-secret", "-n", namespace, "-o", "jsonpath={.data.master\\.conf}"]);
        assert.match(Buffer.from(secret, "base64").toString(), /^initAuthenticationUser=\{"username":"rocketmq-admin","password":/m);
        // And the proxies theirs, from the proxy Secret.
        const proxyConfig = await sandbox.kubectl(["get", "secret", "proxy-secret", "-n", namespace, "-o", "jsonpath={.data.rmq-proxy\\.json}"]);
        assert.equal(JSON.parse(Buffer.from(proxyConfig, "base64").toString()).innerClientAuthenticationCredentials, JSON.stringify(superUser));
    });

    it("deleting the Acl takes orders-app's right away on every broker", async () => {
        const urn = (await stack.pulumiOrThrow(["stack", "--show-urns"])).stdout.match(/urn:pulumi:\S+rocketmq:index:Acl::ordersAppAcl/)?.[0];
        assert.ok(urn, "the Acl's URN");
        const result = await stack.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview", "--target", urn]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        for (const broker of brokers) assert.equal(await getAcl(client, broker, "User:orders-app"), undefined, broker);
        const refused = await sendAsOrdersApp("orders");
        assert.equal(refused.code, 3, refused.stdout + refused.stderr);
        assert.match(refused.stdout, /REFUSED 16 /);
        // The proxy reads ACLs from a broker and refreshes what it cached every 20 s.
        const throughProxy = await eventually("the proxy refuses orders-app on orders", async () => {
            const sent = await sendThroughProxy("orders", ordersApp);
            return sent.code === 3 ? sent : undefined;
        });
        assert.match(throughProxy.stdout, /User:orders-app has no permission to access Topic:orders/);
    });
});

describe("e2e: bad User, Acl and auth inputs", function () {
    let stack: PulumiTestStack;
    let userStack: PulumiTestStack;

    before(async () => {
        stack = await PulumiTestStack.create({ programDir: copyProgram(path.join(__dirname, "programs", "bad-input-auth")) });
        userStack = await PulumiTestStack.create({ programDir: copyProgram(path.join(__dirname, "programs", "bad-input-auth-user")) });
    });

    after(async () => {
        await stack?.remove();
        await userStack?.remove();
    });

    it("preview refuses a Normal user without a password, naming the field", async () => {
        const result = await userStack.preview();
        const output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        // The YAML host knows password is required from the schema and refuses before the provider's check.
        assert.match(output, /password: Missing required property 'password'/);
    });

    it("preview refuses an unknown action and a resource pattern without a type, naming each field", async () => {
        const result = await stack.preview();
        const output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        assert.match(output, /property policies\[0\]\.entries\[0\]\.actions\[0\] .*must be one of All, Pub, Sub, Create, Update, Delete, Get, List/);
        assert.match(output, /property policies\[0\]\.entries\[1\]\.resource .*must be \* or <type>:<name>/);
    });
});
