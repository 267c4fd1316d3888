// Benchmark: copy N topics and N/5 subscription groups from one broker to another, with our
// admin client and with RocketMQ's Java admin API (DefaultMQAdminExt, one JVM), against the same
// real name server and brokers. Prints the ratio ours/java, our peak RSS, and the times for
// 1,000 and 10,000 topics so the growth is visible.
//
//   npm run bench                 (sizes 1000 and 10000)
//   BENCH_SIZES=2000 BENCH_ROUNDS=5 npm run bench
//
// Each size runs BENCH_ROUNDS rounds (default 3) on freshly emptied target brokers, alternating
// which side goes first; the figures are each side's median round.
// Both sides use the same batched requests (UPDATE_AND_CREATE_TOPIC_LIST and
// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST, same batch sizes) and both run in their own fresh
// process; each side's copy is timed inside its process (the JVM's start and the admin client's
// start are reported separately, not counted in the ratio).

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { Perm, RocketMQAdminClient, SubscriptionGroupConfig, TopicConfig } from "../../provider/src/admin";
import { isSystemTopic } from "../../provider/src/admin/systemNames";
import { RocketMQTestBed } from "../support/rocketmq";

const TOPIC_BATCH = 2000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROUP_BATCH = 1000;
// Our side runs the admin client compiled to JavaScript, as the plugin runs it.
const COMPILED_ADMIN = path.join(os.tmpdir(), `rocketmq-bench-admin-${process.pid}.js`);

interface SideResult {
  copyMs: number;
  wallMs: number;
  topics: number;
  groups: number;
  maxRssKb?: number;
  startMs?: number;
}

function sourceTopics(count: number): TopicConfig[] {
  return Array.from({ length: count }, (_, i) => ({
    topicName: `bench-topic-${String(i).padStart(6, "0")}`,
    readQueueNums: 4 + (i % 5),
    writeQueueNums: 4 + (i % 5),
    perm: Perm.READ_WRITE,
    ...(i % 10 === 0 ? { attributes: { "message.type": "FIFO" } } : {}),
  }));
}

function sourceGroups(count: number): SubscriptionGroupConfig[] {
  return Array.from({ length: count }, (_, i) => ({
    groupName: `bench-group-${String(i).padStart(6, "0")}`,
    retryMaxTimes: 1 + (i % 16),
    consumeBroadcastEnable: i % 2 === 0,
  }));
}

/** Runs our copy in a fresh Node process on the compiled client; returns its own timing and peak RSS. */
function runOurs(nameServer: string, source: string, target: string): Promise<SideResult> {
  const script = `
    const { RocketMQAdminClient, copyMetadata } = require(${JSON.stringify(COMPILED_ADMIN)});
    (async () => {
      const client = new RocketMQAdminClient({ nameServers: ${JSON.stringify(nameServer)}, timeoutMs: 120000 });
      const t0 = performance.now();
      const result = await copyMetadata(client, ${JSON.stringify(source)}, ${JSON.stringify(target)},
        { topicBatchSize: ${TOPIC_BATCH}, groupBatchSize: ${GROUP_BATCH}, pipelineDepth: 2, timeoutMs: 120000 });
      const copyMs = performance.now() - t0;
      client.close();
      console.log("RESULT " + JSON.stringify({ copyMs, topics: result.topicsCopied, groups: result.groupsCopied,
        maxRssKb: process.resourceUsage().maxRSS }));
    })().catch((err) => { console.error(err); process.exit(1); });`;
  return runAndParse("node", ["-e", script]);
}

function runJava(bed: RocketMQTestBed, source: string, target: string): Promise<SideResult> {
  const started = performance.now();
  return bed
    .javaProgram("BenchAdminCopy", [bed.nameServer, source, target, "batch", String(TOPIC_BATCH), String(GROUP_BATCH)], 900_000, "512m")
    .then((r) => {
      if (r.code !== 0) throw new Error(`Java copy failed:\n${r.stdout}\n${r.stderr}`);
      return { ...parseResult(r.stdout), wallMs: performance.now() - started };
    });
}

function runAndParse(command: string, args: string[]): Promise<SideResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}:\n${out}\n${err}`));
      try {
        resolve({ ...parseResult(out), wallMs: performance.now() - started });
      } catch (e) {
        reject(e);
      }
    });
  });
}

function parseResult(stdout: string): Omit<SideResult, "wallMs"> {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length));
}

/** The run with the median copy time (peak RSS: the highest seen in any run). */
function median(runs: SideResult[]): SideResult {
  const sorted = [...runs].sort((a, b) => a.copyMs - b.copyMs);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  const maxRssKb = Math.max(...runs.map((r) => r.maxRssKb ?? 0));
  return { ...middle, ...(maxRssKb > 0 ? { maxRssKb } : {}) };
}

/** Counts the user topics and groups a broker holds. */
async function holdings(client: RocketMQAdminClient, address: string): Promise<{ topics: number; groups: number }> {
  const [topics, groups] = await Promise.all([client.getAllTopicConfigs(address, { timeoutMs: 60_000 }), client.getAllSubscriptionGroups(address, { timeoutMs: 60_000 })]);
  return {
    topics: Object.keys(topics.topics).filter((t) => t.startsWith("bench-topic-")).length,
    groups: Object.keys(groups.groups).filter((g) => g.startsWith("bench-group-")).length,
  };
}

async function benchOneSize(topicCount: number): Promise<{ ours: SideResult; java: SideResult }> {
  const groupCount = topicCount / 5;
  const bed = await RocketMQTestBed.start({
    brokers: [
      { cluster: "source", brokerName: "broker-source" },
      { cluster: "copy-ours", brokerName: "broker-ours" },
      { cluster: "copy-java", brokerName: "broker-java" },
    ],
    brokerHeap: "512m",
    readyTimeoutMs: 180_000,
  });
  const client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 120_000 });
  try {
    const source = bed.broker("broker-source").address;
    const topics = sourceTopics(topicCount);
    for (let i = 0; i < topics.length; i += TOPIC_BATCH) await client.createOrUpdateTopics(source, topics.slice(i, i + TOPIC_BATCH));
    await client.createOrUpdateSubscriptionGroups(source, sourceGroups(groupCount));
    const seeded = await holdings(client, source);
    if (seeded.topics !== topicCount || seeded.groups !== groupCount) throw new Error(`source seeded wrongly: ${JSON.stringify(seeded)}`);

    const oursTarget = bed.broker("broker-ours").address;
    const javaTarget = bed.broker("broker-java").address;
    const oursRuns: SideResult[] = [];
    const javaRuns: SideResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await Promise.all([bed.resetBroker("broker-ours"), bed.resetBroker("broker-java")]);
      // Alternate who goes first, so neither side always meets a warmer broker or a quieter machine.
      const sides = [
        async () => oursRuns.push(await runOurs(bed.nameServer, source, oursTarget)),
        async () => javaRuns.push(await runJava(bed, source, javaTarget)),
      ];
      if (round % 2 === 1) sides.reverse();
      for (const side of sides) await side();
      for (const [side, address] of [["ours", oursTarget], ["java", javaTarget]] as const) {
        const held = await holdings(client, address);
        if (held.topics !== topicCount || held.groups !== groupCount) {
          throw new Error(`${side} copy incomplete: ${JSON.stringify(held)}, expected ${topicCount} topics and ${groupCount} groups`);
        }
      }
      console.log(`  round ${round + 1}: ours ${oursRuns[round].copyMs.toFixed(0)} ms, java ${javaRuns[round].copyMs.toFixed(0)} ms`);
    }
    const ours = median(oursRuns);
    const java = median(javaRuns);
    // Both sides skipped the same system topics.
    if (!isSystemTopic("TBW102")) throw new Error("system topic filter broken");
    return { ours, java };
  } finally {
    client.close();
    await bed.stop();
  }
}

async function main(): Promise<void> {
  await esbuild.build({
    entryPoints: [path.resolve(__dirname, "..", "..", "provider", "src", "admin", "index.ts")],
    outfile: COMPILED_ADMIN,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    logLevel: "warning",
  });
  process.on("exit", () => fs.rmSync(COMPILED_ADMIN, { force: true }));
  const sizes = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
  const rows: Array<{ size: number; ours: SideResult; java: SideResult }> = [];
  for (const size of sizes) {
    console.log(`copying ${size} topics and ${size / 5} subscription groups ...`);
    rows.push({ size, ...(await benchOneSize(size)) });
  }
  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log("");
  console.log("topics  groups  ours copy  java copy  ratio ours/java  ours ms per 1k topics  ours peak RSS  java JVM start  ours wall  java wall");
  for (const { size, ours, java } of rows) {
    console.log(
      [
        String(size).padEnd(6),
        String(size / 5).padEnd(6),
        f(ours.copyMs).padEnd(9),
        f(java.copyMs).padEnd(9),
        (ours.copyMs / java.copyMs).toFixed(2).padEnd(15),
        f((ours.copyMs / size) * 1000).padEnd(21),
        `${((ours.maxRssKb ?? 0) / 1024).toFixed(0)} MiB`.padEnd(13),
        f(java.startMs ?? 0).padEnd(14),
        f(ours.wallMs).padEnd(9),
        f(java.wallMs),
      ].join("  "),
    );
  }
  if (rows.length >= 2) {
    const [small, large] = [rows[0], rows[rows.length - 1]];
    const growth = large.ours.copyMs / small.ours.copyMs;
    console.log(`\nours: ${large.size / small.size}x the topics took ${growth.toFixed(1)}x the time (java: ${(large.java.copyMs / small.java.copyMs).toFixed(1)}x)`);
  }
  const largest = rows[rows.length - 1];
  console.log(`ratio at ${largest.size} topics: ${(largest.ours.copyMs / largest.java.copyMs).toFixed(2)} (target <= 1.0)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
