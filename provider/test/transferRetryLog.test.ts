// The TopicTransfer resource talks to RocketMQ through a retrying admin client; each retry is a
// warning in the engine's log, so `pulumi up` shows why a step takes longer.
import { strict as assert } from "node:assert";
import { topicTransferHandler } from "../src/resources/topicTransfer";
import { FakePeer, reply } from "./admin/fakePeer";

describe("TopicTransfer resource: retries in the engine log", () => {
  it("a name server connection reset once is retried, and the retry is logged as a warning", async () => {
    let requests = 0;
    const peer = await FakePeer.start((request, socket) => {
      if (++requests === 1) return void socket.resetAndDestroy();
      socket.write(reply(request, { brokerAddrTable: {}, clusterAddrTable: {} }));
    });
    const warnings: string[] = [];
    const handler = topicTransferHandler(undefined, () => ({ info: () => undefined, warn: (m) => void warnings.push(m) }));
    try {
      const props = { topic: "orders", sourceCluster: "a", targetCluster: "b", nameServerAddresses: peer.address, consumeTimeoutSeconds: 600 };
      const read = await handler.read("orders:a->b", props, "urn:pulumi:dev::p::rocketmq:index:TopicTransfer::t");
      assert.equal(read.props?.location, "neither");
      // Source and target are looked up side by side: one or both lookups met the reset.
      assert.ok(warnings.length >= 1 && warnings.length <= 2, warnings.join("\n"));
      for (const warning of warnings) assert.match(warning, /^GET_BROKER_CLUSTER_INFO failed \(connection to 127\.0\.0\.1:\d+ (failed: read ECONNRESET|closed by peer|closed)\); attempt 2 of 8 in \d\.\d s$/);
      assert.equal(requests, 2 + warnings.length);
    } finally {
      await peer.stop();
    }
  });
});
