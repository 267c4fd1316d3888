// Turning a cluster's auth off is a rolling change: its brokers keep checking signatures until each
// one restarts, and a group being removed never restarts. Operations that run in that window (a
// pushed run-time setting before the roll, a drain after it, a Topic or ConsumerGroup changed in the
// same run) sign with the keys of the last deployment while the new inputs have none.
import * as assert from "assert";
import type { ClusterAccess } from "../src/connect/clusterConnection";
import { AdminClientFactory } from "../src/resources/adminClients";
import { brokerConfigPushHandler } from "../src/resources/brokerConfigPush";
import { brokerScalingHandler } from "../src/resources/brokerScaling";
import { consumerGroupHandler } from "../src/resources/consumerGroup";
import { topicHandler } from "../src/resources/topic";
import { stateOf } from "../src/resources/inputState";

const ns = "127.0.0.1:9876";
const credentials = { accessKey: "rocketmq-admin", secretKey: "k3y-s3cret" };
const silent = () => ({ info() {}, warn() {} });

/** Records the access each operation opens with, then stops it. */
function capturingAdmins() {
    const seen: ClusterAccess[] = [];
    const factory: AdminClientFactory = {
        async open(access) {
            seen.push(access);
            throw new Error("captured");
        },
    };
    return { factory, seen };
}

describe("operations while auth is turned off", () => {
    const push = { brokerClusterName: "DefaultCluster", namesrvAddr: ns, settings: { deleteWhen: "04" }, restartSettings: {}, allowRestart: true, connection: "direct" };
    const scaling = { clusterName: "DefaultCluster", brokerNames: ["broker-0", "broker-1"], nameServerAddresses: ns, connection: "direct", drainTimeoutSeconds: 600, allowDroppingUnreadMessages: false };

    it("a pushed run-time setting is signed with the last deployment's keys (the brokers have not restarted yet)", async () => {
        const admins = capturingAdmins();
        const olds = stateOf({ ...push, credentials });
        await assert.rejects(brokerConfigPushHandler(admins.factory, silent).update("id", olds, { ...push, settings: { deleteWhen: "05" } }, "urn"), /captured/);
        assert.deepStrictEqual(admins.seen.map((access) => access.credentials), [credentials]);
    });

    it("the drain of a group being removed is signed with the last deployment's keys (that group never restarts)", async () => {
        const admins = capturingAdmins();
        const olds = stateOf({ ...scaling, credentials });
        await assert.rejects(brokerScalingHandler(admins.factory, silent).update("DefaultCluster", olds, { ...scaling, brokerNames: ["broker-0"] }, "urn"), /captured/);
        assert.deepStrictEqual(admins.seen.map((access) => access.credentials), [credentials]);
    });

    it("a Topic or ConsumerGroup changed in the same run signs with the last deployment's keys (the removed group is still registered)", async () => {
        const admins = capturingAdmins();
        const topic = { name: "orders", clusterName: "DefaultCluster", nameServerAddresses: ns, readQueueNums: 4, writeQueueNums: 4 };
        await assert.rejects(topicHandler(admins.factory, silent).update("id", stateOf({ ...topic, credentials }), { ...topic, readQueueNums: 8, writeQueueNums: 8 }, "urn"), /captured/);
        const group = { name: "billing", clusterName: "DefaultCluster", nameServerAddresses: ns, retryMaxTimes: 16 };
        await assert.rejects(consumerGroupHandler(admins.factory, silent).update("id", stateOf({ ...group, credentials }), { ...group, retryMaxTimes: 3 }, "urn"), /captured/);
        assert.deepStrictEqual(admins.seen.map((access) => access.credentials), [credentials, credentials]);
    });

    it("new keys win over the last deployment's, and with neither nothing is signed", async () => {
        const admins = capturingAdmins();
        const other = { accessKey: "rocketmq-admin", secretKey: "another-key" };
        await assert.rejects(brokerScalingHandler(admins.factory, silent).update("DefaultCluster", stateOf({ ...scaling, credentials }), { ...scaling, brokerNames: ["broker-0"], credentials: other }, "urn"), /captured/);
        await assert.rejects(brokerScalingHandler(admins.factory, silent).update("DefaultCluster", stateOf({ ...scaling, credentials: undefined }), { ...scaling, brokerNames: ["broker-0"] }, "urn"), /captured/);
        assert.deepStrictEqual(admins.seen.map((access) => access.credentials), [other, undefined]);
    });
});
