// Where the RocketMQ jars of each release are: obtained (once, cached per version) by
// tests/toolchain/rocketmq.sh. Which releases: tests/toolchain/versions.sh.

import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A variable of tests/toolchain/versions.sh (plain `NAME=value` or `NAME="a b"` lines). */
function toolchainVersion(name: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, "tests", "toolchain", "versions.sh"), "utf8");
  const match = new RegExp(`^${name}="?([^"\\n]*)"?$`, "m").exec(text);
  if (!match) throw new Error(`tests/toolchain/versions.sh sets no ${name}`);
  return match[1].trim();
}

/** The release the provider's default images run; ROCKETMQ_VERSION overrides it for a run. */
export const ROCKETMQ_VERSION = process.env.ROCKETMQ_VERSION ?? toolchainVersion("ROCKETMQ_VERSION");

/**
 * The releases the integration tier's matrix runs against, newest first: ROCKETMQ_VERSIONS (comma or
 * space separated) when set, else ROCKETMQ_MATRIX_VERSIONS of versions.sh.
 */
export function rocketmqMatrix(): string[] {
  const list = (process.env.ROCKETMQ_VERSIONS ?? toolchainVersion("ROCKETMQ_MATRIX_VERSIONS")).split(/[\s,]+/).filter(Boolean);
  if (list.length === 0) throw new Error("ROCKETMQ_VERSIONS names no RocketMQ release");
  return list;
}

/** The major version of a release ("4" of "4.9.7"): the 4.x line speaks an older admin protocol. */
export function majorOf(version: string): number {
  return Number(version.split(".")[0]);
}

/**
 * Whether a release's brokers check ACL 2.0 (users, ACLs, signed requests; RocketMQ 5.3.0 on) with
 * the jars cached for it. A lib whose rocketmq-auth comes from another release than its broker
 * cannot: 5.5.1's broker calls an AuthorizationEvaluator method 5.5.0's auth jar lacks
 * (NoSuchMethodError on every authorized request), and rocketmq-auth is not served at 5.5.1.
 */
export function supportsAcl2(version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  if (!(major > 5 || (major === 5 && minor >= 3))) return false;
  return fs.existsSync(path.join(rocketmqLibDir(version), `rocketmq-auth-${version}.jar`));
}

/**
 * The newest release, of this run's and of versions.sh's matrix, whose cached jars check ACL 2.0:
 * the auth tests run there whatever release their lane has (5.3.2 while 5.5.1's lib lacks its own
 * rocketmq-auth). Throws when there is none, so those tests never pass by running nothing.
 */
export function newestAcl2Release(): string {
  const candidates = [...new Set([...rocketmqMatrix(), ...toolchainVersion("ROCKETMQ_MATRIX_VERSIONS").split(/[\s,]+/).filter(Boolean)])];
  const capable = candidates.filter(supportsAcl2).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  if (capable.length === 0) throw new Error(`no release of ${candidates.join(", ")} has ACL 2.0 with jars of its own release`);
  return capable[0];
}

const libDirs = new Map<string, string>();

/** The lib dir holding one release's name server, broker, tools and client jars; fetches them on first use. */
export function rocketmqLibDir(version = ROCKETMQ_VERSION): string {
  const known = libDirs.get(version);
  if (known) return known;
  const script = path.join(REPO_ROOT, "tests", "toolchain", "rocketmq.sh");
  const out = execFileSync("bash", [script, version], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const dir = out.trim().split("\n").pop() ?? "";
  if (!fs.existsSync(dir)) throw new Error(`tests/toolchain/rocketmq.sh ${version} printed no lib dir (got ${JSON.stringify(out)})`);
  libDirs.set(version, dir);
  return dir;
}

/** Classpath of every cached jar of one release. */
export function rocketmqClasspath(version = ROCKETMQ_VERSION): string {
  return path.join(rocketmqLibDir(version), "*");
}

/**
 * Compiles the Java programs under tests/support/rocketmq-java (a producer, a consumer, the Java side of the
 * benchmark) against one release's jars, once per content of those sources. Returns the classes dir.
 * The benchmark's admin program uses the 5.x admin API, so a 4.x release gets the producer and consumer only.
 */
export function compiledJavaSupport(version = ROCKETMQ_VERSION): string {
  const sourceDir = path.join(REPO_ROOT, "tests", "support", "rocketmq-java");
  const sources = fs
    .readdirSync(sourceDir)
    .filter((f) => f.endsWith(".java") && (majorOf(version) >= 5 || !f.startsWith("Bench")))
    .sort();
  const hash = crypto.createHash("sha256");
  for (const f of sources) hash.update(f).update(fs.readFileSync(path.join(sourceDir, f)));
  const libDir = rocketmqLibDir(version);
  const classesDir = path.join(path.dirname(libDir), `test-classes-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(path.join(classesDir, ".complete"))) return classesDir;
  const staging = `${classesDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  execFileSync("javac", ["-nowarn", "-encoding", "UTF-8", "-cp", rocketmqClasspath(version), "-d", staging, ...sources.map((f) => path.join(sourceDir, f))], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  fs.rmSync(classesDir, { recursive: true, force: true });
  fs.renameSync(staging, classesDir);
  fs.writeFileSync(path.join(classesDir, ".complete"), "");
  return classesDir;
}
