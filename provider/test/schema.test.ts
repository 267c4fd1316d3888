import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterArgsSchema } from "../src/inputs/cluster";
import { clusterOutputNames, rocketMQClusterToken } from "../src/cluster";
import { PackageSchemaJson, kubernetesVersion, loadSchema, inputDifferences as differencesOf, schemaJsonShape, schemaText } from "./schemaDrift";

function inputDifferences(schema: PackageSchemaJson): string[] {
    return differencesOf(schema, rocketMQClusterToken, clusterArgsSchema);
}

/** Every property object reachable from the resource, with its dotted path. */
function walkProperties(schema: PackageSchemaJson, properties: Record<string, any>, prefix: string, seen = new Set<string>()): [string, any][] {
    return Object.entries(properties).flatMap(([name, property]) => {
        const here: [string, any][] = [[`${prefix}${name}`, property]];
        const ref = property.$ref ?? property.items?.$ref;
        const local = typeof ref === "string" ? /^#\/types\/(.+)$/.exec(ref)?.[1] : undefined;
        if (local && !seen.has(local) && schema.types[local].properties) {
            seen.add(local);
            return [...here, ...walkProperties(schema, schema.types[local].properties, `${prefix}${name}.`, seen)];
        }
        return here;
    });
}

describe("schema.json", () => {
    const schema = loadSchema();

    it("is the rocketmq package, version 0.1.0, with RocketMQCluster as a component", () => {
        assert.strictEqual(schema.name, "rocketmq");
        assert.strictEqual(schema.version, "0.1.0");
        assert.strictEqual(schema.resources[rocketMQClusterToken].isComponent, true);
        assert.deepStrictEqual(Object.keys(schema.language).sort(), ["csharp", "go", "java", "nodejs", "python"]);
        assert.deepStrictEqual(Object.keys(schema.language.nodejs.dependencies).sort(), ["@pulumi/kubernetes", "@pulumi/pulumi"]);
    });

    it("names the package for publishing under the project's own namespace, in every language", () => {
        const repository = "github.com/pulumi-rocketmq/pulumi-rocketmq";
        assert.strictEqual(schema.namespace, "pulumi-rocketmq");
        assert.strictEqual(schema.repository, `https://${repository}`);
        assert.strictEqual(schema.language.nodejs.packageName, "@pulumi-rocketmq/rocketmq");
        // PyPI has no scopes, so the namespace would only repeat the name: the project and module
        // are called after the repository, as `pip install pulumi_rocketmq` / `import pulumi_rocketmq`.
        assert.strictEqual(schema.language.python.packageName, "pulumi_rocketmq");
        assert.strictEqual(schema.language.go.importBasePath, `${repository}/sdk/go/rocketmq`);
        assert.strictEqual(`${schema.language.csharp.rootNamespace}.${schema.language.csharp.namespaces.rocketmq}`, "PulumiRocketMQ.RocketMQ");
        assert.strictEqual(schema.language.java.basePackage, "io.github.pulumirocketmq");
        // The engine downloads the plugin from the project's own releases (github:// takes the
        // asset pulumi-resource-rocketmq-v<version>-<os>-<arch>.tar.gz of release v<version>).
        assert.strictEqual(schema.pluginDownloadURL, `github://api.${repository}`);
    });

    it("carries the Registry's metadata: display name, publisher, a logo file of the repo, category and kind", () => {
        assert.strictEqual(schema.displayName, "RocketMQ");
        assert.strictEqual(schema.publisher, "pulumi-rocketmq");
        const logo = /^https:\/\/raw\.githubusercontent\.com\/pulumi-rocketmq\/pulumi-rocketmq\/main\/(.+)$/.exec(schema.logoUrl);
        assert.ok(logo, `logoUrl ${schema.logoUrl} is not a file of the repository`);
        assert.ok(fs.existsSync(path.join(__dirname, "..", "..", logo[1])), `${logo[1]} is missing`);
        const categories = schema.keywords.filter((k: string) => k.startsWith("category/"));
        const kinds = schema.keywords.filter((k: string) => k.startsWith("kind/"));
        assert.deepStrictEqual(categories, ["category/infrastructure"]);
        assert.deepStrictEqual(kinds, ["kind/component"]);
    });

    it("has the version of package.json: one number for the plugin, its archives and the SDKs", () => {
        const packageJson = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
        assert.strictEqual(packageJson.version, schema.version);
    });

    it("describes the same inputs as the zod schemas (names, types, required, enums)", () => {
        assert.deepStrictEqual(inputDifferences(schema), []);
    });

    it("would notice a property that only one side has", () => {
        const gained = loadSchema();
        gained.types["rocketmq:index:BrokerSpec"].properties.compression = { type: "string", description: "x" };
        assert.deepStrictEqual(inputDifferences(gained), ["broker.compression: only in schema.json"]);

        const lost = loadSchema();
        delete lost.types["rocketmq:index:ConsoleSpec"].properties.nodePort;
        assert.deepStrictEqual(inputDifferences(lost), ["console.nodePort: only in the zod schema"]);

        const retyped = loadSchema();
        retyped.types["rocketmq:index:BrokerSpec"].properties.replicaPerGroup = { type: "string" };
        assert.deepStrictEqual(inputDifferences(retyped), ["broker.replicaPerGroup: zod has integer, schema.json has string"]);

        const required = loadSchema();
        required.types["rocketmq:index:JvmMemory"].required = ["heap"];
        assert.deepStrictEqual(inputDifferences(required), [
            "broker.jvmMemory.heap: required in schema.json only",
            "controller.jvmMemory.heap: required in schema.json only",
            "nameServer.jvmMemory.heap: required in schema.json only",
            "proxy.jvmMemory.heap: required in schema.json only",
        ]);

        const enumChanged = loadSchema();
        enumChanged.types["rocketmq:index:StorageMode"].enum.push({ value: "NFS" });
        assert.strictEqual(inputDifferences(enumChanged).length, 2, "both specs use StorageMode");
    });

    it("lists the component's outputs exactly as the component declares them", () => {
        const outputs = schema.resources[rocketMQClusterToken].properties;
        assert.deepStrictEqual(Object.keys(outputs).sort(), [...clusterOutputNames].sort());
        const groupInfo = schemaJsonShape(schema, outputs.brokerGroups);
        assert.deepStrictEqual(groupInfo, {
            kind: "array",
            items: {
                kind: "object",
                properties: {
                    index: { required: true, shape: { kind: "integer" } },
                    brokerName: { required: true, shape: { kind: "string" } },
                    masterPodName: { required: true, shape: { kind: "string" } },
                    replicaPodNames: { required: true, shape: { kind: "array", items: { kind: "string" } } },
                    inSyncReplicaPodNames: { required: false, shape: { kind: "array", items: { kind: "string" } } },
                },
            },
        });
    });

    it("describes every input and output for the registry", () => {
        const resource = schema.resources[rocketMQClusterToken];
        const undocumented = [
            ...walkProperties(schema, resource.inputProperties, ""),
            ...walkProperties(schema, resource.properties, "outputs."),
        ].filter(([, property]) => typeof property.description !== "string" || property.description.length < 20)
            .map(([name]) => name);
        assert.deepStrictEqual(undocumented, []);
        assert.ok(resource.description.length > 100);
    });

    it("references Kubernetes types from the installed kubernetes package's version instead of re-declaring them", () => {
        const refs = schemaText().match(/"\$ref": "\/kubernetes\/[^"]+"/g) ?? [];
        assert.ok(refs.length >= 10);
        for (const ref of refs) {
            assert.ok(ref.startsWith(`"$ref": "/kubernetes/v${kubernetesVersion}/schema.json#/types/kubernetes:`), ref);
        }
        assert.deepStrictEqual(schema.dependencies, [{ name: "kubernetes", version: kubernetesVersion }]);
        assert.ok(!Object.keys(schema.types).some((token) => !token.startsWith("rocketmq:index:")));
    });

    // The component registers its Kubernetes objects with the kubernetes plugin of the @pulumi/kubernetes
    // it is built with. An SDK that lets its language's resolver pick a newer kubernetes SDK makes the
    // program ask for another plugin than the one in the stack: the engine fetches it, and refresh and
    // destroy warn about an older version of package 'kubernetes' than the program's.
    it("has every SDK ask for the kubernetes SDK of the plugin the component registers its objects with", () => {
        const sdk = (file: string) => fs.readFileSync(path.join(__dirname, "..", "..", "sdk", file), "utf8");
        const version = kubernetesVersion.replace(/\./g, "\\.");
        assert.strictEqual(schema.language.nodejs.dependencies["@pulumi/kubernetes"], kubernetesVersion);
        assert.strictEqual(JSON.parse(sdk("nodejs/package.json")).dependencies["@pulumi/kubernetes"], kubernetesVersion);
        // pip installs the newest release a requirement allows.
        assert.strictEqual(schema.language.python.requires.pulumi_kubernetes, `==${kubernetesVersion}`);
        assert.match(sdk("python/setup.py"), new RegExp(`'pulumi_kubernetes==${version}'`));
        // NuGet resolves a plain version to the lowest release it allows, that very one; "4.*" is the newest 4.x.
        assert.strictEqual(schema.language.csharp.packageReferences["Pulumi.Kubernetes"], kubernetesVersion);
        assert.match(sdk("dotnet/PulumiRocketMQ.RocketMQ.csproj"), new RegExp(`<PackageReference Include="Pulumi.Kubernetes" Version="${version}"`));
        // Go's minimal version selection takes the version go.mod requires.
        assert.match(sdk("go.mod"), new RegExp(`^\\s*github\\.com/pulumi/pulumi-kubernetes/sdk/v4 v${version}$`, "m"));
        assert.strictEqual(schema.language.java.dependencies["com.pulumi:kubernetes"], kubernetesVersion);
    });
});
