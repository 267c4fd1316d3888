// RocketMQCluster's `auth`: what it renders into the brokers' config, where the password goes, the
// keys the component's own operations and the adminCredentials output carry, and what is refused.
import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { proxyAuthConfigKeys } from "../src/inputs/auth";
import { validateClusterArgs } from "../src/inputs/cluster";
import { ClusterInputs } from "../src/inputs/clusterInputs";
import { clusterInputWarnings } from "../src/inputs/clusterWarnings";
import { constructCluster, kind, outputValue } from "./clusterHarness";

const password = "Sup3r-s3cret-pass";
const auth = { enabled: true, superUserName: "admin", superUserPassword: password };

function isSecretWrapper(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

function unwrapped(value: any): any {
    if (isSecretWrapper(value)) return unwrapped(value.value);
    if (Array.isArray(value)) return value.map(unwrapped);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, unwrapped(element)]));
    return value;
}

/** Paths where `text` appears outside a secret wrapper. */
function plaintextPaths(value: unknown, text: string, path = ""): string[] {
    if (isSecretWrapper(value)) return [];
    if (typeof value === "string") return value.includes(text) ? [path] : [];
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, element]) => plaintextPaths(element, text, `${path}.${key}`));
    return [];
}

describe("RocketMQCluster auth (ACL 2.0)", () => {
    it("turns authentication and authorization on in every broker's config, the super user and inner keys only in the group's Secret", async () => {
        // A plain (not secret) password in the program still never reaches a ConfigMap.
        const cluster = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2" }, auth });
        for (const key of ["master.conf", "replica-1.conf"]) {
            const plain = cluster.object(kind.configMap, "broker-0-config").data[key];
            assert.match(plain, /^authenticationEnabled=true$/m);
            assert.match(plain, /^authorizationEnabled=true$/m);
            assert.match(plain, /^authenticationMetadataProvider=org\.apache\.rocketmq\.auth\.authentication\.provider\.LocalAuthenticationMetadataProvider$/m);
            assert.doesNotMatch(plain, /initAuthenticationUser|innerClientAuthenticationCredentials|Sup3r/);
            const secret = cluster.object(kind.secret, "broker-0-secret");
            assert.ok(isSecretWrapper(secret.stringData), "the Secret's data is stored secret");
            const conf = unwrapped(secret.stringData)[key];
            assert.match(conf, /^initAuthenticationUser=\{"username":"admin","password":"Sup3r-s3cret-pass"\}$/m);
            assert.match(conf, /^innerClientAuthenticationCredentials=\{"accessKey":"admin","secretKey":"Sup3r-s3cret-pass"\}$/m);
        }
        for (const object of [...cluster.objects, ...cluster.providedAll]) {
            assert.deepStrictEqual(plaintextPaths(object.inputs, password), [], `${object.type} ${object.name} holds the password in plain text`);
        }
    });

    it("signs the component's own operations and outputs the super user's keys as a secret", async () => {
        const cluster = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2" }, auth });
        for (const type of ["rocketmq:index:BrokerScaling", "rocketmq:index:BrokerConfigPush"]) {
            const inputs = cluster.provided[type].inputs;
            assert.ok(isSecretWrapper(inputs.credentials), `${type} gets its credentials as a secret`);
            assert.deepStrictEqual(unwrapped(inputs.credentials), { accessKey: "admin", secretKey: password });
        }
        const output = cluster.state.adminCredentials as unknown as { isSecret: Promise<boolean> };
        assert.strictEqual(await output.isSecret, true);
        assert.deepStrictEqual(await outputValue(cluster.state.adminCredentials), { accessKey: "admin", secretKey: password });
    });

    it("records auth as a setting that takes effect on a restart, so allowRestart false warns that running brokers keep what they have", async () => {
        const cluster = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2", allowRestart: false }, auth });
        const restart = unwrapped(cluster.provided["rocketmq:index:BrokerConfigPush"].inputs.restartSettings);
        assert.deepStrictEqual(Object.keys(restart).filter((key) => key.startsWith("auth.")).sort(), ["auth.enabled", "auth.superUserName"]);
        const { brokerConfigPushHandler } = await import("../src/resources/brokerConfigPush");
        const lines: string[] = [];
        const handler = brokerConfigPushHandler(undefined, () => ({ info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(`warn: ${m}`) }));
        const base = { brokerClusterName: "DefaultCluster", namesrvAddr: "127.0.0.1:9876", settings: {}, allowRestart: false, connection: "direct" };
        const off = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2", allowRestart: false } });
        const before = unwrapped(off.provided["rocketmq:index:BrokerConfigPush"].inputs.restartSettings);
        assert.ok(!Object.keys(before).some((key) => key.startsWith("auth.")), "a cluster without auth keeps its digests");
        await handler.diff("id", { ...base, restartSettings: before }, { ...base, restartSettings: restart }, "urn:push");
        assert.match(lines.join("\n"), /warn: cluster DefaultCluster: auth\.enabled, auth\.superUserName changed and take effect only when the brokers restart; allowRestart is false/);
    });

    it("without auth renders no auth keys, gives no credentials and outputs none", async () => {
        const cluster = await constructCluster({});
        assert.doesNotMatch(cluster.object(kind.configMap, "broker-0-config").data["master.conf"], /authentication|authorization/);
        assert.strictEqual(cluster.provided["rocketmq:index:BrokerScaling"].inputs.credentials, undefined);
        assert.strictEqual(await outputValue(cluster.state.adminCredentials), undefined);
    });

    it("without a password generates one once, kept secret, for the brokers and the adminCredentials output", async () => {
        const cluster = await constructCluster({ auth: { enabled: true } }, "gen");
        const generators = cluster.providedAll.filter((object) => object.type === "rocketmq:index:GeneratedPassword");
        assert.deepStrictEqual(generators.map((object) => object.name), ["gen-super-user-password"]);
        const conf = unwrapped(cluster.object(kind.secret, "broker-0-secret").stringData)["master.conf"];
        assert.match(conf, /^initAuthenticationUser=\{"username":"rocketmq-admin","password":"generated-gen-super-user-password"\}$/m);
        assert.deepStrictEqual(await outputValue(cluster.state.adminCredentials), { accessKey: "rocketmq-admin", secretKey: "generated-gen-super-user-password" });
        assert.strictEqual(await (cluster.state.adminCredentials as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        const given = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2" }, auth });
        assert.ok(!given.providedAll.some((object) => object.type === "rocketmq:index:GeneratedPassword"), "a given password generates none");
    });

    const refusals: Array<[string, unknown, string, RegExp]> = [
        ["an image older than 5.3.0", { broker: { image: "apache/rocketmq:5.2.0" }, auth }, "auth.enabled", /apache\/rocketmq:5\.2\.0 has no ACL 2\.0 \(RocketMQ 5\.3\.0 and later\)/],
        ["a 4.x image", { broker: { image: "apache/rocketmq:4.9.7" }, auth }, "auth.enabled", /has no ACL 2\.0/],
        ["a short password", { auth: { enabled: true, superUserPassword: "short" } }, "auth.superUserPassword", /at least 8 characters/],
        ["a bad user name", { auth: { ...auth, superUserName: "bad name!" } }, "auth.superUserName", /1-64 letters, digits/],
        ["a proxy image older than 5.3.0", { broker: { image: "apache/rocketmq:5.3.2" }, proxy: { enabled: true, image: "apache/rocketmq:5.2.0" }, auth }, "proxy.image", /apache\/rocketmq:5\.2\.0 has no ACL 2\.0 .*would let clients in unchecked/],
        ["a proxy property the provider writes for auth", { proxy: { enabled: true, properties: { authenticationEnabled: "false" } }, auth }, "proxy.properties.authenticationEnabled", /is written by the provider while auth is on/],
        ["the proxies' own signing keys", { proxy: { enabled: true, properties: { innerClientAuthenticationCredentials: "{}" } }, auth }, "proxy.properties.innerClientAuthenticationCredentials", /written by the provider while auth is on/],
    ];
    for (const [rule, args, property, reason] of refusals) {
        it(`refuses ${rule} at check time, naming ${property}`, () => {
            const validation = validateClusterArgs(args);
            assert.ok(!validation.ok, "should be refused");
            const failure = validation.failures.find((candidate) => candidate.property === property);
            assert.ok(failure, `no failure at ${property}: ${JSON.stringify(validation.failures)}`);
            assert.match(failure.reason, reason);
            assert.ok(!JSON.stringify(validation.failures).includes(password));
        });
    }

    it("lets auth through on 5.3 and later and on an image whose tag names no release, with or without proxies", () => {
        for (const image of ["apache/rocketmq:5.3.0", "apache/rocketmq:5.5.1", "apache/rocketmq:latest"]) {
            const validation = validateClusterArgs({ broker: { image }, auth });
            assert.ok(validation.ok, `${image}: ${JSON.stringify(!validation.ok && validation.failures)}`);
            const withProxies = validateClusterArgs({ broker: { image }, proxy: { enabled: true, image, properties: { grpcThreadPoolNums: "8" } }, auth });
            assert.ok(withProxies.ok, `${image} with proxies: ${JSON.stringify(!withProxies.ok && withProxies.failures)}`);
        }
        // Without auth the keys are the user's to set.
        assert.ok(validateClusterArgs({ proxy: { enabled: true, properties: { authenticationEnabled: "false" } } }).ok);
    });

    describe("on the proxies", () => {
        const proxyAuthKeys = {
            authenticationEnabled: true,
            authorizationEnabled: true,
            authenticationProvider: "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider",
            authorizationProvider: "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider",
            authenticationMetadataProvider: "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider",
            authorizationMetadataProvider: "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider",
            enableAclRpcHookForClusterMode: true,
        };

        it("turns ACL 2.0 on in rmq-proxy.json with the proxies' own keys, the file only in the proxy Secret", async () => {
            const cluster = await constructCluster({ broker: { image: "apache/rocketmq:5.3.2" }, proxy: { enabled: true }, auth });
            assert.ok(!cluster.objects.some((object) => object.type === kind.configMap && object.name === "proxy-config"), "no proxy ConfigMap");
            const secret = cluster.object(kind.secret, "proxy-secret");
            assert.ok(isSecretWrapper(secret.stringData), "the Secret's data is stored secret");
            const config = JSON.parse(unwrapped(secret.stringData)["rmq-proxy.json"]);
            assert.deepStrictEqual(Object.fromEntries(proxyAuthConfigKeys.map((key) => [key, config[key]])), {
                ...proxyAuthKeys,
                innerClientAuthenticationCredentials: JSON.stringify({ accessKey: "admin", secretKey: password }),
            });
            assert.strictEqual(config.initAuthenticationUser, undefined, "only brokers create the super user");
            const deployment = cluster.object(kind.deployment, "proxy");
            assert.deepStrictEqual(deployment.spec.template.spec.volumes[0].secret, { secretName: "proxy-secret", items: [{ key: "rmq-proxy.json", path: "rmq-proxy.json" }] });
            assert.ok(deployment.spec.template.metadata.annotations["rocketmq/secret-version"], "a new Secret version rolls the proxies");
            for (const object of [...cluster.objects, ...cluster.providedAll]) {
                assert.deepStrictEqual(plaintextPaths(object.inputs, password), [], `${object.type} ${object.name} holds the password in plain text`);
            }
        });

        it("signs with the generated password when none is given", async () => {
            const cluster = await constructCluster({ proxy: { enabled: true }, auth: { enabled: true } }, "genproxy");
            const config = JSON.parse(unwrapped(cluster.object(kind.secret, "proxy-secret").stringData)["rmq-proxy.json"]);
            assert.strictEqual(config.innerClientAuthenticationCredentials, JSON.stringify({ accessKey: "rocketmq-admin", secretKey: "generated-genproxy-super-user-password" }));
        });

        it("warns at preview that 5.3 brokers with auth give gRPC consumers through the proxies nothing, naming broker.image", () => {
            const warnings = (args: unknown) => {
                const validation = validateClusterArgs(args);
                assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.failures));
                return clusterInputWarnings(validation.value as unknown as ClusterInputs).map((warning) => `${warning.property}: ${warning.message}`);
            };
            const [warning, ...others] = warnings({ broker: { image: "apache/rocketmq:5.3.2" }, proxy: { enabled: true }, auth });
            assert.match(warning, /^broker\.image: apache\/rocketmq:5\.3\.2 with auth and proxies: .*gRPC consumers through the proxies get no message \(sending works; fixed in 5\.4\.0\)/);
            assert.deepStrictEqual(others, []);
            assert.equal(warnings({ broker: { image: "registry.example/rocketmq:5.3.3-alpine" }, proxy: { enabled: true }, auth }).length, 1, "a suffixed 5.3 tag is a 5.3 release");
            assert.deepStrictEqual(warnings({ broker: { image: "apache/rocketmq:5.4.0" }, proxy: { enabled: true }, auth }), []);
            assert.deepStrictEqual(warnings({ broker: { image: "apache/rocketmq:5.3.2" }, auth }), []);
            assert.deepStrictEqual(warnings({ broker: { image: "apache/rocketmq:5.3.2" }, proxy: { enabled: true } }), []);
        });

        it("without auth keeps rmq-proxy.json in a ConfigMap, with no auth key", async () => {
            const cluster = await constructCluster({ proxy: { enabled: true } });
            const config = JSON.parse(cluster.object(kind.configMap, "proxy-config").data["rmq-proxy.json"]);
            assert.deepStrictEqual(proxyAuthConfigKeys.filter((key) => key in config), []);
        });
    });
});

describe("GeneratedPassword", () => {
    it("makes a random password of letters and digits once, keeps it secret, and a rerun changes nothing", async () => {
        const { generatedPasswordHandler, randomPassword } = await import("../src/resources/generatedPassword");
        const handler = generatedPasswordHandler();
        const created = await handler.create("urn", (await handler.check("urn", {}, { length: 24 })).inputs);
        const result = created.outs!.result as Record<string, unknown>;
        assert.ok(isSecretWrapper(result));
        assert.match(String(result.value), /^[A-Za-z0-9]{24}$/);
        assert.notStrictEqual(randomPassword(24), randomPassword(24));
        assert.deepStrictEqual(await handler.diff("id", created.outs!, { length: 24 }), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.deepStrictEqual((await handler.check("urn", {}, { length: 8 })).failures?.map((f) => f.property), ["length"]);
    });
});
