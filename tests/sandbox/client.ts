// How tests reach the sandbox cluster: start it (or reuse a running one), run kubectl against
// it, and stop it at exit when this process was the one that started it.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { toolchainEnv } from "../support/toolchain";

const sandboxScript = path.resolve(__dirname, "sandbox.sh");
const execFileAsync = promisify(execFile);

export interface Sandbox {
    kubeconfig: string;
    /** Runs kubectl against the sandbox; rejects with its stderr on a non-zero exit. */
    kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
    /** Environment with KUBECONFIG pointing at the sandbox and the toolchain on PATH. */
    env: NodeJS.ProcessEnv;
    /** Process ids of the sandbox's own processes (control plane and node agent), by name. */
    processIds(): Record<string, number>;
    /**
     * Every port-forward stream the node agent served to a pod of `namespace`, oldest first, as
     * "pod:port" (the API server relays each `pods/portforward` stream to the agent, which logs it).
     */
    portForwardStreams(namespace: string): string[];
}

let started: Promise<Sandbox> | undefined;

function runSandbox(command: string): string {
    return execFileSync("bash", [sandboxScript, command], {
        env: toolchainEnv(),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: 20 * 60_000,
    });
}

function isRunning(): boolean {
    try {
        runSandbox("status");
        return true;
    } catch {
        return false;
    }
}

/** Starts the sandbox unless it runs already; a sandbox this process started stops at exit. */
export function ensureSandbox(): Promise<Sandbox> {
    if (!started) {
        started = (async () => {
            const wasRunning = isRunning();
            runSandbox("up");
            if (!wasRunning && process.env.PULUMI_ROCKETMQ_KEEP_SANDBOX !== "1") {
                process.on("exit", () => {
                    try {
                        runSandbox("down");
                    } catch {
                        // the run is ending; the next `up` restarts a partly stopped sandbox
                    }
                });
            }
            const kubeconfig = runSandbox("kubeconfig").trim();
            const env = { ...toolchainEnv(), KUBECONFIG: kubeconfig };
            const runDir = path.join(path.dirname(kubeconfig), "run");
            const agentLog = path.join(path.dirname(kubeconfig), "logs", "agent.log");
            return {
                kubeconfig,
                env,
                processIds() {
                    const ids: Record<string, number> = {};
                    for (const file of fs.readdirSync(runDir).filter((f) => f.endsWith(".pid"))) {
                        ids[file.replace(/\.pid$/, "")] = Number(fs.readFileSync(path.join(runDir, file), "utf8").trim());
                    }
                    return ids;
                },
                portForwardStreams(namespace) {
                    const streams: string[] = [];
                    const line = /^agent: port-forward stream \d+ to ([^/\s]+)\/(\S+) port (\d+)$/gm;
                    for (const match of fs.readFileSync(agentLog, "utf8").matchAll(line)) {
                        if (match[1] === namespace) streams.push(`${match[2]}:${match[3]}`);
                    }
                    return streams;
                },
                async kubectl(args, options = {}) {
                    const child = execFileAsync("kubectl", args, {
                        env,
                        encoding: "utf8",
                        timeout: options.timeoutMs ?? 120_000,
                        maxBuffer: 64 * 1024 * 1024,
                    });
                    if (options.input !== undefined) {
                        child.child.stdin?.end(options.input);
                    }
                    try {
                        return (await child).stdout;
                    } catch (err) {
                        const e = err as { stderr?: string; message: string };
                        throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}`, { cause: err });
                    }
                },
            };
        })();
    }
    return started;
}
