// Benchmark: `pulumi preview` of the example cluster (the root Pulumi.yaml, one RocketMQCluster
// built by this provider's construct) beside a plain YAML program that declares the very same
// Kubernetes objects with the kubernetes provider alone. The plain program is written from the
// objects the example's preview plans, so both ask the kubernetes provider for the same work;
// a second plain program also declares the component's ordering (dependsOn). The example runs
// twice: as committed (the plugin loaded by its path in this repository), and as a user has it,
// the plugin installed from its archive (`npm run package`, `pulumi plugin install --file`) and the
// same program without the plugin path. Rounds alternate the order of the programs; prints each
// median and the ratios, measured in this one run.
//
//   BENCH_PREVIEW_ROUNDS=7 npm run bench
//
// Cluster: $KUBECONFIG when set, else the sandbox's when it runs, else none (the kubernetes
// provider then previews without a cluster); the line "cluster:" says which.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { toolchainBin, toolchainEnv } from "../support/toolchain";
import { scratchDir } from "../support/scratch";
import { BenchProgram, clusterKubeconfig, median } from "./pulumiBench";

const ROUNDS = Number(process.env.BENCH_PREVIEW_ROUNDS ?? 5);

interface PreviewStep {
    op: string;
    urn: string;
    newState?: { type: string; inputs?: Record<string, unknown>; dependencies?: string[] };
}

/**
 * The example as a user runs it: a Pulumi home holding the plugin installed from its archive and
 * the kubernetes plugin, and the root program without its `plugins` section (the engine finds the
 * installed plugin by name).
 */
function installedPluginProgram(kubeconfig: string): BenchProgram {
    const scratch = scratchDir("rocketmq-bench-installed-");
    const run = (command: string, args: string[], env: NodeJS.ProcessEnv) => {
        const result = spawnSync(command, args, { cwd: repoRoot, env, encoding: "utf8" });
        if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
    };
    const env: NodeJS.ProcessEnv = { ...toolchainEnv(), PULUMI_HOME: path.join(scratch, "pulumi-home") };
    const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8")).version;
    const platform = `${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
    run("bash", [path.join(repoRoot, "scripts", "package.sh"), path.join(scratch, "dist")], env);
    run(toolchainBin("pulumi"), ["plugin", "install", "resource", "rocketmq", version, "--file", path.join(scratch, "dist", `pulumi-resource-rocketmq-v${version}-${platform}.tar.gz`)], env);
    const kubernetesVersion = env.KUBERNETES_PROVIDER_VERSION!;
    const kubernetesPlugin = path.join(env.PULUMI_ROCKETMQ_CACHE!, `pulumi-kubernetes-${kubernetesVersion}`, "bin", "pulumi-resource-kubernetes");
    run(toolchainBin("pulumi"), ["plugin", "install", "resource", "kubernetes", kubernetesVersion, "--file", kubernetesPlugin], env);
    const dir = copyProgram(repoRoot);
    const project = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    const withoutPluginPath = project.replace(/^plugins:\n(?:[ \t]+.*\n)+/m, "");
    if (withoutPluginPath === project) throw new Error("the root Pulumi.yaml has no plugins section to leave out");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), withoutPluginPath);
    return new BenchProgram(dir, kubeconfig, { pulumiHome: env.PULUMI_HOME });
}

/** YAML for a value; JSON is YAML, and quoting every string keeps `${...}` and numbers-as-strings literal. */
function yamlValue(value: unknown): string {
    return JSON.stringify(value, (_key, v) => (typeof v === "string" ? v.replace(/\$\{/g, () => "$${") : v));
}

/**
 * The plain program: every Kubernetes object the example's preview plans, as its own resource.
 * With `ordered`, each also depends on the objects the component made it depend on (brokers after
 * the name servers), as a hand-written program that deploys in the same order would.
 */
function plainProgramFrom(steps: PreviewStep[], ordered: boolean): { text: string; objects: number } {
    const objects = steps.filter((step) => step.newState?.type.startsWith("kubernetes:"));
    if (objects.length === 0) throw new Error("the example's preview planned no Kubernetes objects");
    // A Service and a StatefulSet may share a name in the component: the kind keeps them apart.
    const nameOf = (urn: string) => {
        const type = urn.split("::")[2] ?? "";
        return `${type.slice(type.lastIndexOf(":") + 1)}-${urn.slice(urn.lastIndexOf("::") + 2)}`;
    };
    const declared = new Set(objects.map((step) => step.urn));
    const lines = [`name: rocketmq-bench-plain${ordered ? "-ordered" : ""}`, "runtime: yaml", "resources:"];
    for (const step of objects) {
        const inputs = step.newState!.inputs ?? {};
        if (JSON.stringify(inputs).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9")) {
            throw new Error(`${step.urn}: the preview left an input unknown; the plain program cannot declare it`);
        }
        lines.push(`  ${JSON.stringify(nameOf(step.urn))}:`, `    type: ${step.newState!.type}`, `    properties: ${yamlValue(inputs)}`);
        const dependencies = (step.newState!.dependencies ?? []).filter((urn) => declared.has(urn));
        if (ordered && dependencies.length > 0) {
            lines.push(`    options:`, `      dependsOn: ${JSON.stringify(dependencies.map((urn) => `\${${nameOf(urn)}}`))}`);
        }
    }
    return { text: lines.join("\n") + "\n", objects: objects.length };
}

function main(): void {
    const { kubeconfig, label } = clusterKubeconfig();
    console.log(`pulumi preview, example cluster (root Pulumi.yaml) beside plain YAML programs of the same Kubernetes objects`);
    console.log(`cluster: ${label}`);

    const example = new BenchProgram(copyProgram(repoRoot), kubeconfig);
    // The first preview also warms the file system cache and the compile cache.
    const planned = JSON.parse(example.pulumi(["preview", "--non-interactive", "--stack", "bench", "--json"]).stdout) as { steps: PreviewStep[] };
    const plainProgram = (ordered: boolean) => {
        const dir = scratchDir("rocketmq-bench-plain-");
        const { text, objects } = plainProgramFrom(planned.steps, ordered);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), text);
        const program = new BenchProgram(dir, kubeconfig);
        program.preview();
        return { program, objects };
    };
    const installed = installedPluginProgram(kubeconfig);
    installed.preview();
    const plain = plainProgram(false);
    const ordered = plainProgram(true);
    console.log(`example: ${planned.steps.length} resources planned, ${plain.objects} of them Kubernetes objects; each plain program declares those ${plain.objects}`);

    const programs = [
        { label: "example cluster", program: example, ms: [] as number[] },
        { label: "example, plugin installed", program: installed, ms: [] as number[] },
        { label: "plain YAML", program: plain.program, ms: [] as number[] },
        { label: "plain YAML, same dependsOn", program: ordered.program, ms: [] as number[] },
    ];
    for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? programs : [...programs].reverse();
        for (const entry of order) entry.ms.push(entry.program.preview());
        console.log(`  round ${round + 1}: ${programs.map((entry) => `${entry.label} ${entry.ms[round].toFixed(0)} ms`).join(", ")}`);
    }
    const [exampleMedian, installedMedian, plainMedian, orderedMedian] = programs.map((entry) => median(entry.ms));
    for (const entry of programs) console.log(`${(entry.label + ":").padEnd(28)} median ${median(entry.ms).toFixed(0)} ms of ${ROUNDS}`);
    console.log(`ratio example / plain YAML: ${(exampleMedian / plainMedian).toFixed(2)} (target <= 1.5)`);
    console.log(`ratio example with the plugin installed / plain YAML: ${(installedMedian / plainMedian).toFixed(2)} (target <= 1.5)`);
    console.log(`ratio example / plain YAML with the same dependsOn: ${(exampleMedian / orderedMedian).toFixed(2)}`);
}

main();
