// Drives the real pulumi CLI against a program directory with a throwaway local file backend,
// as a user would from a shell: preview, up, refresh, destroy, stack outputs.
import { spawn } from "child_process";
import * as fs from "fs";
import { toolchainBin, toolchainEnv } from "./toolchain";
import { scratchDir } from "./scratch";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface StackOptions {
    /** Program directory holding Pulumi.yaml. */
    programDir: string;
    stackName?: string;
    /** Extra environment, e.g. KUBECONFIG. */
    env?: NodeJS.ProcessEnv;
    /** Stack config values (`pulumi config set`). */
    config?: Record<string, string>;
}

export class PulumiTestStack {
    readonly stackName: string;
    private readonly backendDir: string;
    private readonly env: NodeJS.ProcessEnv;

    private constructor(private readonly options: StackOptions) {
        this.stackName = options.stackName ?? "e2e";
        this.backendDir = scratchDir("rocketmq-e2e-state-");
        this.env = {
            ...toolchainEnv(),
            ...options.env,
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-test-stack",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            NO_COLOR: "1",
        };
    }

    static async create(options: StackOptions): Promise<PulumiTestStack> {
        const stack = new PulumiTestStack(options);
        await stack.pulumiOrThrow(["stack", "init", "--non-interactive"]);
        for (const [key, value] of Object.entries(options.config ?? {})) {
            await stack.pulumiOrThrow(["config", "set", key, value]);
        }
        return stack;
    }

    /** Runs `pulumi ARGS` in the program directory, `env` over the stack's; never throws on a non-zero exit. */
    pulumi(args: string[], timeoutMs = 20 * 60_000, env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(toolchainBin("pulumi"), [...args, "--stack", this.stackName], {
                cwd: this.options.programDir,
                env: { ...this.env, ...env },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs);
            child.once("error", reject);
            child.once("close", (code) => {
                clearTimeout(timer);
                resolve({ code: code ?? -1, stdout, stderr });
            });
        });
    }

    async pulumiOrThrow(args: string[], timeoutMs?: number): Promise<CommandResult> {
        const result = await this.pulumi(args, timeoutMs);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
        }
        return result;
    }

    preview(extra: string[] = []): Promise<CommandResult> {
        return this.pulumi(["preview", "--non-interactive", "--diff", ...extra]);
    }

    up(extra: string[] = []): Promise<CommandResult> {
        return this.pulumi(["up", "--yes", "--non-interactive", "--skip-preview", ...extra]);
    }

    /** `env` replaces variables of the stack's environment for this run only (e.g. another KUBECONFIG). */
    refresh(extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
        return this.pulumi(["refresh", "--yes", "--non-interactive", ...extra], undefined, env);
    }

    destroy(): Promise<CommandResult> {
        return this.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    }

    async outputs(): Promise<Record<string, unknown>> {
        const result = await this.pulumiOrThrow(["stack", "output", "--json", "--show-secrets"]);
        return JSON.parse(result.stdout) as Record<string, unknown>;
    }

    /** The URN types of every resource in the stack's state. */
    async resourceTypes(): Promise<string[]> {
        const result = await this.pulumiOrThrow(["stack", "export"]);
        const deployment = JSON.parse(result.stdout) as { deployment?: { resources?: { type: string }[] } };
        return (deployment.deployment?.resources ?? []).map((resource) => resource.type);
    }

    /** Removes the stack and its local backend. */
    async remove(): Promise<void> {
        await this.pulumi(["stack", "rm", "--yes", "--force", "--non-interactive"]);
        fs.rmSync(this.backendDir, { recursive: true, force: true });
    }
}
