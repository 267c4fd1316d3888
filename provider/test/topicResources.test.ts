// Topic and ConsumerGroup: schema.json and the zod schemas describe the same inputs; bad inputs are
// refused at check with the field and RocketMQ's rule; ids carry what an import needs; a queue
// decrease is refused at preview unless opted in. Nothing here contacts RocketMQ.
import * as assert from "assert";
import { consumerGroupArgsSchema } from "../src/inputs/consumerGroup";
import { topicArgsSchema } from "../src/inputs/topic";
import { consumerGroupHandler, consumerGroupOutputNames, consumerGroupToken } from "../src/resources/consumerGroup";
import { parsePlacedId, placedId } from "../src/resources/placedResource";
import { topicHandler, topicOutputNames, topicToken } from "../src/resources/topic";
import { AdminClientFactory } from "../src/resources/adminClients";
import { loadSchema, inputDifferences } from "./schemaDrift";

const noAdmin: AdminClientFactory = {
    open: () => {
        throw new Error("check and diff must not contact RocketMQ");
    },
};
const ns = "127.0.0.1:9876";

describe("schema.json Topic and ConsumerGroup", () => {
    for (const [token, argsSchema, outputNames] of [
        [topicToken, topicArgsSchema, topicOutputNames],
        [consumerGroupToken, consumerGroupArgsSchema, consumerGroupOutputNames],
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
        });
    }
});

interface BadInput {
    rule: string;
    args: Record<string, unknown>;
    property: string;
    reason: RegExp;
}

const badTopics: BadInput[] = [
    { rule: "illegal character", args: { name: "orders.eu" }, property: "name", reason: /only letters, digits, _, -, % and \|/ },
    { rule: "blank name", args: { name: "" }, property: "name", reason: /blank/ },
    { rule: "128 characters", args: { name: "t".repeat(128) }, property: "name", reason: /at most 127 characters/ },
    { rule: "system topic", args: { name: "TBW102" }, property: "name", reason: /brokers keep for themselves/ },
    { rule: "rmq_sys_ prefix", args: { name: "rmq_sys_wheel" }, property: "name", reason: /brokers keep for themselves/ },
    { rule: "retry topic", args: { name: "%RETRY%group" }, property: "name", reason: /brokers keep for themselves/ },
    { rule: "no placement", args: { clusterName: undefined }, property: "clusterName", reason: /give clusterName .* or brokerNames/ },
    { rule: "both placements", args: { brokerNames: ["broker-0"] }, property: "brokerNames", reason: /not both/ },
    { rule: "empty broker list", args: { clusterName: undefined, brokerNames: [] }, property: "brokerNames", reason: /at least one broker group/ },
    { rule: "broker listed twice", args: { clusterName: undefined, brokerNames: ["b", "b"] }, property: "brokerNames", reason: /twice/ },
    { rule: "zero queues", args: { writeQueueNums: 0 }, property: "writeQueueNums", reason: /whole number from 1 to 1024/ },
    { rule: "too many queues", args: { readQueueNums: 1025, writeQueueNums: 8 }, property: "readQueueNums", reason: /whole number from 1 to 1024/ },
    { rule: "fractional queues", args: { readQueueNums: 2.5 }, property: "readQueueNums", reason: /whole number/ },
    { rule: "read below write", args: { readQueueNums: 4, writeQueueNums: 8 }, property: "readQueueNums", reason: /at least writeQueueNums \(8\).*stranded/ },
    { rule: "perm not a permission", args: { perm: 7 }, property: "perm", reason: /2 \(write only\), 4 \(read only\) or 6/ },
    { rule: "unknown message type", args: { messageType: "BATCH" }, property: "messageType", reason: /one of NORMAL, FIFO, DELAY, TRANSACTION/ },
    { rule: "message.type as attribute", args: { attributes: { "message.type": "FIFO" } }, property: "attributes", reason: /through messageType/ },
    { rule: "bad name server list", args: { nameServerAddresses: "ns-0" }, property: "nameServerAddresses", reason: /host:port/ },
    { rule: "misspelt input", args: { readQueueNum: 8 }, property: "readQueueNum", reason: /not an input of Topic/ },
];

const badGroups: BadInput[] = [
    { rule: "illegal character", args: { name: "billing service" }, property: "name", reason: /only letters, digits/ },
    { rule: "256 characters", args: { name: "g".repeat(256) }, property: "name", reason: /at most 255 characters/ },
    { rule: "system group", args: { name: "TOOLS_CONSUMER" }, property: "name", reason: /brokers keep for their own/ },
    { rule: "CID_RMQ_SYS_ prefix", args: { name: "CID_RMQ_SYS_TRANS" }, property: "name", reason: /brokers keep for their own/ },
    { rule: "zero retry queues", args: { retryQueueNums: 0 }, property: "retryQueueNums", reason: /whole number from 1 to 64/ },
    { rule: "negative retries", args: { retryMaxTimes: -2 }, property: "retryMaxTimes", reason: /whole number from 0 to 1000/ },
    { rule: "flag as text", args: { consumeEnable: "yes" }, property: "consumeEnable", reason: /true or false/ },
    { rule: "no placement", args: { clusterName: undefined }, property: "clusterName", reason: /give clusterName/ },
];

describe("Topic and ConsumerGroup check", () => {
    for (const [kind, handler, base, cases] of [
        ["Topic", topicHandler(noAdmin), { name: "orders", clusterName: "DefaultCluster", nameServerAddresses: ns }, badTopics],
        ["ConsumerGroup", consumerGroupHandler(noAdmin), { name: "billing", clusterName: "DefaultCluster", nameServerAddresses: ns }, badGroups],
    ] as const) {
        for (const bad of cases) {
            it(`${kind} refuses ${bad.rule} on ${bad.property}`, async () => {
                const news = Object.fromEntries(Object.entries({ ...base, ...bad.args }).filter(([, v]) => v !== undefined));
                const result = await handler.check("urn", {}, news);
                const failure = result.failures?.find((f) => f.property === bad.property);
                assert.ok(failure, `expected a failure on ${bad.property}, got ${JSON.stringify(result.failures)}`);
                assert.match(failure.reason, bad.reason);
            });
        }
    }

    it("reports a queue count out of range on its own field only", async () => {
        const base = { name: "orders", clusterName: "DefaultCluster", nameServerAddresses: ns };
        for (const [args, property] of [
            [{ writeQueueNums: 2000 }, "writeQueueNums"],
            [{ readQueueNums: 8, writeQueueNums: 1025 }, "writeQueueNums"],
            [{ readQueueNums: 0 }, "readQueueNums"],
        ] as const) {
            const result = await topicHandler(noAdmin).check("urn", {}, { ...base, ...args });
            assert.deepStrictEqual(result.failures, [{ property, reason: `${property} must be a whole number from 1 to 1024` }], JSON.stringify(args));
        }
    });

    it("fills in the broker's defaults", async () => {
        const topic = await topicHandler(noAdmin).check("urn", {}, { name: "orders", brokerNames: ["broker-0"], nameServerAddresses: ns });
        assert.deepStrictEqual(topic.failures, undefined);
        assert.deepStrictEqual(topic.inputs, {
            name: "orders", brokerNames: ["broker-0"], nameServerAddresses: ns,
            readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false, connection: "auto", consumeTimeoutSeconds: 600, allowQueueDecrease: false, allowDeleteWithUnconsumedMessages: false,
        });
        const group = await consumerGroupHandler(noAdmin).check("urn", {}, { name: "billing", clusterName: "c", nameServerAddresses: ns });
        assert.strictEqual(group.inputs.retryMaxTimes, 16);
        assert.strictEqual(group.inputs.consumeFromMinEnable, true);
        assert.strictEqual(group.inputs.whichBrokerWhenConsumeSlowly, 1);
    });
});

describe("Topic and ConsumerGroup ids", () => {
    it("carry name servers, placement and name, and parse back", () => {
        const cluster = placedId("ns-0.mq:9876;ns-1.mq:9876", { clusterName: "DefaultCluster" }, "orders|eu");
        assert.strictEqual(cluster, "ns-0.mq:9876;ns-1.mq:9876/cluster:DefaultCluster/orders|eu");
        assert.deepStrictEqual(parsePlacedId(cluster, topicToken), { nameServerAddresses: "ns-0.mq:9876;ns-1.mq:9876", placement: { clusterName: "DefaultCluster" }, name: "orders|eu" });
        const brokers = placedId(ns, { brokerNames: ["broker-0", "broker-1"] }, "billing");
        assert.deepStrictEqual(parsePlacedId(brokers, consumerGroupToken).placement, { brokerNames: ["broker-0", "broker-1"] });
    });

    it("refuse an import id of another shape, showing the expected one", () => {
        assert.throws(() => parsePlacedId("orders", topicToken), /expected <nameServerAddresses>\/cluster:<clusterName>\/<name>/);
        assert.throws(() => parsePlacedId(`${ns}/DefaultCluster/orders`, topicToken), /expected/);
    });
});

describe("Topic diff", () => {
    const olds = { name: "orders", clusterName: "c", nameServerAddresses: ns, readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false, brokers: ["b0"], missingFrom: [] };

    it("names no change when only defaults were spelt out", async () => {
        const diff = await topicHandler(noAdmin).diff("id", olds, { ...olds, allowQueueDecrease: false, brokers: undefined, missingFrom: undefined });
        assert.strictEqual(diff.changes, false);
    });

    it("updates in place for a settings change and replaces only for another name", async () => {
        const more = await topicHandler(noAdmin).diff("id", olds, { ...olds, readQueueNums: 16, writeQueueNums: 16, perm: 4 });
        assert.deepStrictEqual([more.changes, more.replaces], [true, []]);
        const renamed = await topicHandler(noAdmin).diff("id", olds, { ...olds, name: "orders-v2" });
        assert.deepStrictEqual(renamed.replaces, ["name"]);
    });

    it("refuses a queue decrease unless allowQueueDecrease is true", async () => {
        await assert.rejects(topicHandler(noAdmin).diff("id", olds, { ...olds, writeQueueNums: 4, readQueueNums: 4 }), /readQueueNums 8 -> 4, writeQueueNums 8 -> 4 is a decrease, refused.*allowQueueDecrease: true/);
        const allowed = await topicHandler(noAdmin).diff("id", olds, { ...olds, writeQueueNums: 4, readQueueNums: 4, allowQueueDecrease: true });
        assert.strictEqual(allowed.changes, true);
    });

    it("a new placement is an update in place whose preview says the topic moves in the seven steps, and how long it waits", async () => {
        const lines: string[] = [];
        const handler = topicHandler(noAdmin, () => ({ info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m) }));
        const diff = await handler.diff("id", olds, { ...olds, clusterName: "other", consumeTimeoutSeconds: 120 }, "urn");
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
        assert.match(lines.join("\n"), /topic orders moves from cluster c to cluster other: .*seven steps of a topic transfer.*up to 120 s/);
    });

    it("is a change when refresh found broker groups without the topic", async () => {
        const diff = await topicHandler(noAdmin).diff("id", { ...olds, missingFrom: ["b1"] }, olds);
        assert.strictEqual(diff.changes, true);
    });
});
