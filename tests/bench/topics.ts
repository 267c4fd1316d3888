// Benchmark: `pulumi up` of a YAML program declaring 1, 10 and 100 Topics (the real pulumi CLI, the
// built plugin, a real name server and broker on loopback), and `pulumi refresh` of the 100.
//
//   node -r ts-node/register tests/bench/topics.ts          (after npm run build)
//   BENCH_TOPIC_COUNTS=1,10 node -r ts-node/register tests/bench/topics.ts

import * as fs from "node:fs";
import * as path from "node:path";
import { pluginDir } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { RocketMQTestBed } from "../support/rocketmq";
import { scratchDir } from "../support/scratch";

const counts = (process.env.BENCH_TOPIC_COUNTS ?? "1,10,100").split(",").map(Number);
const cluster = "benchCluster";

function program(count: number): string {
    const dir = scratchDir(`rocketmq-bench-topics-${count}-`);
    const topics = Array.from({ length: count }, (_, i) => `  t${i}:\n    type: rocketmq:index:Topic\n    properties:\n      name: bench-${count}-${i}\n      clusterName: \${cluster}\n      nameServerAddresses: \${nameServers}\n`);
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        `name: bench-topics-${count}\nruntime: yaml\nplugins:\n  providers:\n    - name: rocketmq\n      path: ${pluginDir}\nconfig:\n  nameServers:\n    type: string\n  cluster:\n    type: string\nresources:\n${topics.join("")}`,
    );
    return dir;
}

async function timed<T extends { code: number; stdout: string; stderr: string }>(what: string, run: () => Promise<T>): Promise<number> {
    const started = Date.now();
    const result = await run();
    if (result.code !== 0) throw new Error(`${what} failed:\n${result.stdout}\n${result.stderr}`);
    return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
    const bed = await RocketMQTestBed.start({ brokers: [{ cluster, brokerName: "bench-broker" }], readyTimeoutMs: 240_000, jit: "full" });
    try {
        for (const count of counts) {
            const stack = await PulumiTestStack.create({ programDir: program(count), config: { nameServers: bed.nameServer, cluster } });
            try {
                const up = await timed(`up of ${count}`, () => stack.up());
                const refresh = count === Math.max(...counts) ? await timed(`refresh of ${count}`, () => stack.refresh()) : undefined;
                const destroy = await timed(`destroy of ${count}`, () => stack.destroy());
                process.stderr.write(`${count} topics: up ${up.toFixed(1)} s${refresh === undefined ? "" : `, refresh ${refresh.toFixed(1)} s`}, destroy ${destroy.toFixed(1)} s\n`);
            } finally {
                await stack.remove();
            }
        }
    } finally {
        await bed.stop();
    }
}

main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
});
