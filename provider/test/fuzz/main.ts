// `npm run fuzz`: the admin client's long fuzz run. Time and seed come from the arguments
// (--seconds N, --seed N) or FUZZ_SECONDS / FUZZ_SEED; by default 10 minutes from a fresh seed.
// Prints the report as JSON and exits non-zero when any input failed.

import { runFuzz } from "./fuzz";

function option(name: string, env: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const text = at >= 0 ? process.argv[at + 1] : process.env[env];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} (${env}) must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<void> {
  const seconds = option("seconds", "FUZZ_SECONDS", 600);
  const seed = option("seed", "FUZZ_SEED", Date.now() % 2 ** 31);
  process.stderr.write(`fuzzing the admin client for ${seconds} s, seed ${seed}\n`);
  const report = await runFuzz({ seed, seconds });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const failed = Object.values(report.classes).reduce((n, c) => n + c.failures.length, 0) + report.escaped.length;
  const inputs = Object.values(report.classes).reduce((n, c) => n + c.inputs, 0);
  process.stdout.write(`fuzz: ${inputs} inputs, ${failed} failed (seed ${seed})\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
