// Bundles the plugin into one JavaScript file, provider/bin/pulumi-resource-rocketmq.js, with
// schema.json inside it: the engine starts the plugin for every preview, and one file loads
// faster than the two hundred modules the provider server alone would otherwise read.
// Resource handlers stay lazy inside the bundle: a module first required on use is only
// evaluated when a call needs it.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(repo, "provider", "bin");
export const bundlePath = path.join(outDir, "pulumi-resource-rocketmq.js");

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

export async function bundle() {
    fs.rmSync(outDir, { recursive: true, force: true });
    const result = await esbuild.build({
        absWorkingDir: repo,
        entryPoints: ["provider/src/index.ts"],
        outfile: bundlePath,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        // Whitespace and syntax only: identifiers stay, so stack traces in the engine's log stay readable.
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: "none",
        define: { BUNDLED_SCHEMA_TEXT: JSON.stringify(fs.readFileSync(path.join(repo, "schema.json"), "utf8")) },
        plugins: [leftOutModules, noSourceMaps],
        metafile: Boolean(process.env.BUNDLE_METAFILE),
        logLevel: "warning",
    });
    if (result.metafile) fs.writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
    return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    await bundle();
    console.log(`bundled ${path.relative(repo, bundlePath)} (${(fs.statSync(bundlePath).size / 1024 / 1024).toFixed(1)} MiB)`);
}
