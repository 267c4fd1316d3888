// RocketMQ 5's gRPC clients, run as programs against a proxy: the Java client
// (org.apache.rocketmq:rocketmq-client-java, obtained and cached by
// tests/toolchain/rocketmq-client-java.sh) and the Node.js client (the npm package
// rocketmq-client-nodejs). Both take the same commands (tests/support/rocketmq-grpc), and resolve
// cluster DNS names through a hosts file the test writes, as the sandbox's pods do.
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./plugin";

const sourceDir = path.join(repoRoot, "tests", "support", "rocketmq-grpc");

export interface ProgramResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** The lib dir of the Java client's jars; obtains them on first use. */
export function grpcJavaClientLibDir(): string {
    const out = execFileSync("bash", [path.join(repoRoot, "tests", "toolchain", "rocketmq-client-java.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const dir = out.trim().split("\n").pop() ?? "";
    if (!fs.existsSync(dir)) throw new Error(`tests/toolchain/rocketmq-client-java.sh printed no lib dir (got ${JSON.stringify(out)})`);
    return dir;
}

/** GrpcClient.java compiled against the client's jars, once per content of the source. */
function compiledJavaClient(libDir: string): string {
    const source = path.join(sourceDir, "GrpcClient.java");
    const hash = crypto.createHash("sha256").update(fs.readFileSync(source)).digest("hex").slice(0, 16);
    const classesDir = path.join(path.dirname(libDir), `test-classes-${hash}`);
    if (fs.existsSync(path.join(classesDir, ".complete"))) return classesDir;
    const staging = `${classesDir}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    execFileSync("javac", ["-nowarn", "-encoding", "UTF-8", "-cp", path.join(libDir, "*"), "-d", staging, source], { stdio: ["ignore", "inherit", "inherit"] });
    fs.rmSync(classesDir, { recursive: true, force: true });
    fs.renameSync(staging, classesDir);
    fs.writeFileSync(path.join(classesDir, ".complete"), "");
    return classesDir;
}

/** A client left running: lines go to its stdin (e.g. STOP), `exited` resolves with what it printed. */
export interface RunningGrpcClient {
    tell(line: string): void;
    closeStdin(): void;
    /** What it printed on stdout so far. */
    stdout(): string;
    exited: Promise<ProgramResult>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): RunningGrpcClient {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // A client that exits early closes its stdin; a late line is then dropped, not thrown.
    child.stdin.on("error", () => undefined);
    const exited = new Promise<ProgramResult>((resolve, reject) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
    return { tell: (line) => child.stdin.write(`${line}\n`), closeStdin: () => child.stdin.end(), stdout: () => stdout, exited };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProgramResult> {
    const client = start(command, args, env, timeoutMs);
    client.closeStdin();
    return client.exited;
}

export interface GrpcClientOptions {
    /** Hosts file ("<ip> <name>" lines) through which the client resolves cluster DNS names. */
    hostsFile: string;
    /** Working dir of the client (its logs). */
    home: string;
    timeoutMs?: number;
    /** ACL 2.0 keys the Java client signs every request with (given in its environment, not its arguments). */
    credentials?: { accessKey: string; secretKey: string };
}

/** Runs GrpcClient.java with `args` (produce ... or consume ...). */
export function runJavaGrpcClient(args: string[], options: GrpcClientOptions): Promise<ProgramResult> {
    const client = startJavaGrpcClient(args, options);
    client.closeStdin();
    return client.exited;
}

/** Starts GrpcClient.java with `args` and leaves it running, e.g. produce-until-stop, told STOP on stdin. */
export function startJavaGrpcClient(args: string[], options: GrpcClientOptions): RunningGrpcClient {
    const libDir = grpcJavaClientLibDir();
    const classes = compiledJavaClient(libDir);
    fs.mkdirSync(options.home, { recursive: true });
    return start("java", [
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        `-Duser.home=${options.home}`,
        `-Djdk.net.hosts.file=${options.hostsFile}`, "-Dsun.net.inetaddr.ttl=1", "-Djava.net.preferIPv4Stack=true",
        "-cp", `${classes}${path.delimiter}${path.join(libDir, "*")}`,
        "GrpcClient", ...args,
    ], options.credentials ? { ROCKETMQ_ACCESS_KEY: options.credentials.accessKey, ROCKETMQ_SECRET_KEY: options.credentials.secretKey } : {}, options.timeoutMs ?? 300_000);
}

/** Runs grpc-client.js with `args` (produce ... or consume ...) on this Node.js; with `trustedCa` (a PEM file) over TLS, trusting only that CA. */
export function runNodeGrpcClient(args: string[], options: GrpcClientOptions & { trustedCa?: string }): Promise<ProgramResult> {
    fs.mkdirSync(options.home, { recursive: true });
    return run(process.execPath, ["--require", path.join(sourceDir, "hosts-file.js"), path.join(sourceDir, "grpc-client.js"), ...args], {
        CLUSTER_HOSTS_FILE: options.hostsFile,
        // The client's logger writes under the home dir.
        HOME: options.home,
        ...(options.trustedCa ? { ROCKETMQ_GRPC_TLS: "true", GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: options.trustedCa } : {}),
    }, options.timeoutMs ?? 300_000);
}
