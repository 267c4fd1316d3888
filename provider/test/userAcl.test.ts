// User and Acl: schema.json and the zod schemas describe the same inputs; bad input is refused at
// check with the field and the rule; policies come back in one order; nothing here contacts RocketMQ.
import * as assert from "assert";
import { aclArgsSchema } from "../src/inputs/acl";
import { userArgsSchema } from "../src/inputs/user";
import { aclHandler, aclOutputNames, aclToken } from "../src/resources/acl";
import { userHandler, userOutputNames, userToken } from "../src/resources/user";
import { AdminClientFactory } from "../src/resources/adminClients";
import { inputDifferences, loadSchema } from "./schemaDrift";

const noAdmin: AdminClientFactory = {
    open: () => {
        throw new Error("check and diff must not contact RocketMQ");
    },
};
const ns = "127.0.0.1:9876";
const user = { username: "orders-app", password: "orders-pass", clusterName: "DefaultCluster", nameServerAddresses: ns };
const entry = { resource: "Topic:orders", actions: ["Pub"] };
const acl = { subject: "User:orders-app", policies: [{ entries: [entry] }], clusterName: "DefaultCluster", nameServerAddresses: ns };

describe("schema.json User and Acl", () => {
    for (const [token, argsSchema, outputNames] of [
        [userToken, userArgsSchema, userOutputNames],
        [aclToken, aclArgsSchema, aclOutputNames],
    ] as const) {
        it(`${token} is a custom resource with the zod schema's inputs, and every property described`, () => {
            const schema = loadSchema();
            const resource = schema.resources[token];
            assert.strictEqual(resource.isComponent, undefined);
            assert.deepStrictEqual(inputDifferences(schema, token, argsSchema), []);
            assert.deepStrictEqual(Object.keys(resource.properties).sort(), [...Object.keys(resource.inputProperties), ...outputNames].sort());
            for (const [name, property] of Object.entries<any>(resource.properties)) {
                assert.ok(typeof property.description === "string" && property.description.length >= 20, `${name} is described`);
            }
            assert.strictEqual(resource.inputProperties.credentials.secret, true);
        });
    }
});

const badUsers: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a Normal user without a password", { password: undefined, userType: "Normal" }, "password", /is required: a user without a password cannot sign a request/],
    ["a name with a space", { username: "orders app" }, "username", /1-64 letters, digits/],
    ["an unknown type", { userType: "Admin" }, "userType", /must be one of Super, Normal/],
    ["an unknown status", { userStatus: "off" }, "userStatus", /must be one of enable, disable/],
    ["no cluster", { clusterName: undefined }, "clusterName", /./],
];
const badAcls: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["an unknown action", { policies: [{ entries: [{ ...entry, actions: ["Publish"] }] }] }, "policies[0].entries[0].actions[0]", /must be one of All, Pub, Sub, Create, Update, Delete, Get, List/],
    ["a resource pattern without a type", { policies: [{ entries: [{ ...entry, resource: "orders" }] }] }, "policies[0].entries[0].resource", /must be \* or <type>:<name>/],
    ["an unknown resource type", { policies: [{ entries: [{ ...entry, resource: "Queue:orders" }] }] }, "policies[0].entries[0].resource", /the type one of Cluster, Namespace, Topic, Group/],
    ["a bad source IP", { policies: [{ entries: [{ ...entry, sourceIps: ["10.0.0.0/33"] }] }] }, "policies[0].entries[0].sourceIps[0]", /IPv4 or IPv6 address, or a CIDR block/],
    ["an unknown decision", { policies: [{ entries: [{ ...entry, decision: "Maybe" }] }] }, "policies[0].entries[0].decision", /Allow or Deny/],
    ["no actions", { policies: [{ entries: [{ ...entry, actions: [] }] }] }, "policies[0].entries[0].actions", /at least one action/],
    ["a subject that is no user", { subject: "orders-app" }, "subject", /must be User:<username>/],
    ["a resource twice", { policies: [{ entries: [entry, { ...entry, actions: ["Sub"] }] }] }, "policies[0].entries[1].resource", /appears twice/],
];

describe("User and Acl check", () => {
    for (const [kind, handler, base, cases] of [
        ["User", userHandler(noAdmin), user, badUsers],
        ["Acl", aclHandler(noAdmin), acl, badAcls],
    ] as const) {
        for (const [rule, args, property, reason] of cases) {
            it(`${kind} refuses ${rule} on ${property}`, async () => {
                const news = Object.fromEntries(Object.entries({ ...base, ...args }).filter(([, v]) => v !== undefined));
                const result = await handler.check("urn", {}, news);
                const failure = result.failures?.find((f) => f.property === property);
                assert.ok(failure, `expected a failure on ${property}, got ${JSON.stringify(result.failures)}`);
                assert.match(failure.reason, reason);
            });
        }
    }

    it("Acl accepts every documented pattern, fills defaults and puts policies in one order", async () => {
        const news = {
            ...acl,
            policies: [{ entries: [{ resource: "Topic:orders", actions: ["Sub", "Pub"], sourceIps: ["10.0.0.0/8", "::1"] }, { resource: "Group:billing-*", actions: ["All"] }, { resource: "Topic:*", actions: ["Get"], decision: "Deny" }, { resource: "*", actions: ["List"] }] }],
        };
        const result = await aclHandler(noAdmin).check("urn", {}, news);
        assert.deepStrictEqual(result.failures ?? [], []);
        assert.deepStrictEqual((result.inputs as any).policies, [{
            policyType: "Custom",
            entries: [
                { resource: "*", actions: ["List"], decision: "Allow" },
                { resource: "Group:billing-*", actions: ["All"], decision: "Allow" },
                { resource: "Topic:*", actions: ["Get"], decision: "Deny" },
                { resource: "Topic:orders", actions: ["Pub", "Sub"], sourceIps: ["10.0.0.0/8", "::1"], decision: "Allow" },
            ],
        }]);
    });

    it("a reordered ACL is no change; another action is; another subject replaces it", async () => {
        const handler = aclHandler(noAdmin);
        const olds = { ...acl, policies: [{ policyType: "Custom", entries: [{ resource: "Topic:orders", actions: ["Pub", "Sub"], decision: "Allow" }] }] };
        const reordered = { ...acl, policies: [{ entries: [{ resource: "Topic:orders", actions: ["Sub", "Pub"] }] }] };
        assert.strictEqual((await handler.diff("id", olds, reordered)).changes, false);
        const more = { ...acl, policies: [{ entries: [{ resource: "Topic:orders", actions: ["Pub", "Sub", "Get"] }] }] };
        assert.deepStrictEqual(await handler.diff("id", olds, more), { changes: true, replaces: [], deleteBeforeReplace: true });
        assert.deepStrictEqual((await handler.diff("id", olds, { ...reordered, subject: "User:other" })).replaces, ["subject"]);
        assert.strictEqual((await handler.diff("id", { ...olds, driftedOn: ["broker-0 #1"] }, reordered)).changes, true, "drift found by refresh is a change");
    });
});
