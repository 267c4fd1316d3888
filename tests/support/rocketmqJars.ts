// Where the RocketMQ jars are: obtained (once, cached) by tests/toolchain/rocketmq.sh.

import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROCKETMQ_VERSION = process.env.ROCKETMQ_VERSION ?? "5.3.2";
const REPO_ROOT = path.resolve(__dirname, "..", "..");

let cachedLibDir: string | undefined;

/** The lib dir holding the name server, broker, tools and client jars; fetches them on first use. */
export function rocketmqLibDir(): string {
  if (cachedLibDir) return cachedLibDir;
  const script = path.join(REPO_ROOT, "tests", "toolchain", "rocketmq.sh");
  const out = execFileSync("bash", [script, ROCKETMQ_VERSION], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const dir = out.trim().split("\n").pop() ?? "";
  if (!fs.existsSync(path.join(dir))) throw new Error(`tests/toolchain/rocketmq.sh printed no lib dir (got ${JSON.stringify(out)})`);
  cachedLibDir = dir;
  return dir;
}

/** Classpath of every cached jar. */
export function rocketmqClasspath(): string {
  return path.join(rocketmqLibDir(), "*");
}

/**
 * Compiles the Java programs under tests/support/rocketmq-java (a producer, a consumer, the Java side of the
 * benchmark) against the cached jars, once per content of those sources. Returns the classes dir.
 */
export function compiledJavaSupport(): string {
  const sourceDir = path.join(REPO_ROOT, "tests", "support", "rocketmq-java");
  const sources = fs.readdirSync(sourceDir).filter((f) => f.endsWith(".java")).sort();
  const hash = crypto.createHash("sha256");
  for (const f of sources) hash.update(f).update(fs.readFileSync(path.join(sourceDir, f)));
  const libDir = rocketmqLibDir();
  const classesDir = path.join(path.dirname(libDir), `test-classes-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(path.join(classesDir, ".complete"))) return classesDir;
  const staging = `${classesDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  execFileSync("javac", ["-nowarn", "-encoding", "UTF-8", "-cp", rocketmqClasspath(), "-d", staging, ...sources.map((f) => path.join(sourceDir, f))], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  fs.rmSync(classesDir, { recursive: true, force: true });
  fs.renameSync(staging, classesDir);
  fs.writeFileSync(path.join(classesDir, ".complete"), "");
  return classesDir;
}
