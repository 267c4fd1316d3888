// Records real broker and name server replies as byte fixtures for the codec and body tests
// (provider/test/fixtures/remoting/<version>/*.bin), one set per RocketMQ release. Run when the
// protocol or a release of the matrix changes:
//   node -r ts-node/register/transpile-only tests/support/rocketmq-capture.ts [version...]
// (default: every release of the integration matrix, tests/toolchain/versions.sh).
// Each .bin file holds the exact bytes received on the socket for one request: one reply frame.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Duplex } from "node:stream";
import { RocketMQAdminClient } from "../../provider/src/admin";
import type { Connector } from "../../provider/src/connect/connector";
import { DirectTcpConnector } from "../../provider/src/connect/tcp";
import { RocketMQTestBed } from "./rocketmq";
import { rocketmqMatrix } from "./rocketmqJars";

const FIXTURES = path.resolve(__dirname, "..", "..", "provider", "test", "fixtures", "remoting");

class RecordingConnector implements Connector {
  readonly received: Buffer[] = [];
  private readonly tcp = new DirectTcpConnector();
  async connect(address: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Duplex> {
    const socket = await this.tcp.connect(address, options);
    socket.on("data", (chunk: Buffer) => this.received.push(Buffer.from(chunk)));
    return socket;
  }
}

async function capture(bed: RocketMQTestBed, dir: string, name: string, op: (client: RocketMQAdminClient) => Promise<unknown>): Promise<void> {
  const recorder = new RecordingConnector();
  const client = new RocketMQAdminClient({ nameServers: bed.nameServer, connector: recorder });
  try {
    await op(client).catch((err) => {
      if (!name.startsWith("error-")) throw err;
    });
  } finally {
    client.close();
  }
  fs.writeFileSync(path.join(dir, `${name}.bin`), Buffer.concat(recorder.received));
  console.log(`captured ${path.relative(FIXTURES, dir)}/${name}.bin (${Buffer.concat(recorder.received).length} bytes)`);
}

async function captureVersion(version: string): Promise<void> {
  const dir = path.join(FIXTURES, version);
  fs.mkdirSync(dir, { recursive: true });
  const bed = await RocketMQTestBed.start({
    version,
    brokers: [
      { cluster: "clusterA", brokerName: "broker-a" },
      { cluster: "clusterB", brokerName: "broker-b" },
    ],
  });
  try {
    const a = bed.broker("broker-a").address;
    const created = await bed.mqadmin(["updateTopic", "-c", "clusterA", "-t", "capture-topic", "-r", "2", "-w", "2"]);
    if (created.code !== 0) throw new Error(created.stdout + created.stderr);
    const sent = await bed.javaProgram("TestProducer", [bed.nameServer, "capture-topic", "10"]);
    if (sent.code !== 0) throw new Error(sent.stdout + sent.stderr);
    const consumed = await bed.javaProgram("TestConsumer", [bed.nameServer, "capture-group", "capture-topic", "10", "60"]);
    if (consumed.code !== 0) throw new Error(consumed.stdout + consumed.stderr);

    await capture(bed, dir, "cluster-info", (c) => c.getClusterInfo());
    await capture(bed, dir, "topic-route", (c) => c.getTopicRoute("capture-topic"));
    await capture(bed, dir, "consume-stats", (c) => c.getConsumeStats(a, "capture-group", "capture-topic"));
    await capture(bed, dir, "topic-stats", (c) => c.getTopicStats(a, "capture-topic"));
    await capture(bed, dir, "consumed-by", (c) => c.queryTopicConsumeByWho(a, "capture-topic"));
    await capture(bed, dir, "broker-config", (c) => c.getBrokerConfig(a));
    await capture(bed, dir, "all-subscription-groups", (c) => c.getAllSubscriptionGroups(a));
    await capture(bed, dir, "all-topic-configs", (c) => c.getAllTopicConfigs(a));
    await capture(bed, dir, "all-consumer-offsets", (c) => c.getAllConsumerOffsets(a));
    await capture(bed, dir, "error-topic-route-unknown", (c) => c.getTopicRoute("no-such-topic"));
  } finally {
    await bed.stop();
  }
}

async function main(): Promise<void> {
  const versions = process.argv.slice(2);
  for (const version of versions.length > 0 ? versions : rocketmqMatrix()) await captureVersion(version);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
