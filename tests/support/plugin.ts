// Starts the built plugin the way the engine does and talks to it over gRPC.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import * as grpc from "@grpc/grpc-js";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const pluginExecutable = path.join(repoRoot, "provider", "cmd", "pulumi-resource-rocketmq");
/** What `npm run build` writes: the bundled plugin, an entry the launcher runs and the chunks it loads on use. */
export const pluginBundleDir = path.join(repoRoot, "provider", "bin");
export const pluginBundle = path.join(pluginBundleDir, "pulumi-resource-rocketmq.mjs");

export interface RunningPlugin {
    process: ChildProcess;
    port: number;
    client: providerGrpc.ResourceProviderClient;
    stop(): Promise<void>;
}

/** Launches the plugin and resolves once it has printed its port, as the engine expects. */
export async function startPlugin(timeoutMs = 20_000, executable = pluginExecutable, env = process.env): Promise<RunningPlugin> {
    const child = spawn(executable, [], { stdio: ["ignore", "pipe", "pipe"], env });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`plugin printed no port in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const lines = readline.createInterface({ input: child.stdout! });
        lines.once("line", (line) => {
            clearTimeout(timer);
            const parsed = Number(line.trim());
            if (Number.isInteger(parsed) && parsed > 0) resolve(parsed);
            else reject(new Error(`plugin's first stdout line is not a port: ${JSON.stringify(line)}`));
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`plugin exited with ${code} before printing its port; stderr: ${stderr}`));
        });
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        process: child,
        port,
        client,
        async stop() {
            client.close();
            if (child.exitCode === null) {
                const exited = new Promise((resolve) => child.once("exit", resolve));
                child.kill("SIGTERM");
                await exited;
            }
        },
    };
}

/** Promise form of a unary gRPC call on the provider client. */
export function unary<Req, Res>(
    call: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
    request: Req,
): Promise<Res> {
    return new Promise((resolve, reject) => {
        call(request, (error, response) => (error ? reject(error) : resolve(response)));
    });
}
