import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RunningPlugin, repoRoot, startPlugin, unary } from "../../tests/support/plugin";

describe("plugin executable", () => {
    let plugin: RunningPlugin;

    before(async () => {
        plugin = await startPlugin();
    });

    after(async () => {
        await plugin?.stop();
    });

    it("runs compiled JavaScript, never ts-node", () => {
        const launcher = fs.readFileSync(path.join(repoRoot, "provider", "cmd", "pulumi-resource-rocketmq"), "utf8");
        assert.match(launcher, /exec node "\$entry"/);
        assert.doesNotMatch(launcher, /ts-node/);
        assert.ok(fs.existsSync(path.join(repoRoot, "provider", "bin", "index.js")));
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
