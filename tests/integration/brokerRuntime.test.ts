// BrokerConfigPush and NameServerRegistration through their handlers, as the engine drives them,
// against real RocketMQ: two brokers started with one name server learn a second one with no
// restart (same processes) and register with both; every key of the run-time list is taken by a
// running broker and read back; brokerPermission changes the route at once; the list shrinks back.
import { strict as assert } from "node:assert";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { runtimeBrokerConfigKeys } from "../../provider/src/admin/runtimeConfigKeys";
import { Perm } from "../../provider/src/admin/types";
import type { ProgressLog } from "../../provider/src/ops/progressLog";
import { brokerConfigPushHandler } from "../../provider/src/resources/brokerConfigPush";
import { nameServerRegistrationHandler } from "../../provider/src/resources/nameServerRegistration";
import { RocketMQTestBed } from "../support/rocketmq";

const cluster = "runtimeCluster";

/** A value other than the broker's default for every run-time key but namesrvAddr and brokerPermission. */
const otherValues: Record<string, string> = {
    autoCreateTopicEnable: "false",
    autoCreateSubscriptionGroup: "false",
    slaveReadEnable: "true",
    longPollingEnable: "false",
    shortPollingTimeMills: "2000",
    rejectTransactionMessage: "true",
    transactionTimeOut: "7000",
    transactionCheckMax: "10",
    transactionCheckInterval: "40000",
    enablePropertyFilter: "true",
    commercialBaseCount: "2",
    deleteWhen: "05",
    fileReservedTime: "24",
    diskMaxUsedSpaceRatio: "80",
    accessMessageInMemoryMaxRatio: "35",
    maxTransferBytesOnMessageInMemory: "262144",
    maxTransferCountOnMessageInMemory: "64",
    maxTransferBytesOnMessageInDisk: "65536",
    maxTransferCountOnMessageInDisk: "16",
};

describe("changes reach running brokers (real RocketMQ)", function () {
    let bed: RocketMQTestBed;
    let client: RocketMQAdminClient;
    let secondNameServer: string;
    const lines: string[] = [];
    const log: ProgressLog = { info: (line) => void lines.push(line), warn: (line) => void lines.push(`warning: ${line}`) };
    const push = brokerConfigPushHandler(undefined, () => log);
    const registrations = nameServerRegistrationHandler(undefined, () => log);
    const brokers = { "broker-r1": 1, "broker-r2": 1 };
    const pids = () => [...bed.brokers.values()].map((broker) => broker.process?.pid);
    const state = (namesrvAddr: string, settings: Record<string, string> = {}) => ({
        brokerClusterName: cluster, namesrvAddr, settings, restartSettings: {}, allowRestart: false, connection: "direct",
    });

    before(async function () {
        this.timeout(600_000);
        bed = await RocketMQTestBed.start({
            brokers: [{ cluster, brokerName: "broker-r1" }, { cluster, brokerName: "broker-r2" }],
            // As the provider renders it from 5.3.1 on.
            brokerConfig: { updateNameServerAddrPeriod: "10000" },
            readyTimeoutMs: 240_000,
        });
        secondNameServer = await bed.startExtraNameServer();
        client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 10_000 });
    });

    after(async () => {
        client?.close();
        await bed?.stop();
    });

    it("a name server added: the running brokers get the list and register with it, with no restart", async function () {
        this.timeout(300_000);
        const before = pids();
        const both = `${bed.nameServer};${secondNameServer}`;
        assert.deepStrictEqual((await client.getClusterInfoFrom(secondNameServer)).clusters[cluster], undefined);

        const started = Date.now();
        await push.update("id", state(bed.nameServer), state(both), "urn");
        const pushed = Date.now();
        await registrations.update("id", { brokerClusterName: cluster, namesrvAddr: bed.nameServer, brokers, connection: "direct" },
            { brokerClusterName: cluster, namesrvAddr: both, brokers, timeoutSeconds: 240, connection: "direct" }, "urn");
        const registered = Date.now();
        console.log(`      push ${pushed - started} ms, registration wait ${registered - pushed} ms`);

        for (const broker of bed.brokers.values()) {
            assert.equal((await client.getBrokerConfig(broker.address)).namesrvAddr, both);
        }
        assert.deepStrictEqual([...(await client.getClusterInfoFrom(secondNameServer)).clusters[cluster]].sort(), ["broker-r1", "broker-r2"]);
        assert.deepStrictEqual(pids(), before, "the broker processes are the same");
        assert.ok(bed.brokers.get("broker-r1")!.process!.exitCode === null && bed.brokers.get("broker-r2")!.process!.exitCode === null);
        assert.ok(lines.some((line) => /waiting for brokers to register .*lacks broker-r\d broker 0/.test(line)), lines.join("\n"));
        assert.ok(lines.some((line) => /all 2 broker\(s\) registered with all 2 name server\(s\)/.test(line)), lines.join("\n"));
    });

    it("every key of the run-time list is taken by the running brokers and read back", async function () {
        this.timeout(120_000);
        assert.deepStrictEqual(Object.keys(otherValues).sort(), Object.keys(runtimeBrokerConfigKeys).filter((key) => key !== "namesrvAddr" && key !== "brokerPermission").sort());
        const both = `${bed.nameServer};${secondNameServer}`;
        await push.update("id", state(both), state(both, otherValues), "urn");
        for (const broker of bed.brokers.values()) {
            const live = await client.getBrokerConfig(broker.address);
            for (const [key, value] of Object.entries(otherValues)) assert.equal(live[key], value, `${broker.brokerName} ${key}`);
        }
    });

    it("brokerPermission takes effect at once: the route turns read-only, then read-write again", async function () {
        this.timeout(120_000);
        const both = `${bed.nameServer};${secondNameServer}`;
        const permOf = async () => (await client.getTopicRoute("TBW102")).queues.map((queue) => `${queue.brokerName}:${queue.perm}`).sort();
        // TBW102 is 7 (read, write, inherit); the route carries topic perm & broker perm.
        assert.deepStrictEqual(await permOf(), ["broker-r1:7", "broker-r2:7"]);
        await push.update("id", state(both, otherValues), state(both, { ...otherValues, brokerPermission: String(Perm.READ) }), "urn");
        assert.deepStrictEqual(await permOf(), ["broker-r1:4", "broker-r2:4"]);
        await push.update("id", state(both, { ...otherValues, brokerPermission: String(Perm.READ) }), state(both, { ...otherValues, brokerPermission: String(Perm.READ_WRITE) }), "urn");
        assert.deepStrictEqual(await permOf(), ["broker-r1:7", "broker-r2:7"]);
    });

    it("a name server removed: the brokers get the shorter list and stay registered with the one kept", async function () {
        this.timeout(120_000);
        const both = `${bed.nameServer};${secondNameServer}`;
        await push.update("id", state(both), state(bed.nameServer), "urn");
        await registrations.update("id", { brokerClusterName: cluster, namesrvAddr: both, brokers, connection: "direct" },
            { brokerClusterName: cluster, namesrvAddr: bed.nameServer, brokers, timeoutSeconds: 60, connection: "direct" }, "urn");
        for (const broker of bed.brokers.values()) {
            assert.equal((await client.getBrokerConfig(broker.address)).namesrvAddr, bed.nameServer);
        }
    });
});
