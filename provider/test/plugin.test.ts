import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RunningPlugin, pluginBundle, pluginBundleDir, pluginExecutable, repoRoot, startPlugin, unary } from "../../tests/support/plugin";
import { scratchDir } from "../../tests/support/scratch";

/** The bundle's files Node.js reads at start: the entry and every file it imports statically, transitively. */
function filesLoadedAtStart(): string[] {
    const loaded = new Set<string>();
    const visit = (file: string) => {
        if (loaded.has(file)) return;
        loaded.add(file);
        for (const [, imported] of fs.readFileSync(file, "utf8").matchAll(/from\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
            visit(path.resolve(path.dirname(file), imported));
        }
    };
    visit(pluginBundle);
    return [...loaded];
}

describe("plugin executable", () => {
    let plugin: RunningPlugin;

    before(async () => {
        plugin = await startPlugin();
    });

    after(async () => {
        await plugin?.stop();
    });

    it("runs compiled JavaScript, never ts-node: the bundle npm run build writes", () => {
        const launcher = fs.readFileSync(pluginExecutable, "utf8");
        assert.match(launcher, /entry="\$here\/\.\.\/bin\/pulumi-resource-rocketmq\.mjs"/);
        assert.match(launcher, /exec node "\$entry"/);
        assert.doesNotMatch(launcher, /ts-node/);
        assert.ok(fs.existsSync(pluginBundle));
    });

    it("prints a port on stdout and serves GetSchema with schema.json", async () => {
        assert.ok(plugin.port > 0);
        const request = new providerProto.GetSchemaRequest();
        const response = await unary<providerProto.GetSchemaRequest, providerProto.GetSchemaResponse>(
            plugin.client.getSchema.bind(plugin.client),
            request,
        );
        const served = response.getSchema();
        assert.strictEqual(served, fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
        const schema = JSON.parse(served);
        assert.strictEqual(schema.name, "rocketmq");
        assert.strictEqual(schema.resources["rocketmq:index:RocketMQCluster"].isComponent, true);
    });

    it("reports the schema's version as the plugin version", async () => {
        const info = await unary<Empty, pluginProto.PluginInfo>(plugin.client.getPluginInfo.bind(plugin.client), new Empty());
        const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
        assert.strictEqual(info.getVersion(), schema.version);
    });

    it("loads at start neither the Kubernetes client, nor @pulumi/kubernetes, nor the admin client: the calls that use them load them", () => {
        const atStart = filesLoadedAtStart();
        const everything = fs.readdirSync(pluginBundleDir, { recursive: true, encoding: "utf8" }).map((file) => path.join(pluginBundleDir, file)).filter((file) => file.endsWith(".mjs"));
        assert.ok(atStart.length < everything.length, `all ${everything.length} files load at start`);
        const signatures = { "the Kubernetes client": "KubeConfig=class", "@pulumi/kubernetes": '"kubernetes:apps/v1:StatefulSet"', "the admin client": "RocketMQAdminClient=class" };
        for (const [what, signature] of Object.entries(signatures)) {
            const holders = everything.filter((file) => fs.readFileSync(file, "utf8").includes(signature));
            assert.ok(holders.length > 0, `no file of the bundle holds ${what} (${signature})`);
            assert.deepEqual(holders.filter((file) => atStart.includes(file)).map((file) => path.basename(file)), [], `${what} loads at start`);
        }
    });

    it("runs from the launcher and the bundle alone, with no node_modules anywhere above them", async () => {
        const dir = scratchDir("rocketmq-plugin-");
        try {
            fs.mkdirSync(path.join(dir, "cmd"));
            fs.cpSync(pluginBundleDir, path.join(dir, "bin"), { recursive: true });
            fs.copyFileSync(pluginExecutable, path.join(dir, "cmd", "pulumi-resource-rocketmq"));
            fs.chmodSync(path.join(dir, "cmd", "pulumi-resource-rocketmq"), 0o755);
            // NODE_PATH could otherwise find this repository's node_modules.
            const { NODE_PATH: _unused, ...env } = process.env;
            const alone = await startPlugin(20_000, path.join(dir, "cmd", "pulumi-resource-rocketmq"), env);
            try {
                const schema = await unary<providerProto.GetSchemaRequest, providerProto.GetSchemaResponse>(
                    alone.client.getSchema.bind(alone.client),
                    new providerProto.GetSchemaRequest(),
                );
                assert.strictEqual(schema.getSchema(), fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
                // A check loads the TopicTransfer handler and its input schemas on first use: they are inside the bundle too.
                const check = new providerProto.CheckRequest();
                check.setUrn("urn:pulumi:dev::proj::rocketmq:index:TopicTransfer::move");
                check.setType("rocketmq:index:TopicTransfer");
                check.setOlds(Struct.fromJavaScript({}));
                check.setNews(Struct.fromJavaScript({ topic: "TBW102", sourceCluster: "a", targetCluster: "b", nameServerAddresses: "ns:9876" }));
                const checked = await unary<providerProto.CheckRequest, providerProto.CheckResponse>(alone.client.check.bind(alone.client), check);
                assert.deepStrictEqual(
                    checked.getFailuresList().map((failure) => failure.getProperty()),
                    ["topic"],
                );
            } finally {
                await alone.stop();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an unknown resource type by name", async () => {
        const request = new providerProto.CheckRequest();
        request.setUrn("urn:pulumi:dev::proj::rocketmq:index:Nope::x");
        request.setType("rocketmq:index:Nope");
        request.setOlds(Struct.fromJavaScript({}));
        request.setNews(Struct.fromJavaScript({}));
        await assert.rejects(
            unary(plugin.client.check.bind(plugin.client), request),
            /unknown resource type rocketmq:index:Nope/,
        );
    });
});

describe("YAML programs that load the plugin by path", () => {
    const programs = ["Pulumi.yaml", "examples", "tests"]
        .flatMap((top) => (top.endsWith(".yaml") ? [top] : fs.readdirSync(path.join(repoRoot, top), { recursive: true, encoding: "utf8" }).map((file) => path.join(top, file))))
        .filter((file) => path.basename(file) === "Pulumi.yaml" && !file.includes("node_modules"))
        .map((file) => ({ file, text: fs.readFileSync(path.join(repoRoot, file), "utf8") }))
        .filter(({ text }) => /^runtime: yaml$/m.test(text) && /path: \S*provider\/cmd$/m.test(text));

    it("name the plugin's version, so the YAML host keeps its schema between runs rather than starting the plugin for it", () => {
        const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, "schema.json"), "utf8"));
        assert.ok(programs.length >= 3, `only ${programs.map(({ file }) => file).join(", ")}`);
        for (const { file, text } of programs) {
            const entry = /- name: rocketmq\n\s+path: \S*provider\/cmd\n(?:\s+#.*\n)*\s+version: (\S+)\n/.exec(text);
            assert.equal(entry?.[1], version, `${file}: its rocketmq plugin entry names version ${entry?.[1]}, schema.json ${version}`);
        }
    });

    it("read a rebuilt schema again: npm run build marks provider/cmd no older than the bundle it wrote, which voids the schema a YAML host kept", () => {
        const marked = fs.statSync(path.dirname(pluginExecutable)).mtimeMs;
        assert.ok(marked >= fs.statSync(pluginBundle).mtimeMs, "provider/cmd is older than the bundle");
    });
});
