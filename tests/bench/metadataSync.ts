// Benchmark: the metadata sync rocketmq:index:BrokerScaling runs when broker groups join (copy every
// topic and subscription group of the scale source to the new groups), beside RocketMQ's Java admin
// API (DefaultMQAdminExt, one JVM) copying the same, against the same real name server and brokers
// on loopback. For each size it copies to one new (empty) broker group and to two at once, and
// prints each side's time, the ratios with their targets, our peak RSS, and the CPU our copies keep
// busy, with the least time two copies at once can take on this machine's cores.
//
//   npm run bench                                   (sizes 500 and 10000 topics, 5 rounds each)
//   BENCH_SIZES=500 BENCH_ROUNDS=1 node -r ts-node/register tests/bench/metadataSync.ts   (after npm run build)
//
// A size of N topics comes with N/5 subscription groups. Each round copies to freshly emptied
// target groups (restarted on empty stores, then left to settle), alternating which side goes
// first; the figures are each side's median round.
//
// Our side is BrokerScaling's create in the built plugin (provider/cmd/pulumi-resource-rocketmq, the
// compiled JavaScript the engine runs), freshly started for each copy and called over gRPC as the
// engine calls it: it opens the cluster connection (direct on loopback), waits for the groups'
// masters, then copies to every new group (ops/scaling/metadataSync.ts). The Java side reads
// the source once and copies to each target in turn, the synchronous admin API's natural way. Both
// send the same batched requests (UPDATE_AND_CREATE_TOPIC_LIST, UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST,
// same batch sizes). Our copy is timed from the Create request to its answer, Java's inside its JVM;
// the plugin's start and the JVM's with its admin client's are reported apart, not counted in the ratio.

import * as fs from "node:fs";
import * as os from "node:os";
import * as readline from "node:readline";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Perm, RocketMQAdminClient, SubscriptionGroupConfig, TopicConfig } from "../../provider/src/admin";
import { brokerScalingToken } from "../../provider/src/inputs/brokerScaling";
import { pluginBundle, startPlugin, unary } from "../support/plugin";
import { RocketMQTestBed } from "../support/rocketmq";

const SIZES = (process.env.BENCH_SIZES ?? "500,10000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
// The Java side's batches: the sizes admin/metadataCopy.ts sends by default.
const TOPIC_BATCH = 2000;
const GROUP_BATCH = 1000;
const CLUSTER = "bench";
const SOURCE = "broker-source";
const TARGETS = { ours: ["broker-ours-1", "broker-ours-2"], java: ["broker-java-1", "broker-java-2"] } as const;
type Side = keyof typeof TARGETS;
const TARGET_COUNTS = [1, 2] as const;
const ONE_TARGET_RATIO_TARGET = 1.0;
const TWO_TARGETS_RATIO_TARGET = 1.3;

interface SideResult {
  copyMs: number;
  /** Before the copy, not counted: the plugin's start to its port, or the JVM's with its admin client. */
  startMs: number;
  maxRssKb?: number;
  /** CPU time the target brokers used while this side ran. */
  targetBrokerCpuMs?: number;
  /** Ours: CPU time the plugin, the name server and every broker used during the copy. */
  copyCpuMs?: number;
  /** Java's copy to each target, one after the other. */
  targetMs?: number[];
  /** Our side's engine-log lines, with the second of the copy they came at. */
  log?: string[];
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

/** BrokerScaling's create for the source and `targets`, by a freshly started plugin over gRPC; returns the create's time, the plugin's peak RSS and its progress lines. */
async function runOurs(nameServer: string, targets: readonly string[], testBedPids: number[]): Promise<SideResult> {
  const launched = performance.now();
  const plugin = await startPlugin(60_000);
  const startMs = performance.now() - launched;
  // With no engine to send them to, the plugin writes its engine-log lines to stderr.
  const log: string[] = [];
  let began = 0;
  readline.createInterface({ input: plugin.process.stderr! }).on("line", (line) => log.push(`[${((performance.now() - began) / 1000).toFixed(2)} s] ${line}`));
  try {
    const urn = `urn:pulumi:bench::bench::${brokerScalingToken}::sync`;
    const check = new providerProto.CheckRequest();
    check.setUrn(urn);
    check.setType(brokerScalingToken);
    check.setOlds(Struct.fromJavaScript({}));
    check.setNews(Struct.fromJavaScript({ clusterName: CLUSTER, brokerNames: [SOURCE, ...targets], nameServerAddresses: nameServer, connection: "direct" }));
    const checked = await unary<providerProto.CheckRequest, providerProto.CheckResponse>(plugin.client.check.bind(plugin.client), check);
    if (checked.getFailuresList().length > 0) throw new Error(`check failed: ${checked.getFailuresList().map((f) => `${f.getProperty()} ${f.getReason()}`).join("; ")}`);
    const create = new providerProto.CreateRequest();
    create.setUrn(urn);
    create.setType(brokerScalingToken);
    create.setProperties(checked.getInputs());
    const pids = [plugin.process.pid!, ...testBedPids];
    const cpuBefore = pids.map(cpuMs);
    began = performance.now();
    await unary<providerProto.CreateRequest, providerProto.CreateResponse>(plugin.client.create.bind(plugin.client), create);
    const copyMs = performance.now() - began;
    const copyCpuMs = pids.reduce((sum, pid, i) => sum + cpuMs(pid) - cpuBefore[i], 0);
    return { copyMs, startMs, maxRssKb: peakRssKb(plugin.process.pid!), copyCpuMs, log };
  } finally {
    await plugin.stop();
  }
}

function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

function runJava(bed: RocketMQTestBed, targets: readonly string[]): Promise<SideResult> {
  const addresses = targets.map((name) => bed.broker(name).address).join(",");
  return bed.javaProgram("BenchAdminCopy", [bed.nameServer, bed.broker(SOURCE).address, addresses, String(TOPIC_BATCH), String(GROUP_BATCH)], 900_000, "512m").then((r) => {
    if (r.code !== 0) throw new Error(`Java copy failed:\n${r.stdout}\n${r.stderr}`);
    return parseResult(r.stdout);
  });
}

function parseResult(stdout: string): SideResult {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length));
}

/** The round with the median copy time (peak RSS: the highest of any round). */
function median(runs: SideResult[]): SideResult {
  const sorted = [...runs].sort((a, b) => a.copyMs - b.copyMs);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  const maxRssKb = Math.max(...runs.map((r) => r.maxRssKb ?? 0));
  return { ...middle, ...(maxRssKb > 0 ? { maxRssKb } : {}) };
}

/** Throws unless the broker holds exactly the benchmark's topics and groups. */
async function checkHoldings(client: RocketMQAdminClient, bed: RocketMQTestBed, name: string, topics: number, groups: number): Promise<void> {
  const address = bed.broker(name).address;
  const [topicTable, groupTable] = await Promise.all([client.getAllTopicConfigs(address, { timeoutMs: 60_000 }), client.getAllSubscriptionGroups(address, { timeoutMs: 60_000 })]);
  const held = {
    topics: Object.keys(topicTable.topics).filter((t) => t.startsWith("bench-topic-")).length,
    groups: Object.keys(groupTable.groups).filter((g) => g.startsWith("bench-group-")).length,
  };
  if (held.topics !== topics || held.groups !== groups) {
    throw new Error(`${name} holds ${held.topics} topics and ${held.groups} groups, expected ${topics} and ${groups}`);
  }
}

/** CPU time (user and system, every thread) a process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name; clock ticks of 10 ms.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The test bed's JVMs as they run now: resetting a broker restarts its JVM. */
function testBedPids(bed: RocketMQTestBed): number[] {
  return [bed.nameServerJvm, ...[...bed.brokers.values()].map((broker) => broker.process)].map((child) => child!.pid!);
}

/**
 * Waits until the test bed's JVMs are idle (together under a tenth of a core for a second, at most
 * 30 s): a restarted broker compiles and warms up for seconds after it registers, and would slow
 * whichever side's copy comes right after it.
 */
async function settled(bed: RocketMQTestBed): Promise<void> {
  const pids = testBedPids(bed);
  const total = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (let waited = 0; waited < 30; waited++) {
    const before = total();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (total() - before < 100) return;
  }
}

type SizeResult = Record<Side, Record<(typeof TARGET_COUNTS)[number], SideResult>>;

async function benchOneSize(topicCount: number): Promise<SizeResult> {
  const groupCount = topicCount / 5;
  const bed = await RocketMQTestBed.start({
    brokers: [SOURCE, ...TARGETS.ours, ...TARGETS.java].map((brokerName) => ({ cluster: CLUSTER, brokerName })),
    brokerHeap: "512m",
    readyTimeoutMs: 180_000,
    // Brokers and the Java admin client compile as in production: both sides' speed is measured.
    jit: "full",
  });
  const client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 120_000 });
  try {
    const source = bed.broker(SOURCE).address;
    const topics = sourceTopics(topicCount);
    for (let i = 0; i < topics.length; i += TOPIC_BATCH) await client.createOrUpdateTopics(source, topics.slice(i, i + TOPIC_BATCH));
    await client.createOrUpdateSubscriptionGroups(source, sourceGroups(groupCount));
    await checkHoldings(client, bed, SOURCE, topicCount, groupCount);

    const runs: Record<Side, Record<number, SideResult[]>> = { ours: { 1: [], 2: [] }, java: { 1: [], 2: [] } };
    const run = { ours: (targets: readonly string[]) => runOurs(bed.nameServer, targets, testBedPids(bed)), java: (targets: readonly string[]) => runJava(bed, targets) };
    let used: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const count of TARGET_COUNTS) {
        await Promise.all(used.map((name) => bed.resetBroker(name)));
        await settled(bed);
        // Alternate who goes first, so neither side always meets a warmer broker or a quieter machine.
        const sides: Side[] = (round + count) % 2 === 0 ? ["ours", "java"] : ["java", "ours"];
        for (const side of sides) {
          const targets = TARGETS[side].slice(0, count);
          const brokerCpuBefore = targets.map((name) => cpuMs(bed.broker(name).process!.pid!));
          const result = await run[side](targets);
          result.targetBrokerCpuMs = targets.reduce((sum, name, i) => sum + cpuMs(bed.broker(name).process!.pid!) - brokerCpuBefore[i], 0);
          runs[side][count].push(result);
          for (const name of targets) await checkHoldings(client, bed, name, topicCount, groupCount);
        }
        used = [...TARGETS.ours.slice(0, count), ...TARGETS.java.slice(0, count)];
        const [ours, java] = [runs.ours[count][round], runs.java[count][round]];
        console.log(
          `  round ${round + 1}, ${count} target(s): ours ${ours.copyMs.toFixed(0)} ms, java ${java.copyMs.toFixed(0)} ms; target brokers' CPU ours ${ours.targetBrokerCpuMs} ms, java ${java.targetBrokerCpuMs} ms`,
        );
      }
    }
    console.log(`  our engine log, first round, two targets:`);
    for (const line of runs.ours[2][0].log ?? []) console.log(`    ${line}`);
    return {
      ours: { 1: median(runs.ours[1]), 2: median(runs.ours[2]) },
      java: { 1: median(runs.java[1]), 2: median(runs.java[2]) },
    };
  } finally {
    client.close();
    await bed.stop();
  }
}

function verdict(ratio: number, target: number): string {
  return `${ratio.toFixed(2)} (target <= ${target.toFixed(1)}) ${ratio <= target ? "PASS" : "FAIL"}`;
}

async function main(): Promise<void> {
  if (!fs.existsSync(pluginBundle)) throw new Error(`${pluginBundle} is missing: run npm run build first`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the start`);
  const rows: Array<{ size: number; result: SizeResult }> = [];
  for (const size of SIZES) {
    console.log(`syncing ${size} topics and ${size / 5} subscription groups to one and to two new broker groups, ${ROUNDS} round(s) ...`);
    rows.push({ size, result: await benchOneSize(size) });
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const mib = (kb?: number) => `${((kb ?? 0) / 1024).toFixed(0)} MiB`;
  console.log(`\nmetadata sync (BrokerScaling) beside the Java admin API's batched copy, medians of ${ROUNDS} round(s):`);
  for (const { size, result } of rows) {
    const { ours, java } = result;
    console.log(`${size} topics + ${size / 5} subscription groups:`);
    console.log(`  ours, one target:    ${ms(ours[1].copyMs).padEnd(9)} (plugin start to its port ${ms(ours[1].startMs)}, not counted)`);
    console.log(`  ours, two targets:   ${ms(ours[2].copyMs).padEnd(9)} (at once)`);
    console.log(`  java, one target:    ${ms(java[1].copyMs).padEnd(9)} (JVM and admin client start ${ms(java[1].startMs)}, not counted)`);
    console.log(`  java, two targets:   ${ms(java[2].copyMs).padEnd(9)} (one after the other: ${(java[2].targetMs ?? []).map(ms).join(" + ")}, source read once)`);
    console.log(`  ratio ours/java, one target:            ${verdict(ours[1].copyMs / java[1].copyMs, ONE_TARGET_RATIO_TARGET)}`);
    console.log(`  ratio ours two targets / ours one:      ${verdict(ours[2].copyMs / ours[1].copyMs, TWO_TARGETS_RATIO_TARGET)}`);
    console.log(`  ours peak RSS: ${mib(ours[1].maxRssKb)} one target, ${mib(ours[2].maxRssKb)} two targets`);
    console.log(`  target brokers' CPU time in the median rounds: ours ${ms(ours[1].targetBrokerCpuMs!)} one target, ${ms(ours[2].targetBrokerCpuMs!)} two; java ${ms(java[1].targetBrokerCpuMs!)}, ${ms(java[2].targetBrokerCpuMs!)}`);
    // The copy's processes share this machine's cores: two targets at once cannot take less than
    // their CPU time spread over every core, whatever the code does.
    const cores = os.cpus().length;
    const [one, two] = [ours[1].copyCpuMs!, ours[2].copyCpuMs!];
    console.log(`  ours, CPU of the plugin, name server and brokers during the copy: one target ${ms(one)} (${(one / ours[1].copyMs).toFixed(2)} cores busy), two ${ms(two)} (${(two / ours[2].copyMs).toFixed(2)} cores busy)`);
    console.log(`  so on ${cores} cores two targets take at least ${ms(two / cores)}: two/one >= ${(two / cores / ours[1].copyMs).toFixed(2)} on this machine`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
