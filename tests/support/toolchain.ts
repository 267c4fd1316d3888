// The toolchain as tests see it: the same PATH, PULUMI_HOME and cache dirs that
// tests/toolchain/env.sh exports (env.sh stays the one place that knows them).
// Nothing here builds anything: `npm run toolchain` does. A missing binary throws, naming the
// part to obtain, so a test that needs the toolchain fails with the reason and never skips.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const toolchainDir = path.resolve(__dirname, "..", "toolchain");

/** Which part of the toolchain provides a binary, and which exported dir holds it. */
interface PartLocation {
    part: string;
    binDirVariable: string;
    versionVariable: string;
}

function locate(binary: string): PartLocation {
    if (binary === "pulumi" || binary.startsWith("pulumi-language-") || binary === "pulumi-resource-pulumi-nodejs") {
        return { part: "pulumi", binDirVariable: "TOOLCHAIN_PULUMI_BIN", versionVariable: "PULUMI_VERSION" };
    }
    if (binary === "kubectl" || binary.startsWith("kube-")) {
        return { part: "kubernetes", binDirVariable: "TOOLCHAIN_KUBERNETES_BIN", versionVariable: "KUBERNETES_VERSION" };
    }
    if (binary === "pulumi-resource-kubernetes") {
        return { part: "pulumi-kubernetes", binDirVariable: "TOOLCHAIN_KUBERNETES_PLUGIN_BIN", versionVariable: "KUBERNETES_PROVIDER_VERSION" };
    }
    if (binary === "etcd") {
        return { part: "etcd", binDirVariable: "TOOLCHAIN_ETCD_BIN", versionVariable: "ETCD_VERSION" };
    }
    throw new Error(`${binary} is not a binary of the toolchain`);
}

let cachedEnv: NodeJS.ProcessEnv | undefined;

/**
 * Runs `npm run toolchain` (tests/toolchain/all.sh): seconds when the cache is warm, up to an hour
 * cold. Its progress and report go to this process's stderr (fd 2), so a long cold build shows
 * what it is doing; it throws when a part could not be obtained (all.sh has named it there).
 */
export function obtainToolchain(): void {
    try {
        execFileSync("bash", [path.join(toolchainDir, "all.sh")], { env: process.env, stdio: ["ignore", 2, 2] });
    } catch (cause) {
        throw new Error("the toolchain could not be obtained: see the [toolchain] FAILED lines above", { cause });
    }
}

/** The environment of the current process with env.sh applied. */
export function toolchainEnv(): NodeJS.ProcessEnv {
    if (!cachedEnv) {
        const script = `source "${path.join(toolchainDir, "env.sh")}" && env -0`;
        const output = execFileSync("bash", ["-c", script], { env: process.env, encoding: "utf8" });
        const env: NodeJS.ProcessEnv = {};
        for (const entry of output.split("\0")) {
            const separator = entry.indexOf("=");
            if (separator > 0) {
                env[entry.slice(0, separator)] = entry.slice(separator + 1);
            }
        }
        cachedEnv = env;
    }
    return { ...cachedEnv };
}

/** The absolute path of a toolchain binary; throws naming the part when it is absent. */
export function toolchainBin(binary: string): string {
    const { part, binDirVariable, versionVariable } = locate(binary);
    const env = toolchainEnv();
    const binDir = env[binDirVariable];
    if (!binDir) {
        throw new Error(`tests/toolchain/env.sh did not export ${binDirVariable}`);
    }
    const file = path.join(binDir, binary);
    try {
        fs.accessSync(file, fs.constants.X_OK);
    } catch (cause) {
        throw new Error(
            `toolchain part "${part} ${env[versionVariable]}" is missing: ${file} is not there (run \`npm run toolchain\`)`,
            { cause },
        );
    }
    return file;
}

/** The installed version of the kubernetes resource plugin the toolchain provides. */
export function kubernetesProviderVersion(): string {
    const version = toolchainEnv().KUBERNETES_PROVIDER_VERSION;
    if (!version) {
        throw new Error("tests/toolchain/env.sh did not export KUBERNETES_PROVIDER_VERSION");
    }
    return version;
}
