// Every example program, run for real against the sandbox as its README would have a user run it:
// preview, up (pods Ready, outputs set), a second preview with no changes, destroy.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { toolchainEnv } from "../support/toolchain";

interface ExampleCase {
    language: string;
    /** Prepares a runnable copy of the example and returns its directory. */
    prepare(): string;
    /** Extra environment for the program's language host. */
    env?(programDir: string): NodeJS.ProcessEnv;
    expectedPods: string[];
    brokerClusterName: string;
}

/** The TypeScript example installs the nodejs SDK from ../../sdk/nodejs, laid out as in the repo. */
function prepareTypeScript(): string {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-example-ts-"));
    fs.cpSync(path.join(repoRoot, "sdk", "nodejs"), path.join(scratch, "sdk", "nodejs"), { recursive: true });
    const example = path.join(scratch, "examples", "typescript");
    fs.cpSync(copyProgram(path.join(repoRoot, "examples", "typescript")), example, { recursive: true });
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: example, stdio: "pipe" });
    return example;
}

/** The Python example installs the generated SDK from ../../sdk/python into its virtualenv. */
function preparePython(): string {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-example-py-"));
    fs.cpSync(path.join(repoRoot, "sdk", "python"), path.join(scratch, "sdk", "python"), { recursive: true });
    const example = path.join(scratch, "examples", "python");
    fs.cpSync(copyProgram(path.join(repoRoot, "examples", "python")), example, { recursive: true });
    execFileSync("python3", ["-m", "venv", "venv"], { cwd: example, stdio: "pipe" });
    execFileSync(path.join(example, "venv", "bin", "python"), ["-m", "pip", "install", "--quiet", "-r", "requirements.txt"], {
        cwd: example,
        stdio: "pipe",
    });
    return example;
}

/** The Go example builds against the generated SDK through its replace of ../../sdk. */
function prepareGo(): string {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-example-go-"));
    fs.cpSync(path.join(repoRoot, "sdk"), path.join(scratch, "sdk"), { recursive: true });
    const example = path.join(scratch, "examples", "go");
    fs.cpSync(copyProgram(path.join(repoRoot, "examples", "go")), example, { recursive: true });
    return example;
}

const examples: ExampleCase[] = [
    {
        language: "yaml",
        prepare: () => copyProgram(path.join(repoRoot, "examples", "yaml")),
        expectedPods: ["broker-0-master-0", "broker-1-master-0", "name-service-0"],
        brokerClusterName: "YamlCluster",
    },
    {
        language: "typescript",
        prepare: prepareTypeScript,
        expectedPods: ["broker-0-master-0", "broker-0-replica-1-0", "name-service-0"],
        brokerClusterName: "TsCluster",
    },
    {
        language: "python",
        prepare: preparePython,
        // The python language host runs whichever python is first on PATH.
        env: (programDir) => ({ PATH: `${path.join(programDir, "venv", "bin")}:${toolchainEnv().PATH}` }),
        expectedPods: ["broker-0-master-0", "name-service-0"],
        brokerClusterName: "PyCluster",
    },
    {
        language: "go",
        prepare: prepareGo,
        env: () => ({ GOTOOLCHAIN: "local" }),
        expectedPods: ["broker-0-master-0", "name-service-0"],
        brokerClusterName: "GoCluster",
    },
];

describe("e2e: examples in the sandbox", function () {
    let sandbox: Sandbox;

    before(async () => {
        sandbox = await ensureSandbox();
    });

    for (const example of examples) {
        describe(`examples/${example.language}`, () => {
            const namespace = `e2e-example-${example.language}-${process.pid}`;
            let stack: PulumiTestStack;

            before(async () => {
                await sandbox.kubectl(["create", "namespace", namespace]);
                const programDir = example.prepare();
                stack = await PulumiTestStack.create({
                    programDir,
                    env: { KUBECONFIG: sandbox.kubeconfig, ...example.env?.(programDir) },
                    config: { namespace },
                });
            });

            after(async () => {
                if (stack) {
                    await stack.destroy();
                    await stack.remove();
                }
                await sandbox.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
            });

            it("previews the cluster to create", async () => {
                const result = await stack.preview();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
                assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
            });

            it("up brings every pod to Ready and sets the outputs", async () => {
                const result = await stack.up();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                const ready = await readyPods(sandbox, namespace);
                assert.deepEqual(ready, example.expectedPods);
                const outputs = await stack.outputs();
                assert.equal(outputs.nameServerAddresses, `name-service-0.name-service.${namespace}.svc.cluster.local:9876`);
                const groups = outputs.brokerGroups as { masterPodName: string }[];
                assert.deepEqual(
                    groups.map((group) => group.masterPodName),
                    example.expectedPods.filter((pod) => pod.endsWith("-master-0")),
                );
            });

            it("a second preview finds nothing to change", async () => {
                const result = await stack.preview(["--expect-no-changes"]);
                assert.equal(result.code, 0, result.stdout + result.stderr);
            });

            it("destroy removes every pod", async () => {
                const result = await stack.destroy();
                assert.equal(result.code, 0, result.stdout + result.stderr);
                assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
            });
        });
    }
});
