// Topic and ConsumerGroup reach RocketMQ the way TopicTransfer does: every operation opens a cluster
// connection with the resource's connection mode and kubeconfig, and closes it when it ends, also
// when RocketMQ fails it. A new mode or kubeconfig is an update that contacts nothing. Mock admins only.
import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { RocketMQAdminClient } from "../src/admin/client";
import type { ClusterAccess } from "../src/connect/clusterConnection";
import type { CustomResourceHandler } from "../src/handlers";
import type { ProgressLog } from "../src/ops/progressLog";
import { AdminClientFactory } from "../src/resources/adminClients";
import { consumerGroupHandler, consumerGroupToken } from "../src/resources/consumerGroup";
import { topicHandler, topicToken } from "../src/resources/topic";
import { loadSchema } from "./schemaDrift";

const ns = "127.0.0.1:9876";
const kubeconfig = "apiVersion: v1\nkind: Config\n";
const secret = (value: string) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

/** Records each open and close; the client answers every call by failing as an unreachable broker would. */
function recordingAdmins() {
    const events: string[] = [];
    const accesses: ClusterAccess[] = [];
    const client = new Proxy({} as RocketMQAdminClient, {
        get: (_target, method) => async () => {
            events.push(`call ${String(method)}`);
            throw new Error("broker unreachable");
        },
    });
    const factory: AdminClientFactory = {
        async open(access: ClusterAccess, _log: ProgressLog) {
            accesses.push({ ...access });
            events.push("open");
            return { client, close: () => void events.push("close") };
        },
    };
    return { factory, events, accesses };
}

const quiet = () => ({ info() {}, warn() {} });

const kinds: Array<[string, (admins: AdminClientFactory) => CustomResourceHandler, Record<string, unknown>]> = [
    ["Topic", (admins) => topicHandler(admins, quiet), { name: "orders", clusterName: "c", nameServerAddresses: ns }],
    ["ConsumerGroup", (admins) => consumerGroupHandler(admins, quiet), { name: "billing", clusterName: "c", nameServerAddresses: ns }],
];

for (const [kind, handlerWith, inputs] of kinds) {
    describe(`${kind} reaches RocketMQ through the cluster connection`, () => {
        it("check fills in connection auto and keeps a given kubeconfig secret", async () => {
            const { factory, events } = recordingAdmins();
            const plain = await handlerWith(factory).check("urn", {}, inputs);
            assert.equal(plain.inputs.connection, "auto");
            const withSecret = await handlerWith(factory).check("urn", {}, { ...inputs, kubeconfig: secret(kubeconfig), connection: "portForward" });
            assert.deepEqual(withSecret.failures, undefined);
            assert.deepEqual(withSecret.inputs.kubeconfig, secret(kubeconfig));
            assert.equal(withSecret.inputs.connection, "portForward");
            assert.deepEqual(events, [], "check contacts nothing");
        });

        it("refuses an unknown connection mode and a kubeconfig naming no file, at check", async () => {
            const { factory } = recordingAdmins();
            const result = await handlerWith(factory).check("urn", {}, { ...inputs, connection: "tunnel", kubeconfig: "/nonexistent/kubeconfig" });
            const reasons = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
            assert.match(reasons.connection, /must be auto, direct or portForward/);
            assert.match(reasons.kubeconfig, /names no file on this machine/);
        });

        for (const connection of ["direct", "portForward"] as const) {
            it(`create opens the connection with ${connection} and the plain kubeconfig, and closes it after RocketMQ fails it`, async () => {
                const { factory, events, accesses } = recordingAdmins();
                await assert.rejects(handlerWith(factory).create("urn", { ...inputs, kubeconfig: secret(kubeconfig), connection }), /broker unreachable/);
                assert.deepEqual(accesses, [{ ...accesses[0], nameServerAddresses: ns, kubeconfig, connection }]);
                assert.equal(events[0], "open");
                assert.equal(events.at(-1), "close");
                assert.equal(events.filter((e) => e === "close").length, 1);
                assert.ok(events.some((e) => e.startsWith("call ")), "the work ran between open and close");
            });
        }

        it("read of the stack's resource opens the connection its state names and closes it after", async () => {
            const { factory, events, accesses } = recordingAdmins();
            const state = { ...inputs, kubeconfig: secret(kubeconfig), connection: "portForward", brokers: ["b0"], missingFrom: [] };
            await assert.rejects(handlerWith(factory).read("id", state, "urn"), /broker unreachable/);
            assert.equal(accesses[0].connection, "portForward");
            assert.equal(accesses[0].kubeconfig, kubeconfig);
            assert.deepEqual([events[0], events.at(-1)], ["open", "close"]);
        });

        it("an import (id alone) reaches the cluster with connection auto and the ambient kubeconfig", async () => {
            const { factory, events, accesses } = recordingAdmins();
            await assert.rejects(handlerWith(factory).read(`${ns}/cluster:c/${String(inputs.name)}`, {}, "urn"), /broker unreachable/);
            assert.deepEqual(accesses, [{ ...accesses[0], nameServerAddresses: ns, connection: "auto" }]);
            assert.equal(accesses[0].kubeconfig, undefined);
            assert.deepEqual([events[0], events.at(-1)], ["open", "close"]);
        });

        it("delete opens the connection and closes it after", async () => {
            const { factory, events, accesses } = recordingAdmins();
            await assert.rejects(handlerWith(factory).delete("id", { ...inputs, connection: "direct", brokers: ["b0"] }, "urn"), /broker unreachable/);
            assert.equal(accesses[0].connection, "direct");
            assert.deepEqual([events[0], events.at(-1)], ["open", "close"]);
        });

        it("a new connection mode or kubeconfig is an in-place update that contacts nothing", async () => {
            const { factory, events } = recordingAdmins();
            const handler = handlerWith(factory);
            const olds = { ...inputs, connection: "auto", brokers: ["b0"], missingFrom: [] };
            for (const change of [{ connection: "portForward" }, { kubeconfig: secret(kubeconfig) }]) {
                const diff = await handler.diff("id", olds, { ...inputs, connection: "auto", ...change });
                assert.deepEqual([diff.changes, diff.replaces], [true, []], JSON.stringify(change));
                const updated = await handler.update("id", olds, { ...inputs, connection: "auto", ...change }, "urn");
                assert.deepEqual(updated.outs?.brokers, ["b0"]);
                assert.deepEqual(updated.outs?.missingFrom, []);
            }
            const updated = await handler.update("id", olds, { ...inputs, kubeconfig: secret(kubeconfig) }, "urn");
            assert.deepEqual(updated.outs?.kubeconfig, secret(kubeconfig), "the state keeps the kubeconfig secret");
            assert.deepEqual(events, []);
        });

        it("the same kubeconfig, secret in the state and plain in the program, is no change; a stack from before connection existed is none either", async () => {
            const { factory } = recordingAdmins();
            const same = await handlerWith(factory).diff("id", { ...inputs, kubeconfig: secret(kubeconfig), connection: "auto" }, { ...inputs, kubeconfig, connection: "auto" });
            assert.equal(same.changes, false);
            const older = await handlerWith(factory).diff("id", { ...inputs }, { ...inputs, connection: "auto" });
            assert.equal(older.changes, false);
        });

        it("an update that also changes a setting still goes to RocketMQ, with the new connection", async () => {
            const { factory, accesses, events } = recordingAdmins();
            const setting = kind === "Topic" ? { readQueueNums: 16 } : { retryMaxTimes: 3 };
            const olds = { ...inputs, connection: "auto", brokers: ["b0"], missingFrom: [] };
            await assert.rejects(handlerWith(factory).update("id", olds, { ...inputs, connection: "direct", ...setting }, "urn"), /broker unreachable/);
            assert.equal(accesses[0].connection, "direct");
            assert.deepEqual([events[0], events.at(-1)], ["open", "close"]);
        });
    });
}

describe("Topic consumeTimeoutSeconds", () => {
    const inputs = { name: "orders", clusterName: "c", nameServerAddresses: ns, connection: "auto" };

    it("only says how a later move waits: a new value is an in-place update that contacts nothing; a stack from before it existed shows no change", async () => {
        const { factory, events } = recordingAdmins();
        const handler = topicHandler(factory, quiet);
        const olds = { ...inputs, brokers: ["b0"], missingFrom: [] };
        const diff = await handler.diff("id", olds, { ...inputs, consumeTimeoutSeconds: 120 });
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        const updated = await handler.update("id", olds, { ...inputs, consumeTimeoutSeconds: 120 }, "urn");
        assert.equal(updated.outs?.consumeTimeoutSeconds, 120);
        assert.deepEqual(events, []);
        assert.equal((await handler.diff("id", olds, { ...inputs, consumeTimeoutSeconds: 600 })).changes, false);
    });
});

describe("schema.json: kubeconfig and connection", () => {
    it("Topic, ConsumerGroup and TopicTransfer describe them alike, the kubeconfig secret", () => {
        const resources = loadSchema().resources;
        const tokens = [topicToken, consumerGroupToken, "rocketmq:index:TopicTransfer"];
        for (const section of ["inputProperties", "properties"] as const) {
            for (const name of ["kubeconfig", "connection"]) {
                const [first, ...rest] = tokens.map((token) => resources[token][section][name]);
                assert.ok(first, `${name} is in ${section}`);
                for (const other of rest) assert.deepStrictEqual(other, first);
            }
            assert.strictEqual(resources[topicToken][section].kubeconfig.secret, true);
        }
    });
});
