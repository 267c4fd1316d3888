// Bundles the plugin into provider/bin/: the entry pulumi-resource-rocketmq.mjs (the provider
// server, with schema.json inside it) and, under chunks/, what each resource handler loads when a
// call first needs it (provider.ts imports the handlers on use). The engine starts the plugin for
// every preview, and often only to ask for the schema: the entry reads a fifth of the bytes the
// whole bundle has (the Kubernetes client alone is two thirds of it), in a handful of files
// rather than the two hundred modules the provider server alone would otherwise read.
// ES modules because esbuild splits only those; the banner gives the CommonJS code inside the
// chunks the `require` and `__dirname` it expects.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(repo, "provider", "bin");
export const entryName = "pulumi-resource-rocketmq";
export const bundlePath = path.join(outDir, `${entryName}.mjs`);

// @pulumi/pulumi loads these only to serialize JavaScript functions into a program's state
// (closures, dynamic providers), which a provider never does; together they are four fifths of
// the bundle. The stand-in fails loudly, naming the module, should anything ever reach it.
const leftOut = ["typescript", "@npmcli/arborist", "normalize-package-data"];

// The provider server installs source-map-support, which maps stack frames through the source
// maps of the files they point at. The bundle carries none, so it would only read the whole
// bundle looking for one, each time the SDK records where a resource was registered.
const noSourceMaps = {
    name: "no-source-maps",
    setup(build) {
        build.onResolve({ filter: /^source-map-support$/ }, (args) => ({ path: args.path, namespace: "no-source-maps" }));
        build.onLoad({ filter: /.*/, namespace: "no-source-maps" }, () => ({ loader: "js", contents: "exports.install = () => {};" }));
    },
};

const leftOutModules = {
    name: "left-out-modules",
    setup(build) {
        const filter = new RegExp(`^(${leftOut.map((name) => name.replace(/[/.]/g, "\\$&")).join("|")})$`);
        build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "left-out" }));
        build.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
            loader: "js",
            contents: `
                function unavailable() {
                    throw new Error(${JSON.stringify(`${args.path} is not part of the rocketmq plugin bundle: it serializes JavaScript functions, which this provider never does`)});
                }
                module.exports = new Proxy(unavailable, {
                    get: (target, key) => (typeof key === "string" && key !== "then" && key !== "__esModule" ? unavailable : undefined),
                });`,
        }));
    },
};

// `import * as pulumi from "@pulumi/pulumi"` (ours and @pulumi/kubernetes's) evaluates the
// Automation API, which drives the pulumi CLI from a program and which a provider never calls: a
// third of what a construct loads. The bundle loads it when `pulumi.automation` is first read.
const automationOnUse = {
    name: "automation-on-use",
    setup(build) {
        const eager = 'const automation = __importStar(require("./automation"));\nexports.automation = automation;';
        const onUse = 'Object.defineProperty(exports, "automation", { enumerable: true, get: () => __importStar(require("./automation")) });';
        build.onLoad({ filter: /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]index\.js$/ }, async (args) => {
            const text = await fs.promises.readFile(args.path, "utf8");
            if (!text.includes(eager)) {
                throw new Error(`${args.path} no longer requires ./automation as scripts/bundle.mjs expects; look again at what it loads`);
            }
            return { loader: "js", contents: text.replace(eager, onUse) };
        });
    },
};

const commonJsGlobals = [
    'import { createRequire as __bundleCreateRequire } from "node:module";',
    'import { fileURLToPath as __bundleFileURLToPath } from "node:url";',
    "const require = __bundleCreateRequire(import.meta.url);",
    "const __filename = __bundleFileURLToPath(import.meta.url);",
    'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));',
].join("\n");

export async function bundle() {
    fs.rmSync(outDir, { recursive: true, force: true });
    const result = await esbuild.build({
        absWorkingDir: repo,
        entryPoints: { [entryName]: "provider/src/index.ts" },
        outdir: outDir,
        outExtension: { ".js": ".mjs" },
        chunkNames: "chunks/[name]-[hash]",
        bundle: true,
        splitting: true,
        platform: "node",
        target: "node22",
        format: "esm",
        banner: { js: commonJsGlobals },
        // Whitespace and syntax only: identifiers stay, so stack traces in the engine's log stay readable.
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: "none",
        define: { BUNDLED_SCHEMA_TEXT: JSON.stringify(fs.readFileSync(path.join(repo, "schema.json"), "utf8")) },
        plugins: [leftOutModules, noSourceMaps, automationOnUse],
        metafile: true,
        logLevel: "warning",
    });
    if (process.env.BUNDLE_METAFILE) fs.writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
    // A YAML program that loads the plugin by path with a version keeps the schema it read from it,
    // until the plugin's directory is newer than that copy: a new bundle may carry a new schema.
    const now = new Date();
    fs.utimesSync(path.join(repo, "provider", "cmd"), now, now);
    return result;
}

/** The files Node.js reads before the plugin prints its port: the entry and what it imports statically. */
export function loadedAtStart(metafile) {
    const start = new Set();
    const visit = (file) => {
        if (start.has(file)) return;
        start.add(file);
        for (const imported of metafile.outputs[file].imports) {
            if (imported.kind === "import-statement" && metafile.outputs[imported.path]) visit(imported.path);
        }
    };
    visit(path.relative(repo, bundlePath));
    return [...start];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const { metafile } = await bundle();
    const mib = (files) => `${(files.reduce((sum, file) => sum + metafile.outputs[file].bytes, 0) / 1024 / 1024).toFixed(1)} MiB`;
    const all = Object.keys(metafile.outputs);
    const start = loadedAtStart(metafile);
    console.log(`bundled ${path.relative(repo, outDir)}: ${all.length} files, ${mib(all)}; loaded at start: ${start.length} files, ${mib(start)}`);
}
