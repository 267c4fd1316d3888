// The example programs in examples/, each made runnable as its README has a user run it: a copy
// laid out as in the repository (the SDK it installs sits at ../../sdk) with its dependencies
// installed (the Python example's by its language host, on the first run). Shared by the examples'
// e2e test and the per-language preview bench.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./plugin";
import { copyProgram } from "./programs";
import { scratchDir } from "./scratch";

export type ExampleLanguage = "yaml" | "typescript" | "python" | "go";

export interface PreparedExample {
    dir: string;
    /** Extra environment for the program's language host. */
    env: NodeJS.ProcessEnv;
}

/** A runnable copy of examples/<language>. */
export function prepareExample(language: ExampleLanguage): PreparedExample {
    switch (language) {
        case "yaml":
            return { dir: copyProgram(path.join(repoRoot, "examples", "yaml")), env: {} };
        case "typescript":
            return { dir: prepareTypeScript(), env: {} };
        case "python":
            // Its Pulumi.yaml names the virtualenv: the language host creates it from
            // requirements.txt on the first run, as for a user who runs `pulumi up` in a clone.
            return { dir: layOut("python", "python"), env: {} };
        case "go":
            return { dir: prepareGo(), env: { GOTOOLCHAIN: "local" } };
    }
}

/**
 * A copy of examples/<language> at <scratch>/examples/<language>, beside <scratch>/sdk/<sdkPart>
 * (the SDK it installs, by the same relative path as in the repository).
 */
function layOut(language: ExampleLanguage, sdkPart: string): string {
    const scratch = scratchDir(`rocketmq-example-${language}-`);
    fs.cpSync(path.join(repoRoot, "sdk", sdkPart), path.join(scratch, "sdk", sdkPart), { recursive: true });
    const example = path.join(scratch, "examples", language);
    fs.cpSync(copyProgram(path.join(repoRoot, "examples", language)), example, { recursive: true });
    return example;
}

/** The TypeScript example installs the nodejs SDK from ../../sdk/nodejs. */
function prepareTypeScript(): string {
    const example = layOut("typescript", "nodejs");
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: example, stdio: "pipe" });
    return example;
}

/** The Go example builds against the generated SDK through its replace of ../../sdk (the whole of sdk/, which holds go.mod). */
function prepareGo(): string {
    return layOut("go", "");
}
