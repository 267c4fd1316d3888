// What the preview benches share: a Pulumi program with its own stack in its own local backend,
// previewed with the toolchain's pulumi, against the cluster the bench finds.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../support/plugin";
import { scratchDir } from "../support/scratch";
import { toolchainBin, toolchainEnv } from "../support/toolchain";

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** $KUBECONFIG when set, else the sandbox's when it runs, else none (the kubernetes provider then previews offline). */
export function clusterKubeconfig(): { kubeconfig: string; label: string } {
    if (process.env.KUBECONFIG) return { kubeconfig: process.env.KUBECONFIG, label: `KUBECONFIG ${process.env.KUBECONFIG}` };
    const sandbox = spawnSync("bash", [path.join(repoRoot, "tests", "sandbox", "sandbox.sh"), "kubeconfig"], { encoding: "utf8" });
    const sandboxKubeconfig = sandbox.stdout.trim();
    const status = spawnSync("bash", [path.join(repoRoot, "tests", "sandbox", "sandbox.sh"), "status"], { encoding: "utf8" });
    if (sandbox.status === 0 && status.status === 0 && fs.existsSync(sandboxKubeconfig)) {
        return { kubeconfig: sandboxKubeconfig, label: `the sandbox (${sandboxKubeconfig})` };
    }
    const none = path.join(os.tmpdir(), "rocketmq-bench-no-cluster", "kubeconfig");
    return { kubeconfig: none, label: "none (the kubernetes provider previews offline)" };
}

/** A program directory with its own stack in its own local backend. */
export class BenchProgram {
    private readonly env: NodeJS.ProcessEnv;

    constructor(readonly dir: string, kubeconfig: string, options: { pulumiHome?: string; env?: NodeJS.ProcessEnv } = {}) {
        const backend = scratchDir("rocketmq-bench-state-");
        this.env = {
            ...toolchainEnv(),
            ...(options.pulumiHome ? { PULUMI_HOME: options.pulumiHome } : {}),
            ...options.env,
            KUBECONFIG: kubeconfig,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: "bench",
            NO_COLOR: "1",
        };
        this.pulumi(["stack", "init", "bench", "--non-interactive"]);
    }

    pulumi(args: string[]): { stdout: string; ms: number } {
        const started = process.hrtime.bigint();
        const result = spawnSync(toolchainBin("pulumi"), args, { cwd: this.dir, env: this.env, encoding: "utf8", maxBuffer: 64 << 20 });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} in ${this.dir} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
        }
        return { stdout: result.stdout, ms };
    }

    preview(): number {
        return this.pulumi(["preview", "--non-interactive", "--stack", "bench"]).ms;
    }
}

