// The generated SDKs in sdk/ are what schema.json generates today, and each one is usable from its
// language: it builds with that language's own tools, and the example of that language compiles
// (or runs, under Pulumi mocks) against it. Builds happen in scratch copies laid out like the repo
// (scratch/sdk, scratch/examples/<language>), so no build output lands in sdk/.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..", "..");

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
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-sdk-"));
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
        assert.match(result.output, /sdk\/ matches schema\.json \(nodejs python go\)/);
    });

    it("the drift check names an edited and a stray SDK file", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["scripts", "schema.json", "tests/toolchain/versions.sh", "sdk"]);
        await runOk("git", ["init", "-q"], dir);
        fs.appendFileSync(path.join(dir, "sdk", "nodejs", "index.ts"), "// edited by hand\n");
        fs.writeFileSync(path.join(dir, "sdk", "python", "stray.py"), "");
        const result = await run("bash", ["scripts/gen-sdk.sh", "--check"], dir);
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /sdk\/nodejs\/index\.ts \(differs\)/);
        assert.match(result.output, /sdk\/python\/stray\.py \(not generated\)/);
        assert.doesNotMatch(result.output, /sdk\/go\//);
    });

    it("the nodejs SDK builds with tsc and the TypeScript example type-checks against it", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["sdk/nodejs", "examples/typescript"]);
        const sdk = path.join(dir, "sdk", "nodejs");
        await runOk("npm", ["install", "--no-audit", "--no-fund"], sdk);
        await runOk("npm", ["run", "build"], sdk);
        // The example depends on the built package (file:../../sdk/nodejs/bin), which carries its package.json.
        fs.copyFileSync(path.join(sdk, "package.json"), path.join(sdk, "bin", "package.json"));
        assert.ok(fs.existsSync(path.join(sdk, "bin", "index.d.ts")));

        const example = path.join(dir, "examples", "typescript");
        await runOk("npm", ["install", "--no-audit", "--no-fund"], example);
        await runOk("npx", ["tsc", "--noEmit", "-p", "."], example);
        // The check is a real one: a misspelt input is refused.
        const misspelt = fs.readFileSync(path.join(example, "index.ts"), "utf8").replace("replicaPerGroup", "replicasPerGroup");
        fs.writeFileSync(path.join(example, "index.ts"), misspelt);
        const refused = await run("npx", ["tsc", "--noEmit", "-p", "."], example);
        assert.notEqual(refused.code, 0, refused.output);
        assert.match(refused.output, /replicasPerGroup/);
    });

    it("the python SDK installs with pip and the Python example runs against it under Pulumi mocks", async function () {
        this.timeout(20 * 60 * 1000);
        const dir = scratch(["sdk/python", "examples/python"]);
        const example = path.join(dir, "examples", "python");
        await runOk("python3", ["-m", "venv", "venv"], example);
        const python = path.join(example, "venv", "bin", "python");
        // requirements.txt installs the SDK from ../../sdk/python, as `pulumi up` would.
        await runOk(python, ["-m", "pip", "install", "--quiet", "-r", "requirements.txt"], example);
        fs.writeFileSync(path.join(example, "run_with_mocks.py"), PYTHON_MOCK_RUNNER);
        const output = await runOk(python, ["run_with_mocks.py"], example);
        const registered = JSON.parse(output.trim().split("\n").pop() as string) as Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
        assert.deepEqual(registered.map((r) => `${r.type} ${r.name}`), ["rocketmq:index:RocketMQCluster mq"]);
        assert.deepEqual(registered[0].inputs, {
            namespace: "default",
            brokerClusterName: "PyCluster",
            nameServer: { size: 1 },
            broker: { size: 1, replicaPerGroup: 0, jvmMemory: { heap: "256m" } },
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
