// The package as a user gets it before a release, following docs/installation-configuration.md
// ("From a clone") with its own commands: the plugin archive that `npm run package` builds,
// installed with `pulumi plugin install resource rocketmq <version> --file ...` into an empty Pulumi
// home; the Python example with the SDK pip-installed from the clone into a fresh virtualenv, and a
// program that knows the package only through its npm SDK (neither has a plugins.providers path).
// Previews, then for the npm program up in the sandbox, a preview of a pending change that must
// write nothing to the cluster (the README's CI recipe), and destroy.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { pluginBundleDir, repoRoot } from "../support/plugin";
import { copyProgram, pluginDir } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { toolchainBin, toolchainEnv } from "../support/toolchain";
import { scratchDir } from "../support/scratch";

const execFileAsync = promisify(execFile);
const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8")).version;
const platforms = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"];
const thisOs = process.platform;
const thisArch = process.arch === "x64" ? "amd64" : process.arch;
const thisPlatform = `${thisOs}-${thisArch}`;

/**
 * A command line of the installation guide, exactly as the guide writes it, with its placeholders
 * (`<version>`, `<os>`, ...) filled in: the test fails when the guide no longer says it.
 */
function guideCommand(command: string, values: Record<string, string>): string {
    const guide = fs.readFileSync(path.join(repoRoot, "docs", "installation-configuration.md"), "utf8");
    assert.ok(
        guide.split("\n").some((line) => line.trim() === command),
        `docs/installation-configuration.md no longer says: ${command}`,
    );
    return command.replace(/<([a-z]+)>/g, (placeholder, name: string) => {
        if (values[name] === undefined) throw new Error(`no value for ${placeholder} in: ${command}`);
        return values[name];
    });
}

async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    try {
        const { stdout } = await execFileAsync(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
        return stdout;
    } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${command} ${args.join(" ")} failed: ${failed.message}\n${failed.stdout ?? ""}\n${failed.stderr ?? ""}`);
    }
}

/**
 * The resourceVersion of every object of the namespace, of every kind the API lists there, and of
 * every cluster-scoped object except Nodes (whose status the node agent renews on its own). Events
 * are left out too: controllers record them on their own schedule (a repeated event's count goes
 * up while pods run), and a preview's dry-run requests never record one.
 */
async function resourceVersions(sandbox: Sandbox, namespace: string): Promise<Map<string, string>> {
    const kinds = async (namespaced: boolean) =>
        (await sandbox.kubectl(["api-resources", "--verbs=list", `--namespaced=${namespaced}`, "-o", "name"]))
            .split("\n")
            .filter((kind) => kind !== "" && kind !== "nodes" && kind !== "events" && kind !== "events.events.k8s.io");
    const versions = new Map<string, string>();
    // Other e2e files run beside this one in the same cluster: their namespaces and the volumes
    // their claims bind are theirs to change.
    const theirs = (item: { kind: string; metadata: { name: string }; spec?: { claimRef?: { namespace?: string } } }) =>
        (item.kind === "Namespace" && item.metadata.name !== namespace) ||
        (item.kind === "PersistentVolume" && item.spec?.claimRef?.namespace !== undefined && item.spec.claimRef.namespace !== namespace);
    const record = (json: string) => {
        const list = JSON.parse(json) as { items: { apiVersion: string; kind: string; metadata: { namespace?: string; name: string; resourceVersion: string }; spec?: { claimRef?: { namespace?: string } } }[] };
        for (const item of list.items.filter((i) => !theirs(i))) {
            versions.set(`${item.apiVersion} ${item.kind} ${item.metadata.namespace ?? ""}/${item.metadata.name}`, item.metadata.resourceVersion);
        }
    };
    record(await sandbox.kubectl(["get", (await kinds(true)).join(","), "-n", namespace, "-o", "json"]));
    record(await sandbox.kubectl(["get", (await kinds(false)).join(","), "-o", "json"]));
    return versions;
}

describe("e2e: the plugin archive and a program that has only the SDK", function () {
    const scratch = scratchDir("rocketmq-archive-");
    const dist = path.join(scratch, "dist");
    const pulumiHome = path.join(scratch, "pulumi-home");
    const namespace = `e2e-sdk-only-${process.pid}`;
    const archiveOf = (platform: string) => path.join(dist, `pulumi-resource-rocketmq-v${version}-${platform}.tar.gz`);
    let sandbox: Sandbox;
    let stack: PulumiTestStack | undefined;
    let pulumiEnv: NodeJS.ProcessEnv;
    // The clone of the guide is `scratch`: dist/ holds the archives, sdk/ the SDKs' sources.
    const guideValues = { version, os: thisOs, arch: thisArch, clone: scratch };

    before(async function () {
        this.timeout(20 * 60_000);
        sandbox = await ensureSandbox();
        // The guide's `npm ci && npm run package`: the runner has installed and built, package.sh is the rest.
        guideCommand("npm ci && npm run package", guideValues);
        await run("bash", [path.join(repoRoot, "scripts", "package.sh"), dist], { cwd: repoRoot });
        fs.mkdirSync(pulumiHome);
        pulumiEnv = { ...toolchainEnv(), PULUMI_HOME: pulumiHome };
        await sandbox.kubectl(["create", "namespace", namespace]);
    });

    after(async function () {
        this.timeout(10 * 60_000);
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("npm run package builds one archive per platform, the same JavaScript under four names", async () => {
        const archives = platforms.map((platform) => fs.readFileSync(archiveOf(platform)));
        for (const archive of archives) assert.ok(archive.equals(archives[0]));
        const size = archives[0].length;
        console.log(`      archive: ${(size / 1024 / 1024).toFixed(1)} MiB`);
        assert.ok(size < 64 * 1024 * 1024, `archive is ${size} bytes`);
    });

    it("the archive holds the launcher and the bundled provider (its entry and chunks), nothing else", async () => {
        const entries = (await run("tar", ["-tvzf", archiveOf(thisPlatform)])).split("\n").filter((line) => line !== "");
        const launcher = entries.find((line) => line.endsWith(" ./pulumi-resource-rocketmq"));
        assert.ok(launcher?.startsWith("-rwxr-xr-x"), `launcher: ${launcher}`);
        const files = entries.filter((line) => !line.startsWith("d")).map((line) => line.split(/\s+/).pop()!.replace(/^\.\//, ""));
        const bundle = (fs.readdirSync(pluginBundleDir, { recursive: true, encoding: "utf8" }) as string[])
            .filter((file) => fs.statSync(path.join(pluginBundleDir, file)).isFile())
            .map((file) => `provider/bin/${file}`);
        assert.ok(bundle.includes("provider/bin/pulumi-resource-rocketmq.mjs"), bundle.join(" "));
        assert.deepEqual(files.sort(), [...bundle, "pulumi-resource-rocketmq"].sort());
    });

    it("pulumi plugin install --file puts it into an empty Pulumi home, beside the kubernetes plugin", async function () {
        this.timeout(5 * 60_000);
        assert.deepEqual(fs.readdirSync(pulumiHome), []);
        const pulumi = toolchainBin("pulumi");
        const install = guideCommand("pulumi plugin install resource rocketmq <version> --file dist/pulumi-resource-rocketmq-v<version>-<os>-<arch>.tar.gz", guideValues);
        await run("bash", ["-c", install], { cwd: scratch, env: pulumiEnv });
        // The kubernetes plugin the toolchain built, installed the way tests/toolchain/kubernetes-plugin.sh does.
        const kubernetesVersion = pulumiEnv.KUBERNETES_PROVIDER_VERSION!;
        const kubernetesPlugin = path.join(pulumiEnv.PULUMI_ROCKETMQ_CACHE!, `pulumi-kubernetes-${kubernetesVersion}`, "bin", "pulumi-resource-kubernetes");
        await run(pulumi, ["plugin", "install", "resource", "kubernetes", kubernetesVersion, "--file", kubernetesPlugin], { env: pulumiEnv });
        const listed = await run(pulumi, ["plugin", "ls"], { env: pulumiEnv });
        assert.match(listed, new RegExp(`^rocketmq +resource +${version.replace(/\./g, "\\.")} `, "m"));
        assert.match(listed, new RegExp(`^kubernetes +resource +${kubernetesVersion.replace(/\./g, "\\.")} `, "m"));
        // The installed plugin serves the schema it was built with.
        const served = JSON.parse(await run(pulumi, ["package", "get-schema", `rocketmq@${version}`], { env: pulumiEnv }));
        assert.equal(served.version, version);
        assert.equal(served.pluginDownloadURL, "github://api.github.com/pulumi-rocketmq/pulumi-rocketmq");
    });

    // The toolchain's nodejs, python and go language hosts predate GeneratePackage and Link (see
    // tests/toolchain/README.md), so `pulumi package add` is exercised with the YAML host, which has
    // both: for YAML the generated package is a declaration of the plugin's name, version and
    // download URL, and Link adds it to the project's packages.
    it("pulumi package add of the installed plugin adds the package to a YAML project, which previews with it", async function () {
        this.timeout(10 * 60_000);
        const program = path.join(scratch, "package-add");
        fs.cpSync(path.join(repoRoot, "tests", "e2e", "programs", "package-add"), program, { recursive: true });
        await run(toolchainBin("pulumi"), ["package", "add", `rocketmq@${version}`], { cwd: program, env: pulumiEnv });
        const project = fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8");
        assert.match(project, new RegExp(`^packages:\\n  rocketmq: rocketmq@${version.replace(/\./g, "\\.")}$`, "m"), project);
        const generated = (fs.readdirSync(path.join(program, "sdks"), { recursive: true, encoding: "utf8" }) as string[]).filter((file) => file.endsWith(".yaml"));
        assert.equal(generated.length, 1, `sdks/ holds ${generated.join(" ")}`);
        const text = fs.readFileSync(path.join(program, "sdks", generated[0]), "utf8");
        assert.match(text, /^name: rocketmq$/m);
        assert.match(text, new RegExp(`^version: ${version.replace(/\./g, "\\.")}$`, "m"));
        assert.match(text, /^downloadUrl: github:\/\/api\.github\.com\/pulumi-rocketmq\/pulumi-rocketmq$/m);

        const yamlStack = await PulumiTestStack.create({ programDir: program, stackName: "package-add", env: { KUBECONFIG: sandbox.kubeconfig, PULUMI_HOME: pulumiHome }, config: { namespace } });
        try {
            const result = await yamlStack.preview();
            assert.equal(result.code, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
        } finally {
            await yamlStack.remove();
        }
    });

    it("the guide's Python steps: the SDK pip-installed from the clone into a fresh virtualenv, and the Python example, without a plugin path, previews the cluster", async function () {
        this.timeout(20 * 60_000);
        fs.cpSync(path.join(repoRoot, "sdk", "python"), path.join(scratch, "sdk", "python"), { recursive: true });
        // The example as a program of a user's: the plugin is the one installed from the archive.
        const plugins = `plugins:\n  providers:\n    - name: rocketmq\n      path: ${pluginDir}\n`;
        const program = copyProgram(path.join(repoRoot, "examples", "python"), { replace: [[plugins, ""]] });
        assert.doesNotMatch(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8"), /plugins:/);
        for (const command of ["python3 -m venv venv", "venv/bin/pip install <clone>/sdk/python"]) {
            await run("bash", ["-c", guideCommand(command, guideValues)], { cwd: program, env: pulumiEnv });
        }
        // The program asks the engine for the two plugins installed above, at the versions installed:
        // the kubernetes one is the plugin the component registers its objects with.
        // (`--project` leaves out a plugin that is not installed, such as a newer kubernetes one.)
        const required = JSON.parse(await run(toolchainBin("pulumi"), ["plugin", "ls", "--project", "--output", "json"], { cwd: program, env: pulumiEnv })) as { name: string; kind: string; version: string }[];
        assert.deepEqual(
            required.filter((plugin) => plugin.kind === "resource").map((plugin) => `${plugin.name} ${plugin.version}`).sort(),
            [`kubernetes ${pulumiEnv.KUBERNETES_PROVIDER_VERSION}`, `rocketmq ${version}`],
        );

        const pythonStack = await PulumiTestStack.create({ programDir: program, stackName: "python", env: { KUBECONFIG: sandbox.kubeconfig, PULUMI_HOME: pulumiHome }, config: { namespace } });
        try {
            const result = await pythonStack.preview();
            assert.equal(result.code, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
            assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
            assert.match(result.stdout, /\+ .*rocketmq:index:Topic/);
        } finally {
            await pythonStack.remove();
        }
    });

    it("a program with the npm SDK alone (no plugin path) previews the cluster", async function () {
        this.timeout(20 * 60_000);
        const source = path.join(repoRoot, "tests", "e2e", "programs", "sdk-only");
        assert.doesNotMatch(fs.readFileSync(path.join(source, "Pulumi.yaml"), "utf8"), /plugins:/);
        const program = path.join(scratch, "program");
        fs.cpSync(source, program, { recursive: true });
        // The SDK comes in as the guide installs it from the clone: the directory installed as a package.
        fs.cpSync(path.join(repoRoot, "sdk", "nodejs"), path.join(scratch, "sdk", "nodejs"), { recursive: true });
        await run("npm", ["install", "--no-audit", "--no-fund"], { cwd: program });
        await run("bash", ["-c", guideCommand("npm install --install-links <clone>/sdk/nodejs", guideValues)], { cwd: program, env: pulumiEnv });

        stack = await PulumiTestStack.create({ programDir: program, env: { KUBECONFIG: sandbox.kubeconfig, PULUMI_HOME: pulumiHome }, config: { namespace } });
        const result = await stack.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
        assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
    });

    it("up brings every pod to Ready with the plugin from the archive", async function () {
        this.timeout(20 * 60_000);
        const result = await stack!.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "name-service-0"]);
        const outputs = await stack!.outputs();
        assert.equal(outputs.nameServerAddresses, `name-service-0.name-service.${namespace}.svc.cluster.local:9876`);
        // Nothing but the archive provided the plugin: the home holds exactly the two installed plugins.
        const plugins = fs
            .readdirSync(path.join(pulumiHome, "plugins"), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name);
        assert.deepEqual(plugins.sort(), [`resource-kubernetes-v${pulumiEnv.KUBERNETES_PROVIDER_VERSION}`, `resource-rocketmq-v${version}`]);
    });

    it("a preview of a pending change writes nothing: every object's resourceVersion is the same after it", async function () {
        this.timeout(20 * 60_000);
        await stack!.pulumiOrThrow(["config", "set", "brokerGroups", "2"]);
        const before = await resourceVersions(sandbox, namespace);
        assert.ok([...before.keys()].some((key) => key.includes(`StatefulSet ${namespace}/broker-0-master`)), [...before.keys()].join("\n"));
        const result = await stack!.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // The preview did see the change it would make.
        assert.match(result.stdout, /\+ kubernetes:apps\/v1:StatefulSet: \(create\)\n\s+\[urn=[^\]]*::mq-broker-1-master\]/);
        const after = await resourceVersions(sandbox, namespace);
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));
        assert.deepEqual(changed, []);
        await stack!.pulumiOrThrow(["config", "rm", "brokerGroups"]);
    });

    it("destroy removes every pod", async function () {
        this.timeout(20 * 60_000);
        const result = await stack!.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
    });
});
