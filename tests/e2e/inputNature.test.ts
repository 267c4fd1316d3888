// Inputs keep their nature through RocketMQCluster, with the real engine, kubernetes provider and
// brokers: a namespace taken from a Namespace's id, not known until up, previews the outputs built
// from it as computed (the kubernetes provider 4.25 itself displays an unknown metadata.namespace of
// a child as "default"; up places every child in the real one, which the second test checks), and
// a secret broker setting and a secret env value never appear in plain text in the state or in
// any object but the group's Secret, while the running broker has both.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { readyPods } from "../support/pods";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { runMqadmin } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

describe("e2e: unknown and secret RocketMQCluster inputs in the sandbox", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;
    let namespace = "";
    const region = `region-${randomBytes(8).toString("hex")}`;
    const token = `token-${randomBytes(8).toString("hex")}`;
    const mqadminHome = scratchDir("rocketmq-e2e-nature-");
    const kubectlJson = async (args: string[]) => sandbox.kubectl([...args, "-n", namespace, "-o", "json"]);

    before(async () => {
        sandbox = await ensureSandbox();
        stack = await PulumiTestStack.create({
            programDir: copyProgram(path.join(__dirname, "programs", "input-nature")),
            env: { KUBECONFIG: sandbox.kubeconfig },
        });
        await stack.pulumiOrThrow(["config", "set", "--secret", "brokerRegion", region]);
        await stack.pulumiOrThrow(["config", "set", "--secret", "brokerToken", token]);
    });

    after(async () => {
        fs.rmSync(mqadminHome, { recursive: true, force: true });
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
    });

    it("preview shows the outputs built from the namespace named at up as computed, and no secret", async () => {
        const result = await stack.preview();
        const output = result.stdout + result.stderr;
        assert.equal(result.code, 0, output);
        assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
        // The outputs section of the preview: "namespace : [unknown]".
        assert.match(result.stdout, /^\s*namespace\s*:\s*(\[unknown\]|output<string>)\s*$/m, `the cluster's namespace output is computed:\n${result.stdout}`);
        assert.match(result.stdout, /^\s*nameServerAddresses\s*:\s*(\[unknown\]|output<string>)\s*$/m, `the name server addresses, built from the namespace, are computed:\n${result.stdout}`);
        assert.match(result.stdout, /\[secret\]/);
        assert.ok(!output.includes(region) && !output.includes(token), "the preview shows no secret");
    });

    it("up deploys into the named namespace; the state holds neither secret in plain text", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        namespace = (await stack.outputs()).namespace as string;
        assert.match(namespace, /^rocketmq-[a-z0-9]+$/);
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "name-service-0"]);

        // The kubernetes provider keeps a Secret's values as base64 `data`, so each is looked for
        // both as it is and as the Secret stores it.
        const storedForms = (value: string) => [value, Buffer.from(value).toString("base64")];
        const state = (await stack.pulumiOrThrow(["stack", "export"])).stdout;
        for (const form of storedForms(`regionId=${region}\n`).concat(region)) {
            assert.ok(!state.includes(form), `the secret broker setting is in the state in the clear (${form})`);
        }
        for (const form of storedForms(token)) {
            assert.ok(!state.includes(form), `the secret env value is in the state in the clear (${form})`);
        }
        // Decrypted, the state holds both, in the group's Secret: the checks above look where they are.
        const revealed = JSON.parse((await stack.pulumiOrThrow(["stack", "export", "--show-secrets"])).stdout) as {
            deployment: { resources: { urn: string; outputs?: { data?: { plaintext?: string } } }[] };
        };
        const secretResource = revealed.deployment.resources.find((resource) => resource.urn.endsWith("::mq-broker-0-secret"));
        const data = JSON.parse(secretResource?.outputs?.data?.plaintext ?? "{}") as Record<string, string>;
        const decoded = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]));
        assert.deepEqual(decoded, { "master.conf": `regionId=${region}\n`, "env-0": token });
    });

    it("only the group's Secret holds them; the ConfigMap and the StatefulSet do not", async () => {
        const configMap = await kubectlJson(["get", "configmap", "broker-0-config"]);
        assert.match(configMap, /brokerClusterName=DefaultCluster/);
        const statefulSet = await kubectlJson(["get", "statefulset", "broker-0-master"]);
        for (const [what, text] of [["ConfigMap", configMap], ["StatefulSet", statefulSet]]) {
            assert.ok(!text.includes(region) && !text.includes(token), `the ${what} holds a secret`);
        }
        const secret = JSON.parse(await kubectlJson(["get", "secret", "broker-0-secret"])) as { data: Record<string, string> };
        const decoded = Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]));
        assert.deepEqual(decoded, { "master.conf": `regionId=${region}\n`, "env-0": token });
    });

    it("the running broker has the secret setting (mqadmin getBrokerConfig) and the secret env value", async () => {
        const podIp = (name: string) => sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        const brokerConfig = await runMqadmin(mqadminHome, `${await podIp("name-service-0")}:9876`,
            ["getBrokerConfig", "-b", `${await podIp("broker-0-master-0")}:10911`]);
        assert.equal(brokerConfig.code, 0, brokerConfig.stdout + brokerConfig.stderr);
        assert.match(brokerConfig.stdout, new RegExp(`^regionId\\s*=\\s*${region}\\s*$`, "m"), brokerConfig.stdout);
        const env = await sandbox.kubectl(["exec", "broker-0-master-0", "-n", namespace, "-c", "broker", "--", "printenv", "BROKER_TOKEN"]);
        assert.equal(env.trim(), token);
    });

    it("a second preview finds nothing to change", async () => {
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
    });
});
