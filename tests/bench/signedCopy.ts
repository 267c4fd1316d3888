// Benchmark: the metadata copy a scale-up runs (admin/metadataCopy.ts), signed as an ACL 2.0 user
// against brokers with authentication and authorization on, beside the same copy unsigned against
// brokers without auth, in one run on the same machine and release. Each side has its own name
// server, a source broker holding N topics (one in ten FIFO) and N/5 subscription groups, and an
// empty target; each round empties the targets, lets the JVMs settle, and times both copies,
// alternating which goes first. Prints each side's median, the ratio (target <= 1.1), and what
// signing alone costs the client (HmacSHA1 over every request the copy sends).
//
//   BENCH_SIZE=10000 BENCH_ROUNDS=3 node -r ts-node/register/transpile-only tests/bench/signedCopy.ts

import { performance } from "node:perf_hooks";
import { copyMetadata, Credentials, Perm, RocketMQAdminClient, signRequest, SubscriptionGroupConfig, TopicConfig } from "../../provider/src/admin";
import { encodeSubscriptionGroupList, encodeTopicConfigList } from "../../provider/src/admin/bodies";
import { RequestCode } from "../../provider/src/admin/codes";
import { RocketMQTestBed } from "../support/rocketmq";
import { newestAcl2Release } from "../support/rocketmqJars";

const SIZE = Number(process.env.BENCH_SIZE ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATIO_TARGET = 1.1;
const superUser: Credentials = { accessKey: "rocketmq-admin", secretKey: "bench-Super-key-1" };
const authSettings: Record<string, string> = {
  authenticationEnabled: "true",
  authorizationEnabled: "true",
  authenticationProvider: "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider",
  authorizationProvider: "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider",
  authenticationMetadataProvider: "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider",
  authorizationMetadataProvider: "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider",
  initAuthenticationUser: JSON.stringify({ username: superUser.accessKey, password: superUser.secretKey }),
  innerClientAuthenticationCredentials: JSON.stringify({ accessKey: superUser.accessKey, secretKey: superUser.secretKey }),
};

/** The same shapes as tests/bench/metadataSync.ts. */
function sourceTopics(count: number): TopicConfig[] {
  return Array.from({ length: count }, (_, i) => ({
    topicName: `bench-topic-${String(i).padStart(6, "0")}`,
    readQueueNums: 4 + (i % 5),
    writeQueueNums: 4 + (i % 5),
    perm: Perm.READ_WRITE,
    ...(i % 10 === 0 ? { attributes: { "message.type": "FIFO" } } : {}),
  }));
}

function sourceGroups(count: number): SubscriptionGroupConfig[] {
  return Array.from({ length: count }, (_, i) => ({ groupName: `bench-group-${String(i).padStart(6, "0")}`, retryMaxTimes: 1 + (i % 16), consumeBroadcastEnable: i % 2 === 0 }));
}

interface Side {
  name: "unsigned" | "signed";
  bed: RocketMQTestBed;
  client: RocketMQAdminClient;
  times: number[];
}

async function startSide(name: Side["name"], version: string): Promise<Side> {
  const signed = name === "signed";
  const bed = await RocketMQTestBed.start({
    version,
    brokers: ["source", "target"].map((brokerName) => ({ cluster: `bench-${name}`, brokerName })),
    brokerHeap: "384m",
    readyTimeoutMs: 180_000,
    jit: "full",
    ...(signed ? { brokerConfig: authSettings, credentials: superUser } : {}),
  });
  const client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 120_000, ...(signed ? { credentials: superUser } : {}) });
  const source = bed.broker("source").address;
  const topics = sourceTopics(SIZE);
  for (let i = 0; i < topics.length; i += 2000) await client.createOrUpdateTopics(source, topics.slice(i, i + 2000));
  await client.createOrUpdateSubscriptionGroups(source, sourceGroups(SIZE / 5));
  return { name, bed, client, times: [] };
}

async function copyOnce(side: Side): Promise<void> {
  await side.bed.resetBroker("target");
  await new Promise((resolve) => setTimeout(resolve, 8000)); // the restarted broker warms up
  const began = performance.now();
  const result = await copyMetadata(side.client, side.bed.broker("source").address, side.bed.broker("target").address);
  side.times.push(performance.now() - began);
  if (result.topicsCopied !== SIZE || result.groupsCopied !== SIZE / 5) throw new Error(`${side.name}: copied ${JSON.stringify(result)}`);
}

/** What signing every request of a copy costs the client alone: the batches' bodies, each signed once. */
function signingOnlyMs(): number {
  const bodies = [];
  const topics = sourceTopics(SIZE);
  for (let i = 0; i < topics.length; i += 2000) bodies.push({ code: RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, body: encodeTopicConfigList(topics.slice(i, i + 2000)) });
  const groups = sourceGroups(SIZE / 5);
  for (let i = 0; i < groups.length; i += 1000) bodies.push({ code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST, body: encodeSubscriptionGroupList(groups.slice(i, i + 1000)) });
  const began = performance.now();
  for (const request of bodies) signRequest(request, superUser);
  return performance.now() - began;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const version = newestAcl2Release();
  console.log(`signed metadata copy: RocketMQ ${version}, ${SIZE} topics and ${SIZE / 5} groups, ${ROUNDS} rounds`);
  const sides = [await startSide("unsigned", version), await startSide("signed", version)];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) await copyOnce(side);
    }
    for (const side of sides) console.log(`  ${side.name.padEnd(8)} copy: median ${(median(side.times) / 1000).toFixed(2)} s (rounds: ${side.times.map((t) => (t / 1000).toFixed(2)).join(", ")})`);
    const ratio = median(sides[1].times) / median(sides[0].times);
    console.log(`  signed / unsigned: ${ratio.toFixed(3)} (target <= ${RATIO_TARGET}) ${ratio <= RATIO_TARGET ? "MET" : "MISSED"}`);
    console.log(`  signing alone (client, every request of one copy): ${signingOnlyMs().toFixed(1)} ms`);
  } finally {
    for (const side of sides) {
      side.client.close();
      await side.bed.stop();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
