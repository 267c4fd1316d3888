// Benchmark: `pulumi preview` of each language's example (examples/<language>: a cluster, three
// topics and two consumer groups), run as a user runs it: the SDK installed from sdk/, the plugin
// loaded by its path. The clusters differ a little (YAML's has two broker groups, TypeScript's a
// replica), so the figures show what each language costs, not one program. Rounds alternate the
// order; prints each median.
//
//   BENCH_PREVIEW_ROUNDS=7 node -r ts-node/register tests/bench/previewLanguages.ts
import { ExampleLanguage, prepareExample } from "../support/examples";
import { BenchProgram, clusterKubeconfig, median } from "./pulumiBench";

const ROUNDS = Number(process.env.BENCH_PREVIEW_ROUNDS ?? 5);
const languages: ExampleLanguage[] = ["yaml", "typescript", "python", "go"];

function main(): void {
    const { kubeconfig, label } = clusterKubeconfig();
    console.log(`pulumi preview of examples/<language>, each language's example cluster`);
    console.log(`cluster: ${label}`);
    const programs = languages.map((language) => {
        const started = Date.now();
        const prepared = prepareExample(language);
        const program = new BenchProgram(prepared.dir, kubeconfig, { env: prepared.env });
        // The first preview also builds the Go program and warms the file system cache.
        const firstMs = program.preview();
        console.log(`  ${language}: prepared in ${((Date.now() - started) / 1000).toFixed(0)} s, first preview ${firstMs.toFixed(0)} ms`);
        return { language, program, ms: [] as number[] };
    });
    for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? programs : [...programs].reverse();
        for (const entry of order) entry.ms.push(entry.program.preview());
        console.log(`  round ${round + 1}: ${programs.map((entry) => `${entry.language} ${entry.ms[round].toFixed(0)} ms`).join(", ")}`);
    }
    for (const entry of programs) console.log(`${(entry.language + ":").padEnd(12)} median ${median(entry.ms).toFixed(0)} ms of ${ROUNDS}`);
}

main();
