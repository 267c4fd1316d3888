// The admin client's fuzz tier. Four classes of input, each a fast-check property run for a share
// of the time budget:
//   parser     adversarial fastjson text      -> a value, or FastjsonSyntaxError
//   decoders   mutated captured reply bodies  -> a typed value, or BadReplyError
//   frames     scripted peer bytes, split     -> frames, or FrameError
//   loopback   the same scripts from a peer on loopback, through the public client
//              -> a value, or RocketMQAdminError with a known code, within the call's timeout,
//                 and the next good call on the same client succeeds (no wedged connection)
// Every input is also held to a time and memory bound proportional to its size.

import * as net from "node:net";
import fc from "fast-check";
import { BadReplyError } from "../../src/admin/bodies";
import { RocketMQAdminClient } from "../../src/admin/client";
import { FrameDecoder, FrameError, RemotingCommand } from "../../src/admin/codec";
import { ClientFailureCode } from "../../src/admin/codes";
import { RocketMQAdminError } from "../../src/admin/errors";
import type { CallOptions } from "../../src/admin/connection";
import { FastjsonSyntaxError, parseFastjson } from "../../src/admin/fastjson";
import { adversarialJson, Capture, loadCaptures, mutatedCapture, peerScript, PeerScript, scriptBytes } from "./inputs";

export interface FuzzOptions {
  seed: number;
  /** Total time budget, split between the classes. */
  seconds: number;
  /** Call timeout of the loopback class. */
  callTimeoutMs?: number;
  /**
   * Holds the process this long right after the loopback peer writes each good reply, as a loaded
   * machine may pause it between a reply's arrival and its reading.
   */
  pauseAfterGoodReplyMs?: number;
}

export interface ClassReport {
  inputs: number;
  failures: string[];
  /** Slowest input of at least PER_KB_FROM bytes, in ms per KB (CPU ms; wall ms for loopback). */
  worstMsPerKb: number;
  /** Slowest input of any size. */
  worstMs: number;
  /** Largest heap growth while handling one input of at least PER_KB_FROM bytes, in bytes per KB. */
  worstHeapBytesPerKb: number;
  largestInputBytes: number;
}

export interface FuzzReport {
  seed: number;
  seconds: number;
  classes: Record<string, ClassReport>;
  peakRssBytes: number;
  /** Uncaught exceptions and unhandled rejections seen during the run. */
  escaped: string[];
  /** Loopback inputs after which the first good call was lost before the connection was replaced. */
  lostFollowUps: number;
}

/** Time and memory one input may take: generous, but far below a runaway (seconds, gigabytes). */
const TIME_BUDGET_MS = (bytes: number) => 500 + (4 * bytes) / 1024;
const HEAP_BUDGET_BYTES = (bytes: number) => 128 * 1024 * 1024 + 200 * bytes;

const LOOPBACK_SLACK_MS = 2000;
/**
 * Timeout of the follow-up call that must succeed after a script: far above any pause a loaded
 * machine gives this process, far below the time a wedged connection would hold a call (for ever).
 */
const FOLLOW_UP_TIMEOUT_MS = 10_000;

const SHARES: Record<string, number> = { parser: 0.25, decoders: 0.25, frames: 0.15, loopback: 0.35 };

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const captures = loadCaptures();
  const escaped: string[] = [];
  const onEscape = (err: unknown) => escaped.push(describe(err));
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  const report: FuzzReport = { seed: options.seed, seconds: options.seconds, classes: {}, peakRssBytes: 0, escaped, lostFollowUps: 0 };
  try {
    const budget = (name: string) => Math.max(1000, options.seconds * 1000 * SHARES[name]);
    report.classes.parser = runSync(options.seed, budget("parser"), adversarialJson(), (text) => {
      measureInput(text.length, () => expectOnly(() => checkTree(parseFastjson(text), { nullPrototypes: true, finiteNumbers: false }), FastjsonSyntaxError));
    });
    report.classes.decoders = runSync(options.seed + 1, budget("decoders"), decoderInput(captures), ({ capture, body }) => {
      measureInput(body.length, () => expectOnly(() => checkTree(capture.decode(body), { nullPrototypes: false, finiteNumbers: true }), BadReplyError));
    });
    report.classes.frames = runSync(options.seed + 2, budget("frames"), peerScript(captures), (script) => {
      const bytes = scriptBytes(script, 1);
      measureInput(bytes.length, () => expectOnly(() => feedDecoder(bytes, script.splits), FrameError));
    });
    report.classes.loopback = await runLoopback(options.seed + 3, budget("loopback"), captures, options.callTimeoutMs ?? 100, report, options.pauseAfterGoodReplyMs ?? 0);
  } finally {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  }
  report.peakRssBytes = Math.max(report.peakRssBytes, peakRss);
  return report;
}

/** Holds the event loop, as a machine that gives this process no core for that long. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

// ---- one class, one property ----

let current: ClassReport;
let peakRss = 0;

function newClassReport(): ClassReport {
  return { inputs: 0, failures: [], worstMsPerKb: 0, worstMs: 0, worstHeapBytesPerKb: 0, largestInputBytes: 0 };
}

function runSync<T>(seed: number, ms: number, input: fc.Arbitrary<T>, check: (value: T) => void): ClassReport {
  current = newClassReport();
  const classReport = current;
  try {
    fc.assert(
      fc.property(input, (value) => {
        classReport.inputs++;
        check(value);
      }),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: ms, markInterruptAsFailure: false },
    );
  } catch (err) {
    classReport.failures.push(describe(err));
  }
  return classReport;
}

/**
 * Runs one input, records its cost, and fails it when time or memory run away. Time is this
 * process's CPU time, so other work on a shared machine does not count against the input.
 */
function measureInput(bytes: number, run: () => void): void {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  const heapGrowth = Math.max(0, process.memoryUsage().heapUsed - heapBefore);
  record(bytes, ms, heapGrowth);
  if (ms > TIME_BUDGET_MS(bytes)) throw new Error(`input of ${bytes} bytes took ${ms.toFixed(1)} ms`);
  if (heapGrowth > HEAP_BUDGET_BYTES(bytes)) throw new Error(`input of ${bytes} bytes grew the heap by ${heapGrowth} bytes`);
}

/** Inputs from this size on count towards the per-KB figures. */
export const PER_KB_FROM = 16 * 1024;

function record(bytes: number, ms: number, heapGrowth: number): void {
  current.worstMs = Math.max(current.worstMs, ms);
  if (bytes >= PER_KB_FROM) {
    current.worstMsPerKb = Math.max(current.worstMsPerKb, ms / (bytes / 1024));
    current.worstHeapBytesPerKb = Math.max(current.worstHeapBytesPerKb, heapGrowth / (bytes / 1024));
  }
  current.largestInputBytes = Math.max(current.largestInputBytes, bytes);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}

/** The call either returns or throws an error of the one expected type. */
function expectOnly(run: () => void, allowed: new (...args: never[]) => Error): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof allowed)) throw new Error(`threw ${describe(err)} instead of ${allowed.name}`);
  }
}

/**
 * What a successful parse or decode returns: serialisable, no deeper than the parse limit; the
 * parser's objects have null prototypes, and the decoders' numbers are finite (the parser returns
 * 1e999 as Infinity, as the text says; a decoder must refuse it).
 */
function checkTree(value: unknown, rules: { nullPrototypes: boolean; finiteNumbers: boolean }, depth = 0): void {
  if (typeof value === "number" && rules.finiteNumbers && !Number.isFinite(value)) throw new Error(`a decoded value holds ${value}`);
  if (value === null || typeof value !== "object") return;
  if (depth > 200) throw new Error("a value nests deeper than the parse limit");
  if (Array.isArray(value)) {
    for (const item of value) checkTree(item, rules, depth + 1);
    return;
  }
  if (rules.nullPrototypes && Object.getPrototypeOf(value) !== null) throw new Error("a parsed object has a prototype");
  for (const key of Object.keys(value)) checkTree((value as Record<string, unknown>)[key], rules, depth + 1);
}

export function decoderInput(captures: Capture[]): fc.Arbitrary<{ capture: Capture; body: Buffer }> {
  return fc.oneof(
    { weight: 3, arbitrary: mutatedCapture(captures) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...captures), adversarialJson()).map(([capture, text]) => ({ capture, body: Buffer.from(text) })) },
  );
}

function feedDecoder(bytes: Buffer, splits: number[]): void {
  const decoder = new FrameDecoder();
  const cuts = [...new Set(splits.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    for (const frame of decoder.push(bytes.subarray(from, cut))) checkFrame(frame);
    from = cut;
  }
}

function checkFrame(frame: RemotingCommand): void {
  if (!Number.isInteger(frame.code) || !Number.isInteger(frame.opaque) || !Number.isInteger(frame.flag)) throw new Error("a frame with non-integer fields");
  if (frame.extFields) {
    if (Object.getPrototypeOf(frame.extFields) !== null) throw new Error("extFields has a prototype");
    for (const v of Object.values(frame.extFields)) if (typeof v !== "string") throw new Error("an extFields value that is not a string");
  }
}

// ---- loopback ----

const KNOWN_FAILURES: ReadonlySet<number> = new Set([ClientFailureCode.TIMEOUT, ClientFailureCode.CONNECTION, ClientFailureCode.BAD_REPLY]);

async function runLoopback(seed: number, ms: number, captures: Capture[], callTimeoutMs: number, report: FuzzReport, pauseAfterGoodReplyMs: number): Promise<ClassReport> {
  current = newClassReport();
  const classReport = current;
  const peer = await ScriptedPeer.start(pauseAfterGoodReplyMs);
  // Single attempts: each input's outcome is the client's own answer to it, not a retry's.
  const client = new RocketMQAdminClient({ nameServers: peer.address, timeoutMs: callTimeoutMs, connectTimeoutMs: 2000, retry: false });
  try {
    await fc.assert(
      fc.asyncProperty(peerScript(captures), async (script) => {
        classReport.inputs++;
        const capture = captures[script.capture];
        peer.script = script;
        const bytes = scriptBytes(script, 1).length;
        const started = Date.now();
        const outcome = await capture.call(client, peer.address).then(
          () => undefined,
          (err: unknown) => err,
        );
        const elapsed = Date.now() - started;
        record(bytes, elapsed, 0);
        if (outcome !== undefined) {
          if (!(outcome instanceof RocketMQAdminError)) throw new Error(`public call threw ${describe(outcome)}`);
          if (!(outcome.code >= 0 || KNOWN_FAILURES.has(outcome.code))) throw new Error(`unexpected code ${outcome.code}: ${outcome.message}`);
        }
        // Wall time here (the call waits on timers), so a loaded machine gets more slack.
        if (elapsed > callTimeoutMs + LOOPBACK_SLACK_MS + TIME_BUDGET_MS(bytes)) throw new Error(`call took ${elapsed} ms with a ${callTimeoutMs} ms timeout`);
        // No wedge: a good reply reaches the next call, or (when the script left the start of a
        // frame behind) the one after, once that timeout has replaced the connection. The one after
        // must succeed, so it is given FOLLOW_UP_TIMEOUT_MS: with the scripted call's 100 ms, a
        // machine that paused this process that long (the peer runs in it too) fired its timer
        // before the reply was read, and the test failed for the load, not for a wedge.
        peer.script = undefined;
        peer.goodBody = capture.body;
        const followUp = (options?: CallOptions) => capture.call(client, peer.address, options).then(() => true, () => false);
        if (!(await followUp())) {
          report.lostFollowUps++;
          if (!(await followUp({ timeoutMs: FOLLOW_UP_TIMEOUT_MS }))) throw new Error("the connection stayed wedged: two good replies after the script were lost");
        }
      }),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: ms, markInterruptAsFailure: false },
    );
  } catch (err) {
    classReport.failures.push(describe(err));
  } finally {
    client.close();
    await peer.stop();
  }
  return classReport;
}

/** A loopback peer that answers each request with the current script, or a good reply when none. */
class ScriptedPeer {
  script: PeerScript | undefined;
  goodBody: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly server: net.Server,
    readonly address: string,
    private readonly sockets: Set<net.Socket>,
    private readonly pauseAfterGoodReplyMs: number,
  ) {}

  static async start(pauseAfterGoodReplyMs = 0): Promise<ScriptedPeer> {
    const sockets = new Set<net.Socket>();
    let peer: ScriptedPeer | undefined;
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
      const decoder = new FrameDecoder();
      socket.on("data", (chunk) => {
        for (const request of decoder.push(chunk)) peer!.answer(request, socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    peer = new ScriptedPeer(server, `127.0.0.1:${(server.address() as net.AddressInfo).port}`, sockets, pauseAfterGoodReplyMs);
    return peer;
  }

  private answer(request: RemotingCommand, socket: net.Socket): void {
    const script = this.script;
    if (!script) {
      socket.write(scriptBytes({ capture: 0, pieces: [{ kind: "reply", header: '{"code":0,"flag":1,"opaque":{opaque}}', body: this.goodBody }], splits: [], hangUp: false }, request.opaque));
      if (this.pauseAfterGoodReplyMs > 0) busyFor(this.pauseAfterGoodReplyMs);
      return;
    }
    // Each script answers one request; later requests get good replies.
    this.script = undefined;
    const bytes = scriptBytes(script, request.opaque);
    const cuts = [...new Set(script.splits.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut > from) socket.write(bytes.subarray(from, cut));
      from = cut;
    }
    if (script.hangUp) socket.end();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The error, its start and its end kept, and what failed first: fast-check puts the counterexample
 * in the message and the property's own error in `cause`.
 */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const kept = text.length <= 4000 ? text : `${text.slice(0, 1000)} … ${text.slice(-3000)}`;
  const cause = err instanceof Error ? err.cause : undefined;
  return cause === undefined ? kept : `${describe(cause)}\n  in: ${kept}`;
}
