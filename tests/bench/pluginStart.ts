// Benchmark: how fast the plugin is ready for the engine (launch to the port on stdout), beside
// the Go kubernetes plugin of the toolchain and a bare `node -e 0`, and its memory once it has
// served the schema. Both plugins get the address of a listening engine stand-in, as the engine
// passes its own. Rounds alternate the order; prints medians measured in this one run.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { pluginExecutable, startPlugin, unary } from "../support/plugin";
import { toolchainBin, toolchainEnv } from "../support/toolchain";

const RUNS = Number(process.env.BENCH_START_RUNS ?? 21);

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
}

/** CPU time (user and system, every thread) a process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
    // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name; clock ticks of 10 ms.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * From launch to the first line on stdout (the port): the wall time, and the CPU time the process
 * used, which other work on a shared machine disturbs less. The process is stopped after.
 */
function toPort(executable: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number }> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(executable, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        let measured: { ms: number; cpuMs: number } | undefined;
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        readline.createInterface({ input: child.stdout }).once("line", (line) => {
            measured = { ms: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: cpuMs(child.pid!) };
            if (!(Number(line) > 0)) reject(new Error(`${executable} printed ${JSON.stringify(line)} instead of a port`));
            child.kill("SIGINT");
        });
        child.once("error", reject);
        child.once("exit", (code) => (measured ? resolve(measured) : reject(new Error(`${executable} exited ${code} before a port: ${stderr}`))));
    });
}

async function main(): Promise<void> {
    const env = toolchainEnv();
    const kubernetesPlugin = toolchainBin("pulumi-resource-kubernetes");
    // The node the launcher runs: the first on the toolchain's PATH.
    const node = spawnSync("bash", ["-c", "command -v node"], { env, encoding: "utf8" }).stdout.trim();
    const nodeVersion = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();

    // Something listening where the engine would be: the Go plugin dials it at start.
    const engine = new grpc.Server();
    const enginePort = await new Promise<number>((resolve, reject) =>
        engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    const engineAddress = `127.0.0.1:${enginePort}`;

    const ours: { ms: number; cpuMs: number }[] = [];
    const go: { ms: number; cpuMs: number }[] = [];
    const bareNode: number[] = [];
    for (let run = 0; run < RUNS; run++) {
        const sides = [
            async () => ours.push(await toPort(pluginExecutable, [engineAddress], env)),
            async () => go.push(await toPort(kubernetesPlugin, [engineAddress], env)),
            async () => {
                const started = process.hrtime.bigint();
                spawnSync(node, ["-e", "0"], { env });
                bareNode.push(Number(process.hrtime.bigint() - started) / 1e6);
            },
        ];
        if (run % 2 === 1) sides.reverse();
        for (const side of sides) await side();
    }
    engine.forceShutdown();

    const rss: number[] = [];
    for (let run = 0; run < 3; run++) {
        const plugin = await startPlugin(20_000, pluginExecutable, env);
        await unary(plugin.client.getSchema.bind(plugin.client), new providerProto.GetSchemaRequest());
        rss.push(rssMiB(plugin.process.pid!));
        await plugin.stop();
    }

    const [oursMs, goMs, nodeMs] = [median(ours.map((run) => run.ms)), median(go.map((run) => run.ms)), median(bareNode)];
    const [oursCpuMs, goCpuMs] = [median(ours.map((run) => run.cpuMs)), median(go.map((run) => run.cpuMs))];
    console.log(`plugin start to port (node ${nodeVersion}), median of ${RUNS}; CPU time to the port beside it:`);
    console.log(`  pulumi-resource-rocketmq:   ${oursMs.toFixed(0)} ms (CPU ${oursCpuMs} ms)`);
    console.log(`  pulumi-resource-kubernetes: ${goMs.toFixed(0)} ms (CPU ${goCpuMs} ms, Go)`);
    console.log(`  node -e 0:                  ${nodeMs.toFixed(0)} ms`);
    console.log(`ratio rocketmq / kubernetes plugin: ${(oursMs / goMs).toFixed(2)} (target <= 1.5); CPU time: ${(oursCpuMs / goCpuMs).toFixed(2)}`);
    console.log(`ratio rocketmq / bare node: ${(oursMs / nodeMs).toFixed(2)}`);
    console.log(`plugin RSS after GetSchema: median ${median(rss).toFixed(1)} MiB`);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
