// BrokerScaling's metadata sync against fake brokers: several new groups are copied to side by
// side from one reading of the source, and the progress lines name each target.
import { strict as assert } from "node:assert";
import { RocketMQAdminClient } from "../src/admin";
import { BrokerGroup } from "../src/admin/types";
import { realClock } from "../src/ops/progressLog";
import { syncGroups } from "../src/ops/scaling/metadataSync";
import { fakeBroker, topic } from "./admin/fakeBroker";
import { reply } from "./admin/fakePeer";

const heldMs = 300;

/** A target broker that answers each topic batch only after holding it, and records when it held it. */
async function slowTarget(name: string) {
    const held: Array<{ from: number; to: number }> = [];
    const topics: Record<string, object> = {};
    const broker = await fakeBroker(name, topics, {}, (list, socket, request) => {
        const from = Date.now();
        for (const t of list) topics[t.topicName] = t;
        setTimeout(() => {
            held.push({ from, to: Date.now() });
            socket.write(reply(request));
        }, heldMs);
        return true;
    });
    return { ...broker, held };
}

const group = (brokerName: string, address: string): BrokerGroup => ({ cluster: "c", brokerName, addresses: { "0": address } });

describe("metadata sync to new broker groups (fake brokers)", () => {
    it("reads the source once and copies to two targets at once, each line naming its target", async () => {
        const source = await fakeBroker("broker-0", { t0: topic("t0"), t1: topic("t1", 8) }, { g0: { groupName: "g0", retryMaxTimes: 3 } });
        const targets = [await slowTarget("broker-1"), await slowTarget("broker-2")];
        const client = new RocketMQAdminClient({ nameServers: "127.0.0.1:1" });
        const lines: string[] = [];
        const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`warning: ${line}`) };
        try {
            const synced = await syncGroups(
                client,
                group("broker-0", source.peer.address),
                targets.map((target, i) => group(`broker-${i + 1}`, target.peer.address)),
                log,
                realClock,
            );

            assert.equal(source.served.topicTableReads, 1, "the source's topics are read once for both targets");
            for (const target of targets) assert.deepEqual(Object.keys(target.topics).sort(), ["t0", "t1"]);
            const [first, second] = targets.map((target) => target.held[0]);
            assert.ok(second.from < first.to && first.from < second.to, `both targets held a batch at the same time: ${JSON.stringify([first, second])}`);
            assert.deepEqual(
                synced.map(({ brokerName, topicsCopied, groupsCopied }) => ({ brokerName, topicsCopied, groupsCopied })),
                [
                    { brokerName: "broker-1", topicsCopied: 2, groupsCopied: 1 },
                    { brokerName: "broker-2", topicsCopied: 2, groupsCopied: 1 },
                ],
            );
            for (const name of ["broker-1", "broker-2"]) {
                assert.ok(lines.includes(`${name}: copying 2 topic(s) and 1 subscription group(s) from broker-0 (0 topic(s) and 0 group(s) already the same)`), lines.join("\n"));
                assert.ok(lines.some((line) => line.startsWith(`${name}: copied 2 topic(s) and 1 subscription group(s) from broker-0 in `)), lines.join("\n"));
            }

            lines.length = 0;
            const again = await syncGroups(client, group("broker-0", source.peer.address), targets.map((target, i) => group(`broker-${i + 1}`, target.peer.address)), log, realClock);
            assert.deepEqual(again.map((sync) => sync.topicsCopied + sync.groupsCopied), [0, 0], "a second sync sends nothing");
            assert.deepEqual(lines.sort(), [
                "broker-1 already has every topic (2) and subscription group (1) of broker-0; nothing to copy",
                "broker-2 already has every topic (2) and subscription group (1) of broker-0; nothing to copy",
            ]);
            assert.equal(targets[0].held.length + targets[1].held.length, 2, "no batch was sent the second time");
        } finally {
            client.close();
            await Promise.all([source, ...targets].map((broker) => broker.peer.stop()));
        }
    });
});
