// The `credentials` input of the resources that talk to RocketMQ: checked at preview, handed to the
// admin client that signs with it, kept secret in the state, and a change of it alone changes nothing.
import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { ClusterAccess } from "../src/connect/clusterConnection";
import { AdminClientFactory } from "../src/resources/adminClients";
import { stateOf } from "../src/resources/inputState";
import { onlyAccessChanged } from "../src/resources/placedResource";
import { topicHandler } from "../src/resources/topic";
import { consumerGroupHandler } from "../src/resources/consumerGroup";
import { brokerScalingHandler } from "../src/resources/brokerScaling";
import { topicTransferHandler } from "../src/resources/topicTransfer";

const ns = "127.0.0.1:9876";
const credentials = { accessKey: "rocketmq-admin", secretKey: "k3y-s3cret" };

describe("credentials input", () => {
    it("reaches the admin client of an operation", async () => {
        const seen: ClusterAccess[] = [];
        const capture: AdminClientFactory = {
            open: async (access) => {
                seen.push(access);
                throw new Error("captured");
            },
        };
        const inputs = { name: "orders", clusterName: "DefaultCluster", nameServerAddresses: ns, credentials };
        await assert.rejects(topicHandler(capture).create("urn", inputs), /captured/);
        await assert.rejects(consumerGroupHandler(capture).create("urn", { ...inputs, name: "billing" }), /captured/);
        assert.deepStrictEqual(seen.map((access) => access.credentials), [credentials, credentials]);
    });

    it("is kept secret in the state", () => {
        const state = stateOf({ name: "orders", credentials });
        assert.deepStrictEqual(state.credentials, { [rpc.specialSigKey]: rpc.specialSecretSig, value: credentials });
    });

    it("a change of credentials alone changes nothing in RocketMQ", async () => {
        const olds = { name: "orders", nameServerAddresses: ns, credentials };
        const news = { ...olds, credentials: { ...credentials, secretKey: "another-key" } };
        assert.ok(await onlyAccessChanged(olds, news, ["name", "nameServerAddresses", "credentials"], {}));
    });

    const handlers = [
        ["Topic", topicHandler(), { name: "orders", clusterName: "DefaultCluster", nameServerAddresses: ns }],
        ["ConsumerGroup", consumerGroupHandler(), { name: "billing", clusterName: "DefaultCluster", nameServerAddresses: ns }],
        ["BrokerScaling", brokerScalingHandler(), { clusterName: "DefaultCluster", brokerNames: ["broker-0"], nameServerAddresses: ns }],
        ["TopicTransfer", topicTransferHandler(), { topic: "orders", sourceCluster: "ClusterA", targetCluster: "ClusterB", nameServerAddresses: ns }],
    ] as const;
    for (const [kind, handler, base] of handlers) {
        // What a program passes from adminCredentials while the cluster's auth is off.
        it(`${kind} takes credentials that are a secret null (auth off) as none`, async () => {
            const result = await handler.check("urn", {}, { ...base, credentials: { [rpc.specialSigKey]: rpc.specialSecretSig, value: null } });
            assert.deepStrictEqual(result.failures ?? [], []);
            const seen: ClusterAccess[] = [];
            const capture: AdminClientFactory = {
                open: async (access) => {
                    seen.push(access);
                    throw new Error("captured");
                },
            };
            const create = (kind === "Topic" ? topicHandler(capture) : kind === "ConsumerGroup" ? consumerGroupHandler(capture) : undefined)?.create;
            if (create) {
                await assert.rejects(create("urn", { ...base, credentials: { [rpc.specialSigKey]: rpc.specialSecretSig, value: null } }), /captured/);
                assert.equal(seen[0]?.credentials, undefined);
            }
        });

        it(`${kind} refuses credentials without a secretKey, naming the field`, async () => {
            const result = await handler.check("urn", {}, { ...base, credentials: { accessKey: "rocketmq-admin" } });
            const failure = result.failures?.find((f) => f.property === "credentials.secretKey");
            assert.ok(failure, `got ${JSON.stringify(result.failures)}`);
            assert.match(failure.reason, /secretKey must be the user's password/);
        });
    }
});
