// The generated SDKs in sdk/ are what schema.json generates today, and each one is usable from its
// language: it builds with that language's own tools (npm pack, a Python wheel, go build; no .NET
// toolchain exists here, so the dotnet SDK is checked as generated files), and the example of that
// language compiles (or runs, under Pulumi mocks) against it. Builds happen in scratch copies laid out like the repo
// (scratch/sdk, scratch/examples/<language>), so no build output lands in sdk/.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scratchDir } from "../support/scratch";

const repo = path.resolve(__dirname, "..", "..");
/** The @pulumi/kubernetes the plugin is built with: its objects are registered with that plugin version. */
const kubernetesVersion: string = require("@pulumi/kubernetes/package.json").version;

interface RunResult {
    code: number;
    output: string;
}

// Runs a command to completion and returns its exit code with stdout and stderr together.
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, output: `${stdout}${stderr}${error && code === 1 && !stderr ? error.message : ""}` });
        });
    });
}

async function runOk(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const result = await run(command, args, cwd, env);
    assert.equal(result.code, 0, `${command} ${args.join(" ")} in ${cwd} failed:\n${result.output}`);
    return result.output;
}

// A scratch copy of the given repo paths, at the same relative places.
function scratchCopy(paths: string[]): string {
    const scratch = scratchDir("rocketmq-sdk-");
    for (const relative of paths) {
        fs.cpSync(path.join(repo, relative), path.join(scratch, relative), { recursive: true });
    }
    return scratch;
}

// Go builds share the machine: lower their priority, and never fetch a newer Go toolchain.
const goEnv = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: process.env.GOFLAGS ?? "-buildvcs=false" };

describe("e2e: generated SDKs", function () {
    const scratches: string[] = [];
    const scratch = (paths: string[]) => {
        const dir = scratchCopy(paths);
        scratches.push(dir);
        return dir;
    };

    after(() => {
        for (const dir of scratches) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("sdk/ is what schema.json generates (gen-sdk.sh --check)", async function () {
        this.timeout(20 * 60 * 1000);
        const result = await run("bash", ["scripts/gen-sdk.sh", "--check"], repo);
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /sdk\/ matches schema\.json \(nodejs python go dotnet\)/);
    });

    it("the drift check names an edited and a stray SDK file", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["scripts", "schema.json", "docs/logo.png", "tests/toolchain/versions.sh", "sdk"]);
        await runOk("git", ["init", "-q"], dir);
        fs.appendFileSync(path.join(dir, "sdk", "nodejs", "index.ts"), "// edited by hand\n");
        fs.writeFileSync(path.join(dir, "sdk", "python", "stray.py"), "");
        const result = await run("bash", ["scripts/gen-sdk.sh", "--check"], dir);
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /sdk\/nodejs\/index\.ts \(differs\)/);
        assert.match(result.output, /sdk\/python\/stray\.py \(not generated\)/);
        assert.doesNotMatch(result.output, /sdk\/(go|dotnet)\//);
    });

    it("the drift check fails in every language when schema.json changes without regeneration", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["scripts", "schema.json", "docs/logo.png", "tests/toolchain/versions.sh", "sdk"]);
        await runOk("git", ["init", "-q"], dir);
        const schemaFile = path.join(dir, "schema.json");
        const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
        schema.resources["rocketmq:index:TopicTransfer"].inputProperties.topic.description += " Changed.";
        fs.writeFileSync(schemaFile, JSON.stringify(schema, null, 4));
        const result = await run("bash", ["scripts/gen-sdk.sh", "--check"], dir);
        assert.equal(result.code, 1, result.output);
        for (const file of ["nodejs/topicTransfer.ts", "python/pulumi_rocketmq/topic_transfer.py", "go/rocketmq/topicTransfer.go", "dotnet/TopicTransfer.cs"]) {
            assert.ok(result.output.includes(`sdk/${file} (differs)`), `${file} not named:\n${result.output}`);
        }
    });

    it("the nodejs SDK packs with npm pack as generated, installs as a package, and the TypeScript example type-checks against it", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["sdk/nodejs", "examples/typescript"]);
        const sdk = path.join(dir, "sdk", "nodejs");
        const tarball = path.join(sdk, (await runOk("npm", ["pack", "--silent"], sdk)).trim().split("\n").pop() as string);
        assert.equal(path.basename(tarball), "pulumi-rocketmq-rocketmq-0.1.0.tgz");
        // The tarball holds the generated files and nothing else: no build output copied in by hand.
        const packed = (await runOk("tar", ["-tzf", tarball], dir)).trim().split("\n").map((entry) => entry.replace(/^package\//, "")).sort();
        const generated = (await runOk("git", ["ls-files", "sdk/nodejs"], repo)).trim().split("\n").map((entry) => entry.replace(/^sdk\/nodejs\//, ""));
        assert.deepEqual(packed.filter((entry) => !generated.includes(entry)), []);
        assert.ok(packed.includes("package.json") && packed.includes("index.ts"), packed.join(" "));

        // The example installs the SDK from ../../sdk/nodejs as a packed package (its .npmrc sets
        // install-links), as from the registry: the package compiles itself and loads.
        const example = path.join(dir, "examples", "typescript");
        await runOk("npm", ["install", "--no-audit", "--no-fund"], example);
        const exported = await runOk("node", ["-e", "console.log(Object.keys(require('@pulumi-rocketmq/rocketmq')).join(' '))"], example);
        assert.match(exported, /RocketMQCluster/);
        assert.match(exported, /TopicTransfer/);
        await runOk("npx", ["tsc", "--noEmit", "-p", "."], example);
        // The check is a real one: a misspelt input is refused.
        const misspelt = fs.readFileSync(path.join(example, "index.ts"), "utf8").replace("replicaPerGroup", "replicasPerGroup");
        fs.writeFileSync(path.join(example, "index.ts"), misspelt);
        const refused = await run("npx", ["tsc", "--noEmit", "-p", "."], example);
        assert.notEqual(refused.code, 0, refused.output);
        assert.match(refused.output, /replicasPerGroup/);
    });

    it("the python SDK builds a wheel that installs in a venv with pulumi from the registry, and the Python example runs against it under Pulumi mocks", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["sdk/python", "examples/python"]);
        const example = path.join(dir, "examples", "python");
        await runOk("python3", ["-m", "venv", "venv"], example);
        const python = path.join(example, "venv", "bin", "python");
        const wheels = path.join(dir, "wheels");
        await runOk(python, ["-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, path.join(dir, "sdk", "python")], example);
        const [wheel] = fs.readdirSync(wheels);
        assert.equal(wheel, "pulumi_rocketmq-0.1.0-py3-none-any.whl");
        await runOk(python, ["-m", "pip", "install", "--quiet", path.join(wheels, wheel)], example);
        // It brings the kubernetes SDK of the plugin the component registers its objects with, not
        // the newest one pip could find: the program then asks the engine for that plugin.
        const kubernetes = await runOk(python, ["-c", "import importlib.metadata as m; print(m.version('pulumi_kubernetes'))"], example);
        assert.equal(kubernetes.trim(), kubernetesVersion);
        // The installed package tells the engine where its plugin comes from.
        const plugin = await runOk(python, ["-c", "import importlib.resources as r; print(r.files('pulumi_rocketmq').joinpath('pulumi-plugin.json').read_text())"], example);
        assert.deepEqual(JSON.parse(plugin), { resource: true, name: "rocketmq", version: "0.1.0", server: "github://api.github.com/pulumi-rocketmq/pulumi-rocketmq" });
        fs.writeFileSync(path.join(example, "run_with_mocks.py"), PYTHON_MOCK_RUNNER);
        const output = await runOk(python, ["run_with_mocks.py"], example);
        const registered = JSON.parse(output.trim().split("\n").pop() as string) as Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
        // The Python SDK registers each resource once its inputs resolve: the order varies.
        assert.deepEqual(registered.map((r) => `${r.type} ${r.name}`).sort(), [
            "rocketmq:index:ConsumerGroup analytics",
            "rocketmq:index:ConsumerGroup billing",
            "rocketmq:index:RocketMQCluster mq",
            "rocketmq:index:Topic events",
            "rocketmq:index:Topic orders",
            "rocketmq:index:Topic payments",
        ]);
        const orders = registered.find((r) => r.name === "orders")?.inputs;
        assert.deepEqual([orders?.name, orders?.messageType, orders?.readQueueNums, orders?.writeQueueNums], ["orders", "FIFO", 4, 4]);
        assert.equal(registered.find((r) => r.name === "billing")?.inputs.consumeMessageOrderly, true);
        assert.deepEqual(registered.find((r) => r.name === "mq")?.inputs, {
            namespace: "default",
            brokerClusterName: "PyCluster",
            nameServer: { size: 1 },
            // The generated SDK fills in schema.json's defaults.
            broker: { size: 1, replicaPerGroup: 0, jvmMemory: { heap: "256m" }, drainTimeoutSeconds: 600, allowDroppingUnreadMessages: false },
            connection: "auto",
            console: { enabled: false },
        });
    });

    it("the go SDK and the Go example build", async function () {
        this.timeout(30 * 60 * 1000);
        const dir = scratch(["sdk", "examples/go"]);
        await runOk("nice", ["-n", "10", "go", "build", "./..."], path.join(dir, "sdk"), goEnv);
        await runOk("nice", ["-n", "10", "go", "vet", "./..."], path.join(dir, "sdk"), goEnv);
        const example = path.join(dir, "examples", "go");
        await runOk("nice", ["-n", "10", "go", "build", "-o", path.join(dir, "example-go"), "."], example, goEnv);
        assert.ok(fs.statSync(path.join(dir, "example-go")).size > 0);
    });

    // No .NET SDK or runtime exists on this machine: the dotnet SDK is generated and checked as
    // files; `dotnet build` of sdk/dotnet is left to a machine that has the .NET SDK.
    it("the dotnet SDK is generated as the NuGet package PulumiRocketMQ.RocketMQ with the plugin's download URL", () => {
        const dotnet = path.join(repo, "sdk", "dotnet");
        const project = fs.readFileSync(path.join(dotnet, "PulumiRocketMQ.RocketMQ.csproj"), "utf8");
        assert.match(project, /<Version>0\.1\.0<\/Version>/);
        assert.match(project, /<PackageReference Include="Pulumi.Kubernetes"/);
        assert.match(fs.readFileSync(path.join(dotnet, "RocketMQCluster.cs"), "utf8"), /namespace PulumiRocketMQ\.RocketMQ\b/);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dotnet, "pulumi-plugin.json"), "utf8")), {
            resource: true,
            name: "rocketmq",
            version: "0.1.0",
            server: "github://api.github.com/pulumi-rocketmq/pulumi-rocketmq",
        });
        // The NuGet icon is the repository's logo.
        assert.ok(fs.readFileSync(path.join(dotnet, "logo.png")).equals(fs.readFileSync(path.join(repo, "docs", "logo.png"))));
    });
});

// Runs the example program with Pulumi's mocks in place of the engine and prints, as JSON on the
// last line, every resource it registered with its inputs.
const PYTHON_MOCK_RUNNER = `
import json
import runpy
import pulumi

registered = []

class RecordingMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        return args.name + "-id", args.inputs

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(RecordingMocks(), project="example", stack="dev", preview=False)
runpy.run_path("__main__.py")

@pulumi.runtime.test
def settle():
    return pulumi.Output.from_input(None)

settle()
print(json.dumps(registered))
`;
