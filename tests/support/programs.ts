// Copies a Pulumi program to a scratch directory so tests never write stack files into the repo,
// pointing its `plugins.providers` entry at this repository's built plugin.
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./plugin";
import { scratchDir } from "./scratch";

export const pluginDir = path.join(repoRoot, "provider", "cmd");

export interface ProgramEdits {
    /** Literal text replacements applied to Pulumi.yaml after the plugin path is made absolute. */
    replace?: [string, string][];
}

export function copyProgram(sourceDir: string, edits: ProgramEdits = {}): string {
    const target = scratchDir(`rocketmq-program-${path.basename(sourceDir)}-`);
    for (const entry of fs.readdirSync(sourceDir)) {
        // Installed dependencies are not part of the program (a virtualenv does not survive a copy).
        if (entry === "node_modules" || entry === "venv" || entry === "__pycache__" || entry.startsWith("Pulumi.") && entry !== "Pulumi.yaml") continue;
        fs.cpSync(path.join(sourceDir, entry), path.join(target, entry), { recursive: true });
    }
    const projectFile = path.join(target, "Pulumi.yaml");
    let text = fs.readFileSync(projectFile, "utf8").replace(/path: \S*provider\/cmd/, `path: ${pluginDir}`);
    for (const [from, to] of edits.replace ?? []) {
        if (!text.includes(from)) throw new Error(`${projectFile} has no ${JSON.stringify(from)} to replace`);
        text = text.split(from).join(to);
    }
    fs.writeFileSync(projectFile, text);
    return target;
}
