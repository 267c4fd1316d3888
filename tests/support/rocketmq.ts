// A test bed of real RocketMQ processes on loopback: one name server and any number of
// single-master broker clusters, each with a throwaway store, small heaps and small store files.
// Readiness is asked of the name server through our own admin client.

import { ChildProcess, ChildProcessWithoutNullStreams, spawn, SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Credentials, RocketMQAdminClient } from "../../provider/src/admin";
import { compiledJavaSupport, majorOf, ROCKETMQ_VERSION, rocketmqClasspath, rocketmqLibDir } from "./rocketmqJars";

export interface BrokerSpec {
  cluster: string;
  brokerName: string;
}

export interface TestBedOptions {
  brokers: BrokerSpec[];
  /** The RocketMQ release whose jars run the name server, the brokers and mqadmin (default ROCKETMQ_VERSION). */
  version?: string;
  /** Heap of each broker JVM, e.g. "384m". */
  brokerHeap?: string;
  /** Extra broker.conf lines for every broker. */
  brokerConfig?: Record<string, string>;
  readyTimeoutMs?: number;
  /** How the JVMs compile: `quick` (the default) for tests, `full` where their speed is measured. */
  jit?: Jit;
  /** Keys the bed's own readiness checks sign with, for brokers with ACL 2.0 authentication on. */
  credentials?: Credentials;
}

/**
 * `quick`: the client compiler only, and timed waits that may end up to 10 ms late (see
 * spawnJvm). Tests run a dozen JVMs at once on two cores, where the optimizing compiler's threads
 * and the brokers' millisecond polling loops take more CPU than the brokers' own work and slow
 * every test.
 * `full`: the JVM's default tiered compilation and timer slack, as RocketMQ runs in production;
 * for benchmarks.
 */
export type Jit = "quick" | "full";

export interface RunningBroker extends BrokerSpec {
  /** host:port of the broker's remoting listener. */
  address: string;
  port: number;
  configFile: string;
  logFile: string;
  process?: ChildProcess;
}

const LOOPBACK = "127.0.0.1";
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

const takenPorts = new Set<number>();

/** A port p such that p + each offset is free on loopback (a broker uses p-2, p and p+1). */
export async function freePortWith(offsets: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ports = offsets.map((o) => base + o);
    if (ports.some((p) => takenPorts.has(p))) continue;
    const free = await Promise.all(ports.map(portIsFree));
    if (free.every(Boolean)) {
      ports.forEach((p) => takenPorts.add(p));
      return base;
    }
  }
  throw new Error("no free loopback ports found");
}

function javaBaseArgs(heap: string, home: string, version: string, extraClasspath?: string, jit: Jit = "quick"): string[] {
  return [
    ...(jit === "quick" ? ["-XX:TieredStopAtLevel=1"] : []),
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:MaxDirectMemorySize=256m",
    "-XX:+UseSerialGC",
    "-XX:-UsePerfData",
    // No TLS on loopback; permissive mode would generate a self-signed key at every start (seconds).
    "-Dtls.server.mode=disabled",
    "-Djava.security.egd=file:/dev/./urandom",
    `-Duser.home=${home}`,
    "-Drocketmq.client.logUseSlf4j=false",
    // 4.x unmaps its store files through JDK internals that Java 17 closes (5.x needs no opening).
    ...(majorOf(version) < 5 ? ["--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"] : []),
    "-cp",
    extraClasspath ? `${extraClasspath}${path.delimiter}${rocketmqClasspath(version)}` : rocketmqClasspath(version),
  ];
}

/** Timer slack of a `quick` JVM, in nanoseconds; Linux's default is 50 µs. */
const QUICK_TIMER_SLACK_NS = 10_000_000;
const TIMER_SLACK_FILE = "/proc/self/timerslack_ns";

/**
 * Spawns a JVM. A `quick` one gets 10 ms of timer slack: its timed waits may end up to 10 ms late,
 * while a wake-up by an event (a request, a message) is as prompt as ever. An idle broker's
 * threads sleep 1, 5 and 10 ms at a time (ReputMessageService, PopBufferMergeService,
 * BrokerFastFailure), which costs it about 6% of a core; with the slack, under 3%. A child takes
 * its timer slack from the thread that forks it, Node's main thread here, so the slack is set for
 * the spawn and put back after it. Where /proc has no timer slack (not Linux), JVMs start as they are.
 */
function spawnJvm(args: string[], options: SpawnOptions, jit: Jit): ChildProcess {
  let previous: string | undefined;
  if (jit === "quick") {
    try {
      previous = fs.readFileSync(TIMER_SLACK_FILE, "utf8").trim();
      fs.writeFileSync(TIMER_SLACK_FILE, String(QUICK_TIMER_SLACK_NS));
    } catch {
      previous = undefined;
    }
  }
  try {
    return spawn("java", args, options);
  } finally {
    if (previous !== undefined) fs.writeFileSync(TIMER_SLACK_FILE, previous);
  }
}

/**
 * RocketMQ 4.x's name server, broker and mqadmin configure logback from $ROCKETMQ_HOME/conf/logback_*.xml
 * and refuse to start without it (5.x carries its own defaults). Warnings and errors go to stderr, so
 * mqadmin's stdout stays its report.
 */
function writeLegacyLogConfig(home: string, version: string): void {
  if (majorOf(version) >= 5) return;
  const conf = path.join(home, "conf");
  fs.mkdirSync(conf, { recursive: true });
  const xml =
    '<configuration><appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>' +
    "<encoder><pattern>%d %p %c{1} - %m%n</pattern></encoder></appender>" +
    '<root level="WARN"><appender-ref ref="STDERR"/></root></configuration>\n';
  for (const name of ["logback_namesrv.xml", "logback_broker.xml", "logback_tools.xml"]) fs.writeFileSync(path.join(conf, name), xml);
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export class RocketMQTestBed {
  readonly nameServer: string;
  readonly version: string;
  readonly brokers = new Map<string, RunningBroker>();
  private nameServerProcess?: ChildProcess;
  private readonly extraNameServers: ChildProcess[] = [];
  private readonly admin: RocketMQAdminClient;

  private constructor(
    readonly workDir: string,
    private readonly nameServerPort: number,
    private readonly options: TestBedOptions,
  ) {
    this.nameServer = `${LOOPBACK}:${nameServerPort}`;
    this.version = options.version ?? ROCKETMQ_VERSION;
    this.admin = new RocketMQAdminClient({ nameServers: this.nameServer, timeoutMs: 3000, connectTimeoutMs: 2000, credentials: options.credentials });
  }

  static async start(options: TestBedOptions): Promise<RocketMQTestBed> {
    installExitHook();
    rocketmqLibDir(options.version);
    // Not a scratchDir: stop() removes it, unless KEEP_ROCKETMQ_TESTBED keeps it for a look afterwards.
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-testbed-"));
    const bed = new RocketMQTestBed(workDir, await freePortWith([0]), options);
    try {
      await bed.startNameServer();
      for (const spec of options.brokers) {
        const port = await freePortWith([-2, 0, 1]);
        bed.brokers.set(spec.brokerName, bed.writeBrokerConfig(spec, port));
      }
      await Promise.all([...bed.brokers.keys()].map((name) => bed.startBroker(name)));
      return bed;
    } catch (err) {
      await bed.stop();
      throw err;
    }
  }

  broker(name: string): RunningBroker {
    const broker = this.brokers.get(name);
    if (!broker) throw new Error(`no broker ${name} in this test bed`);
    return broker;
  }

  /** Starts (or restarts, on the same store) a broker and waits until the name server lists it. */
  async startBroker(name: string): Promise<void> {
    const broker = this.broker(name);
    if (broker.process && broker.process.exitCode === null) return;
    const home = path.join(this.workDir, name);
    const child = this.spawnJava(
      [...javaBaseArgs(this.options.brokerHeap ?? "320m", home, this.version, undefined, this.options.jit), "org.apache.rocketmq.broker.BrokerStartup", "-c", broker.configFile],
      broker.logFile,
    );
    broker.process = child;
    await this.waitFor(
      async () => {
        const info = await this.admin.getClusterInfo();
        if (info.brokers[name]?.addresses["0"] !== broker.address) return false;
        await this.admin.getBrokerConfig(broker.address);
        return true;
      },
      child,
      broker.logFile,
      `broker ${name}`,
    );
  }

  /** Restarts a broker on an empty store: it comes back with no topics or groups but its own. */
  async resetBroker(name: string): Promise<void> {
    await this.stopBroker(name);
    const store = path.join(this.workDir, name, "store");
    fs.rmSync(store, { recursive: true, force: true });
    fs.mkdirSync(store, { recursive: true });
    await this.startBroker(name);
  }

  /** The name server's JVM (tests freeze it with `freeze` to simulate a silent peer). */
  get nameServerJvm(): ChildProcess | undefined {
    return this.nameServerProcess;
  }

  /** Kills a broker process (its store stays, so startBroker brings it back). */
  async stopBroker(name: string): Promise<void> {
    const broker = this.broker(name);
    if (broker.process) await killAndWait(broker.process);
    broker.process = undefined;
  }

  /** Starts one more name server, which no broker knows yet; returns its address. */
  async startExtraNameServer(): Promise<string> {
    const port = await freePortWith([0]);
    const address = `${LOOPBACK}:${port}`;
    const probe = new RocketMQAdminClient({ nameServers: address, timeoutMs: 3000, connectTimeoutMs: 2000 });
    try {
      const child = await this.launchNameServer(port, `namesrv-${port}`, async () => (await probe.getClusterInfo(), true));
      this.extraNameServers.push(child);
    } finally {
      probe.close();
    }
    return address;
  }

  async stop(): Promise<void> {
    this.admin.close();
    await Promise.all(this.extraNameServers.map(killAndWait));
    await Promise.all([...this.brokers.values()].map((b) => (b.process ? killAndWait(b.process) : Promise.resolve())));
    if (this.nameServerProcess) await killAndWait(this.nameServerProcess);
    if (!process.env.KEEP_ROCKETMQ_TESTBED) fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  /**
   * Starts another process of this bed's release, e.g. a controller or a broker of its own config,
   * in <workDir>/<dir> with its output in <dir>/<dir>.out; the bed's exit hook kills it, the caller stops it.
   */
  spawnServer(dir: string, mainClass: string, args: string[], heap = "256m"): { process: ChildProcess; logFile: string } {
    const home = path.join(this.workDir, dir);
    fs.mkdirSync(home, { recursive: true });
    const logFile = path.join(home, `${dir}.out`);
    const child = this.spawnJava([...javaBaseArgs(heap, home, this.version, undefined, this.options.jit), mainClass, ...args], logFile);
    return { process: child, logFile };
  }

  /** Runs the real mqadmin with the given arguments against this test bed's name server. */
  mqadmin(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return runMqadmin(path.join(this.workDir, "mqadmin"), this.nameServer, args, timeoutMs, this.version);
  }

  /** Runs one of the Java programs of tests/support/rocketmq-java (main class name) with arguments. */
  javaProgram(mainClass: string, args: string[], timeoutMs = 120_000, heap = "256m"): Promise<{ code: number; stdout: string; stderr: string }> {
    const program = startJavaProgram(path.join(this.workDir, "java-programs"), mainClass, args, { timeoutMs, heap, version: this.version, jit: this.options.jit });
    program.closeStdin();
    return program.exited;
  }

  private async startNameServer(): Promise<void> {
    this.nameServerProcess = await this.launchNameServer(this.nameServerPort, "namesrv", async () => (await this.admin.getClusterInfo(), true));
  }

  private async launchNameServer(port: number, dir: string, ready: () => Promise<boolean>): Promise<ChildProcess> {
    const home = path.join(this.workDir, dir);
    fs.mkdirSync(home, { recursive: true });
    const configFile = path.join(home, "namesrv.conf");
    fs.writeFileSync(configFile, `listenPort=${port}\nbindAddress=${LOOPBACK}\n`);
    const logFile = path.join(home, "namesrv.out");
    const child = this.spawnJava(
      [...javaBaseArgs("256m", home, this.version, undefined, this.options.jit), "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", configFile],
      logFile,
    );
    await this.waitFor(ready, child, logFile, `name server ${LOOPBACK}:${port}`);
    return child;
  }

  private writeBrokerConfig(spec: BrokerSpec, port: number): RunningBroker {
    const home = path.join(this.workDir, spec.brokerName);
    const store = path.join(home, "store");
    fs.mkdirSync(store, { recursive: true });
    const config: Record<string, string> = {
      brokerClusterName: spec.cluster,
      brokerName: spec.brokerName,
      brokerId: "0",
      brokerRole: "ASYNC_MASTER",
      flushDiskType: "ASYNC_FLUSH",
      namesrvAddr: this.nameServer,
      listenPort: String(port),
      bindAddress: LOOPBACK,
      brokerIP1: LOOPBACK,
      storePathRootDir: store,
      storePathCommitLog: path.join(store, "commitlog"),
      // Small store files: fast start, little disk.
      mappedFileSizeCommitLog: String(16 * 1024 * 1024),
      mappedFileSizeConsumeQueue: String(6000 * 20),
      mappedFileSizeConsumeQueueExt: String(1024 * 1024),
      timerWheelEnable: "false",
      // A send may wait 3 s in the broker's queue before flow control answers "broker busy" (the
      // default is 200 ms): tests run many brokers on two cores, where a wait is load, not overload.
      waitTimeMillsInSendQueue: "3000",
      autoCreateTopicEnable: "true",
      autoCreateSubscriptionGroup: "true",
      ...this.options.brokerConfig,
    };
    const configFile = path.join(home, "broker.conf");
    fs.writeFileSync(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
    return { ...spec, address: `${LOOPBACK}:${port}`, port, configFile, logFile: path.join(home, "broker.out") };
  }

  private spawnJava(args: string[], logFile: string): ChildProcess {
    const out = fs.openSync(logFile, "a");
    const home = path.dirname(logFile);
    writeLegacyLogConfig(home, this.version);
    const child = spawnJvm(args, { stdio: ["ignore", out, out], env: { ...process.env, ROCKETMQ_HOME: home } }, this.options.jit ?? "quick");
    fs.closeSync(out);
    live.add(child);
    child.once("exit", () => live.delete(child));
    return child;
  }

  private async waitFor(ready: () => Promise<boolean>, child: ChildProcess, logFile: string, what: string): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${what} exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${tail(logFile)}`);
      }
      try {
        if (await ready()) return;
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what} not ready in time (last: ${(lastError as Error)?.message}):\n${tail(logFile)}`);
  }
}

/**
 * Stops a process with SIGSTOP and waits until every thread of it is stopped, so a request sent
 * next meets a silent peer: the signal stops the threads as each is next scheduled, which on a
 * busy machine is not at once. `thaw` (SIGCONT) lets it run again.
 */
export async function freeze(child: ChildProcess): Promise<void> {
  child.kill("SIGSTOP");
  const deadline = Date.now() + 10_000;
  const running = () =>
    fs.readdirSync(`/proc/${child.pid}/task`).filter((tid) => {
      const stat = fs.readFileSync(`/proc/${child.pid}/task/${tid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "T";
    });
  for (let left = running(); left.length > 0; left = running()) {
    if (Date.now() > deadline) throw new Error(`process ${child.pid}: threads ${left.join(", ")} still running 10 s after SIGSTOP`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function thaw(child: ChildProcess): void {
  child.kill("SIGCONT");
}

export function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/**
 * Runs one of the Java programs of tests/support/rocketmq-java against any name server, e.g. one in
 * the sandbox; `home` is a scratch dir for the client's files.
 */
export function runJavaProgram(
  home: string,
  mainClass: string,
  args: string[],
  timeoutMs = 120_000,
  heap = "256m",
  version = ROCKETMQ_VERSION,
): Promise<JavaResult> {
  const program = startJavaProgram(home, mainClass, args, { timeoutMs, heap, version });
  program.closeStdin();
  return program.exited;
}

export interface JavaResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Java program still running: its stdin takes lines until closed, `exited` is its end. */
export interface RunningJavaProgram {
  tell(line: string): void;
  closeStdin(): void;
  exited: Promise<JavaResult>;
}

/**
 * Starts one of the Java programs of tests/support/rocketmq-java and leaves it running, e.g. a
 * producer that sends until told to stop on stdin. `jvmOptions` go before the main class.
 */
export function startJavaProgram(
  home: string,
  mainClass: string,
  args: string[],
  options: { timeoutMs?: number; heap?: string; version?: string; jvmOptions?: string[]; jit?: Jit } = {},
): RunningJavaProgram {
  const version = options.version ?? ROCKETMQ_VERSION;
  fs.mkdirSync(home, { recursive: true });
  writeLegacyLogConfig(home, version);
  return startJava(
    [...javaBaseArgs(options.heap ?? "256m", home, version, compiledJavaSupport(version), options.jit), ...(options.jvmOptions ?? []), mainClass, ...args],
    { ROCKETMQ_HOME: home },
    options.timeoutMs ?? 120_000,
    options.jit,
  );
}

/** Runs the real mqadmin against any name server, e.g. one in the sandbox; `home` is a scratch dir. */
export function runMqadmin(
  home: string,
  nameServer: string,
  args: string[],
  timeoutMs = 60_000,
  version = ROCKETMQ_VERSION,
): Promise<{ code: number; stdout: string; stderr: string }> {
  fs.mkdirSync(home, { recursive: true });
  writeLegacyLogConfig(home, version);
  return runJava(
    [...javaBaseArgs("256m", home, version), "org.apache.rocketmq.tools.command.MQAdminStartup", ...args, "-n", nameServer],
    { ROCKETMQ_HOME: home },
    timeoutMs,
  );
}

function runJava(args: string[], env: Record<string, string>, timeoutMs: number): Promise<JavaResult> {
  const program = startJava(args, env, timeoutMs);
  program.closeStdin();
  return program.exited;
}

function startJava(args: string[], env: Record<string, string>, timeoutMs: number, jit: Jit = "quick"): RunningJavaProgram {
  // Every stream is a pipe.
  const child = spawnJvm(args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } }, jit) as ChildProcessWithoutNullStreams;
  live.add(child);
  const exited = new Promise<JavaResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`java ${args.slice(-6).join(" ")} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  // A program that exits early closes its stdin; a late line is then dropped, not thrown.
  child.stdin.on("error", () => undefined);
  return { tell: (line) => child.stdin.write(`${line}\n`), closeStdin: () => child.stdin.end(), exited };
}
