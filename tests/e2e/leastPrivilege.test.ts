// The Role of docs/installation-configuration.md is enough, and a permission it lacks fails fast:
// in the sandbox, with the real pulumi CLI and real RocketMQ, as service accounts with token
// kubeconfigs (`kubectl create token`):
// - bound to exactly the documented Role (read from the docs file, so the two cannot drift), `pulumi
//   up` and `destroy` of a cluster with a secret broker setting and a topic, both reaching RocketMQ
//   through the API server's port-forward (tests/e2e/programs/least-privilege);
// - bound to that Role less `get`, or less `create`, on pods/portforward: an admin call through
//   port-forward fails in under 5 s naming the verb the API server refused, and a Topic's `pulumi
//   up` fails naming it too, without retrying (tests/e2e/programs/refused-topic).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { RocketMQAdminClient, RocketMQAdminError } from "../../provider/src/admin";
import { openClusterConnection } from "../../provider/src/connect";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { documentedRole, documentedRoleKubeconfig, PolicyRule, serviceAccountIn } from "../support/documentedRole";
import { readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { tearDownAfterFile } from "../support/teardown";

const namespace = `e2e-least-privilege-${process.pid}`;

/** The documented rules with `verb` taken off pods/portforward. */
function withoutPortForwardVerb(rules: PolicyRule[], verb: string): PolicyRule[] {
    const forwards = (rule: PolicyRule) => rule.resources.includes("pods/portforward");
    assert.ok(rules.some((rule) => forwards(rule) && rule.verbs.includes(verb)), `the documented Role grants ${verb} on pods/portforward`);
    return rules.map((rule) => (forwards(rule) ? { ...rule, verbs: rule.verbs.filter((v) => v !== verb) } : rule));
}

describe("e2e: the documented Role (sandbox)", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack | undefined;
    let destroyed = false;
    const kubeconfigs: Record<string, string> = {};
    tearDownAfterFile(() => ({ namespace, sandbox, stack, destroyed }));

    /** A service account of the test namespace bound to a Role with `rules`, and a token kubeconfig for it. */
    function serviceAccountWith(name: string, rules: PolicyRule[]): Promise<string> {
        return serviceAccountIn(sandbox, namespace, name, rules);
    }

    /** One admin call through port-forward with `kubeconfig`, as the resources make it; its failure and how long it took. */
    async function refusedCall(kubeconfig: string): Promise<{ error: Error; ms: number }> {
        const nameServerAddresses = `name-service-0.name-service.${namespace}.svc.cluster.local:9876`;
        const began = Date.now();
        const connection = await openClusterConnection({ nameServerAddresses, kubeconfig, connection: "portForward" });
        const client = new RocketMQAdminClient({ nameServers: nameServerAddresses, connector: connection.connector });
        try {
            await client.getClusterInfo();
        } catch (err) {
            return { error: err as Error, ms: Date.now() - began };
        } finally {
            client.close();
            connection.close();
        }
        assert.fail("the call succeeded");
    }

    before(async function () {
        this.timeout(300_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        kubeconfigs.documented = await serviceAccountWith("deployer", (await documentedRole()).rules);
    });

    it("runs pulumi up of a cluster with a secret broker setting and a topic, through port-forward", async function () {
        this.timeout(900_000);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "least-privilege")),
            env: { KUBECONFIG: kubeconfigs.documented },
            config: { namespace },
        });
        await stack.pulumiOrThrow(["config", "set", "--secret", "kubeconfig", kubeconfigs.documented]);
        await stack.pulumiOrThrow(["config", "set", "--secret", "brokerRegion", "least-privilege-region"]);
        const began = Date.now();
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        console.log(`      up as the documented Role: ${((Date.now() - began) / 1000).toFixed(0)} s`);

        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "name-service-0"]);
        const secret = JSON.parse(await sandbox.kubectl(["get", "secret", "broker-0-secret", "-n", namespace, "-o", "json"])) as { data: Record<string, string> };
        assert.equal(Buffer.from(secret.data["master.conf"], "base64").toString(), "regionId=least-privilege-region\n");
        assert.deepEqual((await stack.outputs()).topicBrokers, ["broker-0"]);
        // The cluster's registration wait and the topic reached RocketMQ as the service account, through port-forward.
        assert.match(result.stdout, /all 1 broker\(s\) registered with all 1 name server\(s\)/);
        assert.ok(sandbox.portForwardStreams(namespace).some((stream) => stream === "name-service-0:9876"), sandbox.portForwardStreams(namespace).join(", "));
    });

    it("without get on pods/portforward, an admin call fails in under 5 s naming get on pods/portforward", async () => {
        kubeconfigs.withoutGet = await serviceAccountWith("without-get", withoutPortForwardVerb((await documentedRole()).rules, "get"));
        const { error, ms } = await refusedCall(kubeconfigs.withoutGet);
        console.log(`      refused for want of get after ${ms} ms`);
        assert.ok(error instanceof RocketMQAdminError && error.isRefused(), error.message);
        assert.ok(ms < 5000, `failed after ${ms} ms: ${error.message}`);
        assert.match(error.message, new RegExp(`forbids system:serviceaccount:${namespace}:without-get to get pods/portforward in namespace ${namespace}`), error.message);
        assert.match(error.message, /lacks get on pods\/portforward: grant it get and list on pods, and get and create on pods\/portforward/);
    });

    it("without create on pods/portforward (checked from Kubernetes 1.35), an admin call fails in under 5 s naming create", async () => {
        const kubeconfig = await serviceAccountWith("without-create", withoutPortForwardVerb((await documentedRole()).rules, "create"));
        const { error, ms } = await refusedCall(kubeconfig);
        console.log(`      refused for want of create after ${ms} ms`);
        assert.ok(error instanceof RocketMQAdminError && error.isRefused(), error.message);
        assert.ok(ms < 5000, `failed after ${ms} ms: ${error.message}`);
        assert.match(error.message, new RegExp(`forbids the kubeconfig's user to create pods/portforward in namespace ${namespace}`), error.message);
        assert.match(error.message, /lacks create on pods\/portforward/);
    });

    it("a Topic's pulumi up without get on pods/portforward fails naming the verb, without retrying", async function () {
        this.timeout(300_000);
        assert.ok(kubeconfigs.withoutGet, "the test without get made its service account");
        const refused = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "tests", "e2e", "programs", "refused-topic")),
            stackName: "refused",
            env: { KUBECONFIG: kubeconfigs.withoutGet },
            config: { nameServerAddresses: `name-service-0.name-service.${namespace}.svc.cluster.local:9876` },
        });
        try {
            await refused.pulumiOrThrow(["config", "set", "--secret", "kubeconfig", kubeconfigs.withoutGet]);
            const began = Date.now();
            const result = await refused.up();
            console.log(`      pulumi up of the refused topic failed after ${((Date.now() - began) / 1000).toFixed(1)} s`);
            const output = result.stdout + result.stderr;
            assert.notEqual(result.code, 0, output);
            assert.match(output, new RegExp(`forbids system:serviceaccount:${namespace}:without-get to get pods/portforward`), output);
            assert.doesNotMatch(output, /tried \d+ times|attempt \d+ of \d+/, output);
        } finally {
            await refused.remove();
        }
    });

    it("runs pulumi destroy, leaving nothing of the cluster in the namespace", async function () {
        this.timeout(600_000);
        assert.ok(stack, "the stack was created");
        const result = await stack.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        destroyed = true;
        const left = await sandbox.kubectl(["get", "statefulsets,services,configmaps,secrets", "-n", namespace, "-o", "name"]);
        // The namespace's own ConfigMap of the cluster CA is Kubernetes', not the cluster's.
        assert.deepEqual(left.split("\n").filter((line) => line !== "" && line !== "configmap/kube-root-ca.crt"), []);
    });
});

describe("e2e: examples/yaml-secure as the documented Role (sandbox)", function () {
    const exampleNamespace = `e2e-least-privilege-secure-${process.pid}`;
    let sandbox: Sandbox;
    let stack: PulumiTestStack | undefined;
    let destroyed = false;
    let kubeconfig: string;
    tearDownAfterFile(() => ({ namespace: exampleNamespace, sandbox, stack, destroyed }));

    before(async function () {
        this.timeout(300_000);
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", exampleNamespace]);
        kubeconfig = await documentedRoleKubeconfig(sandbox, exampleNamespace);
    });

    it("runs pulumi up of the example as committed (auth on, a User and its Acl on master and replica, a Topic and a ConsumerGroup signing as the super user), RocketMQ reached through port-forward", async function () {
        this.timeout(900_000);
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(repoRoot, "examples", "yaml-secure")),
            env: { KUBECONFIG: kubeconfig },
            config: { namespace: exampleNamespace },
        });
        await stack.pulumiOrThrow(["config", "set", "--secret", "superUserPassword", "Sup3r-least-privilege"]);
        await stack.pulumiOrThrow(["config", "set", "--secret", "ordersAppPassword", "orders-least-privilege"]);
        const began = Date.now();
        const result = await stack.up();
        const output = result.stdout + result.stderr;
        assert.equal(result.code, 0, output);
        console.log(`      yaml-secure up as the documented Role: ${((Date.now() - began) / 1000).toFixed(0)} s`);
        assert.doesNotMatch(output, /forbidden|\b403\b/i, output);

        // The proxy's pod is named after its Deployment's ReplicaSet.
        const ready = (await readyPods(sandbox, exampleNamespace)).map((name) => name.replace(/^proxy-[a-z0-9]+-[a-z0-9]+$/, "proxy"));
        assert.deepEqual(ready, ["broker-0-master-0", "broker-0-replica-1-0", "name-service-0", "proxy"]);
        // The User (and so its Acl, written the same way) reached master and replica as the service account.
        assert.deepEqual((await stack.outputs()).ordersAppBrokers, ["broker-0", "broker-0 #1"]);
        const streams = sandbox.portForwardStreams(exampleNamespace);
        for (const pod of ["name-service-0", "broker-0-master-0", "broker-0-replica-1-0"]) {
            assert.ok(streams.some((stream) => stream.startsWith(`${pod}:`)), `a port-forward stream to ${pod}: ${streams.join(", ")}`);
        }
    });

    it("runs pulumi destroy of the example, leaving nothing of it in the namespace", async function () {
        this.timeout(600_000);
        assert.ok(stack, "the stack was created");
        const began = Date.now();
        const result = await stack.destroy();
        const output = result.stdout + result.stderr;
        assert.equal(result.code, 0, output);
        console.log(`      yaml-secure destroy as the documented Role: ${((Date.now() - began) / 1000).toFixed(0)} s`);
        assert.doesNotMatch(output, /forbidden|\b403\b/i, output);
        destroyed = true;
        const left = await sandbox.kubectl(["get", "statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets", "-n", exampleNamespace, "-o", "name"]);
        assert.deepEqual(left.split("\n").filter((line) => line !== "" && line !== "configmap/kube-root-ca.crt"), []);
    });
});
