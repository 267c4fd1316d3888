// Temporary directories for tests and benchmarks, removed when the process exits, so runs leave
// nothing in the system's temp dir (a copied example with its node_modules is 220 MB).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];

process.once("exit", () => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory under the system's temp dir, named `prefix` and a random suffix. */
export function scratchDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
}
