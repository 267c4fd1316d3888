// Every admin operation against a real RocketMQ name server and two single-master broker clusters
// (clusterA/broker-a, clusterB/broker-b) started from the Maven Central jars, once per release of
// the matrix (tests/support/rocketmqJars.ts, one test bed per release), cross-checked with
// the real mqadmin and a real Java producer and consumer where a user would check.

import { strict as assert } from "node:assert";
import {
  ClientFailureCode,
  consumeProgressOnCluster,
  copyMetadata,
  createTopicOnCluster,
  deleteTopicOnCluster,
  Perm,
  RocketMQAdminClient,
  ResponseCode,
  RocketMQAdminError,
  topicPermOnCluster,
} from "../../provider/src/admin";
import { parseFastjson } from "../../provider/src/admin/fastjson";
import { nameMap } from "../../provider/test/admin/nameMaps";
import { freeze, RocketMQTestBed, thaw } from "../support/rocketmq";
import { majorOf, rocketmqMatrix } from "../support/rocketmqJars";

async function rejection(call: Promise<unknown>): Promise<RocketMQAdminError> {
  const err = await call.then(
    () => assert.fail("the call should have failed"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RocketMQAdminError, `expected RocketMQAdminError, got ${String(err)}`);
  return err;
}

/** The JSON object mqadmin prints after its log lines. */
function jsonOf(stdout: string): Record<string, unknown> {
  return parseFastjson(stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1)) as Record<string, unknown>;
}

for (const version of rocketmqMatrix()) describe(`admin client against real RocketMQ ${version}`, function () {
  let bed: RocketMQTestBed;
  let client: RocketMQAdminClient;
  let brokerA: string;
  let brokerB: string;

  before(async function () {
    this.timeout(240_000);
    bed = await RocketMQTestBed.start({
      version,
      brokers: [
        { cluster: "clusterA", brokerName: "broker-a" },
        { cluster: "clusterB", brokerName: "broker-b" },
      ],
    });
    // One attempt per call: these tests read what a single failure looks like. Retries have their
    // own tests (transferFaults.test.ts, provider/test/admin/retry.test.ts).
    client = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 10_000, retry: false });
    brokerA = bed.broker("broker-a").address;
    brokerB = bed.broker("broker-b").address;
  });

  after(async () => {
    client?.close();
    await bed?.stop();
  });

  async function mqadmin(...args: string[]): Promise<string> {
    const result = await bed.mqadmin(args);
    assert.equal(result.code, 0, `mqadmin ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  describe("cluster info", () => {
    it("lists both clusters with their masters", async () => {
      const info = await client.getClusterInfo();
      assert.deepEqual(info.clusters, nameMap({ clusterA: ["broker-a"], clusterB: ["broker-b"] }));
      assert.deepEqual(info.brokers["broker-a"], { cluster: "clusterA", brokerName: "broker-a", addresses: nameMap({ "0": brokerA }) });
      assert.deepEqual(info.brokers["broker-b"], { cluster: "clusterB", brokerName: "broker-b", addresses: nameMap({ "0": brokerB }) });
    });
  });

  describe("topics", () => {
    it("creates a topic on every master of a cluster, as mqadmin topicRoute sees it", async () => {
      const brokers = await createTopicOnCluster(client, "clusterA", { topicName: "it-orders", readQueueNums: 3, writeQueueNums: 3, perm: Perm.READ_WRITE });
      assert.deepEqual(brokers, ["broker-a"]);
      const route = jsonOf(await mqadmin("topicRoute", "-t", "it-orders")) as { queueDatas: Array<Record<string, unknown>> };
      assert.deepEqual(
        route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]),
        [["broker-a", 3, 3, 6]],
      );
    });

    it("reads the route of a topic mqadmin created, equal to mqadmin's own topicRoute", async () => {
      await mqadmin("updateTopic", "-c", "clusterB", "-t", "it-made-by-mqadmin", "-r", "5", "-w", "5");
      const ours = await client.getTopicRoute("it-made-by-mqadmin");
      const theirs = jsonOf(await mqadmin("topicRoute", "-t", "it-made-by-mqadmin")) as {
        queueDatas: Array<{ brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number; topicSysFlag: number }>;
        brokerDatas: Array<{ brokerName: string; cluster: string; brokerAddrs: Record<string, string> }>;
      };
      assert.deepEqual(ours.queues, theirs.queueDatas.map(({ brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag }) => ({ brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag })));
      assert.deepEqual(ours.brokers, theirs.brokerDatas.map((b) => ({ cluster: b.cluster, brokerName: b.brokerName, addresses: b.brokerAddrs })));
      assert.deepEqual(ours.queues.map((q) => [q.brokerName, q.writeQueueNums]), [["broker-b", 5]]);
    });

    it("updates a topic: queue counts, permission and message type attribute (refused by 4.x, which has no attributes)", async () => {
      const fifo = { "message.type": "FIFO" };
      const legacy = majorOf(version) < 5;
      if (legacy) {
        const refused = await rejection(client.createOrUpdateTopic(brokerA, { topicName: "it-fifo", readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE, attributes: fifo }));
        assert.equal(refused.code, ClientFailureCode.INVALID_ARGUMENT);
        assert.match(refused.message, /topic it-fifo: attributes \(message\.type\) need RocketMQ 5\.0 or later; the broker at 127\.0\.0\.1:\d+ runs a 4\.x release \(protocol version 407\)/);
        assert.equal((await client.getAllTopicConfigs(brokerA)).topics["it-fifo"], undefined, "nothing was sent");
      }
      const attributes = legacy ? undefined : fifo;
      await client.createOrUpdateTopic(brokerA, { topicName: "it-fifo", readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE, attributes });
      await client.createOrUpdateTopic(brokerA, { topicName: "it-fifo", readQueueNums: 4, writeQueueNums: 4, perm: Perm.READ, attributes });
      const config = (await client.getAllTopicConfigs(brokerA)).topics["it-fifo"];
      assert.deepEqual(
        [config.readQueueNums, config.writeQueueNums, config.perm, config.attributes],
        [4, 4, Perm.READ, legacy ? undefined : nameMap(fifo)],
      );
      const route = await client.getTopicRoute("it-fifo");
      assert.deepEqual(route.queues.map((q) => [q.brokerName, q.writeQueueNums, q.perm]), [["broker-a", 4, Perm.READ]]);
    });

    it("creates many topics in one batch request; the name server routes them all", async () => {
      const names = Array.from({ length: 120 }, (_, i) => `it-batch-${String(i).padStart(3, "0")}`);
      await client.createOrUpdateTopics(brokerB, names.map((topicName) => ({ topicName, readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE })));
      const configs = (await client.getAllTopicConfigs(brokerB)).topics;
      assert.deepEqual(names.filter((n) => configs[n]?.writeQueueNums !== 2), []);
      const routed = new Set(await client.getTopicsByCluster("clusterB"));
      assert.deepEqual(names.filter((n) => !routed.has(n)), []);
      assert.deepEqual((await client.getTopicRoute("it-batch-077")).queues.map((q) => q.brokerName), ["broker-b"]);
    });

    it("lists all topic configs of a broker, system topics included", async () => {
      const table = await client.getAllTopicConfigs(brokerA);
      assert.ok(table.topics["it-orders"]);
      assert.ok(table.topics["TBW102"]);
      assert.ok(!table.topics["it-batch-000"], "broker-b's topics are not on broker-a");
      assert.ok((table.dataVersion?.counter ?? 0) > 0);
    });

    it("deletes a topic on a cluster's brokers and on the name servers", async () => {
      await createTopicOnCluster(client, "clusterA", { topicName: "it-doomed", readQueueNums: 1, writeQueueNums: 1, perm: Perm.READ_WRITE });
      assert.equal((await client.getTopicRoute("it-doomed")).queues.length, 1);
      await deleteTopicOnCluster(client, "clusterA", "it-doomed");
      assert.equal((await client.getAllTopicConfigs(brokerA)).topics["it-doomed"], undefined);
      const err = await rejection(client.getTopicRoute("it-doomed"));
      assert.ok(err.isNotFound());
      assert.ok(!(await client.getTopicsByCluster("clusterA")).includes("it-doomed"));
      const theirs = await bed.mqadmin(["topicRoute", "-t", "it-doomed"]);
      assert.match(theirs.stdout + theirs.stderr, /No topic route info in name server for the topic: it-doomed/);
    });

    it("fails clearly for an unknown topic, an invalid name and a system topic", async () => {
      const unknownRoute = await rejection(client.getTopicRoute("it-never-created"));
      assert.equal(unknownRoute.code, 17);
      assert.ok(unknownRoute.isNotFound());
      assert.match(unknownRoute.message, /GET_ROUTEINFO_BY_TOPIC at 127\.0\.0\.1:\d+ failed with code 17: No topic route info in name server for the topic: it-never-created/);
      const unknownStats = await rejection(client.getTopicStats(brokerA, "it-never-created"));
      assert.ok(unknownStats.isNotFound(), unknownStats.message);
      // The broker's own answer: INVALID_PARAMETER from 5.0 on, SYSTEM_ERROR before (never retried).
      const refusedCode = majorOf(version) >= 5 ? ResponseCode.INVALID_PARAMETER : ResponseCode.SYSTEM_ERROR;
      const invalid = await rejection(client.createOrUpdateTopic(brokerA, { topicName: "bad topic!", readQueueNums: 1, writeQueueNums: 1, perm: 6 }));
      assert.equal(invalid.code, refusedCode);
      assert.match(invalid.remark ?? "", /illegal/i);
      const system = await rejection(client.createOrUpdateTopic(brokerA, { topicName: "SCHEDULE_TOPIC_XXXX", readQueueNums: 1, writeQueueNums: 1, perm: 6 }));
      assert.equal(system.code, refusedCode);
      assert.match(system.remark ?? "", /conflict with system topic/);
    });
  });

  describe("subscription groups", () => {
    it("creates a group that mqadmin getConsumerConfig reads back", async () => {
      await client.createOrUpdateSubscriptionGroup(brokerA, { groupName: "it-group", retryMaxTimes: 5, consumeBroadcastEnable: false });
      const out = await mqadmin("getConsumerConfig", "-g", "it-group");
      assert.match(out, /groupName\s+=\s+it-group/);
      assert.match(out, /retryMaxTimes\s+=\s+5/);
      assert.match(out, /consumeBroadcastEnable\s+=\s+false/);
    });

    it("reads a group mqadmin created", async () => {
      await mqadmin("updateSubGroup", "-b", brokerB, "-g", "it-group-by-mqadmin", "-r", "7");
      const group = (await client.getAllSubscriptionGroups(brokerB)).groups["it-group-by-mqadmin"];
      assert.equal(group.retryMaxTimes, 7);
    });

    it("creates groups in one batch request and deletes one", async () => {
      const names = Array.from({ length: 40 }, (_, i) => `it-batch-group-${i}`);
      await client.createOrUpdateSubscriptionGroups(brokerA, names.map((groupName) => ({ groupName, retryMaxTimes: 3 })));
      let groups = (await client.getAllSubscriptionGroups(brokerA)).groups;
      assert.deepEqual(names.filter((n) => groups[n]?.retryMaxTimes !== 3), []);
      await client.deleteSubscriptionGroup(brokerA, "it-batch-group-0", true);
      groups = (await client.getAllSubscriptionGroups(brokerA)).groups;
      assert.equal(groups["it-batch-group-0"], undefined);
      assert.ok(groups["it-batch-group-1"]);
    });
  });

  describe("consumer progress", () => {
    it("matches mqadmin consumerProgress before and after a real consumer drains the topic", async function () {
      this.timeout(240_000);
      await createTopicOnCluster(client, "clusterA", { topicName: "it-progress", readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE });
      const produced = await bed.javaProgram("TestProducer", [bed.nameServer, "it-progress", "30"]);
      assert.equal(produced.code, 0, produced.stdout + produced.stderr);
      assert.match(produced.stdout, /SENT 30/);

      // Nothing consumed yet: the group has no offsets, so everything is lag.
      const stats = await client.getTopicStats(brokerA, "it-progress");
      assert.equal(stats.queues.reduce((sum, q) => sum + q.maxOffset - q.minOffset, 0), 30);

      const consumed = await bed.javaProgram("TestConsumer", [bed.nameServer, "it-progress-group", "it-progress", "30", "90"]);
      assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr);
      assert.match(consumed.stdout, /CONSUMED 3\d/);

      const progress = await consumeProgressOnCluster(client, "clusterA", "it-progress-group", "it-progress");
      assert.deepEqual(progress, { consumedAll: true, totalLag: 0, lagByBroker: nameMap({ "broker-a": 0 }) });

      // More messages, nobody consuming: both views agree on the lag per queue.
      const more = await bed.javaProgram("TestProducer", [bed.nameServer, "it-progress", "12"]);
      assert.equal(more.code, 0, more.stdout + more.stderr);
      const ours = await client.getConsumeStats(brokerA, "it-progress-group", "it-progress");
      assert.equal(ours.totalLag, 12);
      // 4.x's consumerProgress has no -t; the group consumes only this topic.
      const topicFilter = majorOf(version) >= 5 ? ["-t", "it-progress"] : [];
      const theirs = (await mqadmin("consumerProgress", "-g", "it-progress-group", ...topicFilter))
        .split("\n")
        .filter((line) => line.startsWith("it-progress "))
        .map((line) => line.trim().split(/\s+/))
        .map(([topic, broker, queueId, brokerOffset, consumerOffset, diff]) => [topic, broker, Number(queueId), Number(brokerOffset), Number(consumerOffset), Number(diff)]);
      assert.deepEqual(
        ours.queues.map((q) => [q.topic, q.brokerName, q.queueId, q.brokerOffset, q.consumerOffset, q.lag]),
        theirs,
      );
      assert.equal((await consumeProgressOnCluster(client, "clusterA", "it-progress-group", "it-progress")).consumedAll, false);
    });

    it("knows which groups consume a topic", async () => {
      assert.deepEqual(await client.queryTopicConsumeByWho(brokerA, "it-progress"), ["it-progress-group"]);
      assert.deepEqual(await client.queryTopicConsumeByWho(brokerA, "it-orders"), []);
    });

    it("reads every stored consumer offset, by group and topic, as the consumer committed them", async () => {
      const offsets = (await client.getAllConsumerOffsets(brokerA)).groups["it-progress-group"];
      const committed = (await client.getConsumeStats(brokerA, "it-progress-group", "it-progress")).queues;
      assert.deepEqual(
        Object.entries(offsets?.["it-progress"] ?? {}).map(([queueId, offset]) => [Number(queueId), offset]).sort((a, b) => a[0] - b[0]),
        committed.map((q) => [q.queueId, q.consumerOffset]),
      );
      assert.equal((await client.getAllConsumerOffsets(brokerA)).groups["it-never-consumed"], undefined);
    });
  });

  describe("broker config and permissions", () => {
    it("reads and updates broker config at run time", async () => {
      const config = await client.getBrokerConfig(brokerB);
      assert.equal(config.brokerName, "broker-b");
      assert.equal(config.namesrvAddr, bed.nameServer);
      assert.equal(config.brokerPermission, "6");
      await client.updateBrokerConfig(brokerB, { brokerPermission: "4" });
      assert.equal((await client.getBrokerConfig(brokerB)).brokerPermission, "4");
      const theirs = await mqadmin("getBrokerConfig", "-b", brokerB);
      assert.match(theirs, /brokerPermission\s+=\s+4/);
      await client.updateBrokerConfig(brokerB, { brokerPermission: "6" });
      assert.equal((await client.getBrokerConfig(brokerB)).brokerPermission, "6");
    });

    it("wipes and restores a broker group's write permission on the name servers", async () => {
      assert.deepEqual(await topicPermOnCluster(client, "clusterA", "it-orders"), nameMap({ "broker-a": Perm.READ_WRITE }));
      const wiped = await client.wipeWritePermOfBroker("broker-a");
      assert.ok(wiped[bed.nameServer] >= 1, JSON.stringify(wiped));
      assert.deepEqual(await topicPermOnCluster(client, "clusterA", "it-orders"), nameMap({ "broker-a": Perm.READ }));
      const added = await client.addWritePermOfBroker("broker-a");
      assert.equal(added[bed.nameServer], wiped[bed.nameServer]);
      assert.deepEqual(await topicPermOnCluster(client, "clusterA", "it-orders"), nameMap({ "broker-a": Perm.READ_WRITE }));
      assert.deepEqual(await topicPermOnCluster(client, "clusterB", "it-orders"), nameMap({}));
    });
  });

  describe("copying metadata between brokers", () => {
    it("copies every topic and group of broker-a to broker-b, and a second copy changes nothing", async () => {
      const first = await copyMetadata(client, brokerA, brokerB, { topicBatchSize: 50 });
      const source = await client.getAllTopicConfigs(brokerA);
      const target = await client.getAllTopicConfigs(brokerB);
      for (const name of ["it-orders", "it-fifo", "it-progress"]) {
        const { topicName, readQueueNums, writeQueueNums, perm, attributes } = source.topics[name];
        const copied = target.topics[name];
        assert.deepEqual(
          { topicName: copied.topicName, readQueueNums: copied.readQueueNums, writeQueueNums: copied.writeQueueNums, perm: copied.perm, attributes: copied.attributes },
          { topicName, readQueueNums, writeQueueNums, perm, attributes },
        );
      }
      assert.ok(!target.topics["broker-a"], "the source broker's own topic is not copied");
      const groups = (await client.getAllSubscriptionGroups(brokerB)).groups;
      assert.equal(groups["it-group"]?.retryMaxTimes, 5);
      assert.ok(groups["it-progress-group"]);
      assert.ok(first.topicsCopied >= 3 && first.groupsCopied >= 40, JSON.stringify(first));
      const second = await copyMetadata(client, brokerA, brokerB, { topicBatchSize: 50 });
      assert.equal(second.topicsCopied, 0);
      assert.equal(second.groupsCopied, 0);
      assert.equal(second.topicsAlreadyEqual, first.topicsCopied + first.topicsAlreadyEqual);
      const theirRoute = jsonOf(await mqadmin("topicRoute", "-t", "it-orders")) as { queueDatas: Array<{ brokerName: string }> };
      assert.deepEqual(theirRoute.queueDatas.map((q) => q.brokerName).sort(), ["broker-a", "broker-b"]);
    });

    it("creates and copies topics and groups named __proto__, constructor and toString", async () => {
      const names = ["__proto__", "constructor", "toString"];
      for (const name of names) {
        await client.createOrUpdateTopic(brokerA, { topicName: name, readQueueNums: 2, writeQueueNums: 2, perm: Perm.READ_WRITE });
        await client.createOrUpdateSubscriptionGroup(brokerA, { groupName: name, retryMaxTimes: 4 });
      }
      const source = await client.getAllTopicConfigs(brokerA);
      for (const name of names) assert.equal(source.topics[name]?.topicName, name, `broker-a accepted topic ${name}`);

      const copied = await copyMetadata(client, brokerA, brokerB);
      assert.deepEqual([copied.topicsCopied, copied.groupsCopied], [3, 3], JSON.stringify(copied));
      const topics = (await client.getAllTopicConfigs(brokerB)).topics;
      const groups = (await client.getAllSubscriptionGroups(brokerB)).groups;
      for (const name of names) {
        assert.equal(topics[name]?.writeQueueNums, 2, `broker-b holds topic ${name}`);
        assert.equal(groups[name]?.retryMaxTimes, 4, `broker-b holds group ${name}`);
        const theirRoute = jsonOf(await mqadmin("topicRoute", "-t", name)) as { queueDatas: Array<{ brokerName: string }> };
        assert.deepEqual(theirRoute.queueDatas.map((q) => q.brokerName).sort(), ["broker-a", "broker-b"], `mqadmin routes ${name} to both brokers`);
      }
      assert.equal((await copyMetadata(client, brokerA, brokerB)).topicsCopied, 0, "a second copy finds them equal");
    });
  });

  describe("failures", () => {
    it("times out when a broker stops answering, and works again when it resumes", async function () {
      this.timeout(60_000);
      const broker = bed.broker("broker-a").process!;
      await freeze(broker);
      try {
        const started = Date.now();
        const err = await rejection(client.getBrokerConfig(brokerA, { timeoutMs: 1500 }));
        assert.ok(err.isTimeout(), err.message);
        assert.match(err.message, /no reply to request 26 from 127\.0\.0\.1:\d+ within 1500 ms/);
        assert.ok(Date.now() - started < 5000);
      } finally {
        thaw(broker);
      }
      assert.equal((await client.getBrokerConfig(brokerA)).brokerName, "broker-a");
    });

    /** Every operation, aimed at one broker address (name server operations use the client's name servers). */
    function everyOperation(c: RocketMQAdminClient, broker: string): Record<string, () => Promise<unknown>> {
      const topic = { topicName: "it-any", readQueueNums: 1, writeQueueNums: 1, perm: 6 };
      return {
        getClusterInfo: () => c.getClusterInfo(),
        getTopicRoute: () => c.getTopicRoute("it-orders"),
        getTopicsByCluster: () => c.getTopicsByCluster("clusterA"),
        deleteTopicInNameServers: () => c.deleteTopicInNameServers("it-any"),
        wipeWritePermOfBroker: () => c.wipeWritePermOfBroker("broker-x"),
        addWritePermOfBroker: () => c.addWritePermOfBroker("broker-x"),
        createOrUpdateTopic: () => c.createOrUpdateTopic(broker, topic),
        createOrUpdateTopics: () => c.createOrUpdateTopics(broker, [topic]),
        getAllTopicConfigs: () => c.getAllTopicConfigs(broker),
        deleteTopicInBroker: () => c.deleteTopicInBroker(broker, "it-any"),
        createOrUpdateSubscriptionGroup: () => c.createOrUpdateSubscriptionGroup(broker, { groupName: "it-any" }),
        createOrUpdateSubscriptionGroups: () => c.createOrUpdateSubscriptionGroups(broker, [{ groupName: "it-any" }]),
        getAllSubscriptionGroups: () => c.getAllSubscriptionGroups(broker),
        deleteSubscriptionGroup: () => c.deleteSubscriptionGroup(broker, "it-any"),
        getConsumeStats: () => c.getConsumeStats(broker, "it-group", "it-orders"),
        queryTopicConsumeByWho: () => c.queryTopicConsumeByWho(broker, "it-orders"),
        getTopicStats: () => c.getTopicStats(broker, "it-orders"),
        getBrokerConfig: () => c.getBrokerConfig(broker),
        updateBrokerConfig: () => c.updateBrokerConfig(broker, { brokerPermission: "6" }),
      };
    }

    it("every operation times out clearly when its broker or name server is frozen", async function () {
      this.timeout(120_000);
      const frozen = [bed.broker("broker-a").process!, bed.nameServerJvm!];
      const quick = new RocketMQAdminClient({ nameServers: bed.nameServer, timeoutMs: 400, retry: false });
      await Promise.all(frozen.map(freeze));
      try {
        for (const [name, call] of Object.entries(everyOperation(quick, brokerA))) {
          const err = await rejection(call());
          assert.ok(err.isTimeout(), `${name}: ${err.message}`);
          assert.match(err.message, /no reply to request \d+ from 127\.0\.0\.1:\d+ within 400 ms/, name);
        }
      } finally {
        frozen.forEach(thaw);
        quick.close();
      }
      assert.equal((await client.getBrokerConfig(brokerA)).brokerName, "broker-a");
    });

    it("every operation fails as a connection failure when nothing listens at its address", async () => {
      // broker-b's port while broker-b is down stands for a dead name server and a dead broker.
      await bed.stopBroker("broker-b");
      const dead = new RocketMQAdminClient({ nameServers: brokerB, connectTimeoutMs: 2000, retry: false });
      try {
        for (const [name, call] of Object.entries(everyOperation(dead, brokerB))) {
          const err = await rejection(call());
          assert.ok(err.isConnectionFailure(), `${name}: ${err.message}`);
          assert.equal(err.address, brokerB, name);
          assert.match(err.message, /cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/, name);
        }
      } finally {
        dead.close();
      }
    });

    it("reports a broker that is down as a connection failure naming its address", async function () {
      this.timeout(180_000);
      await bed.stopBroker("broker-b");
      const err = await rejection(client.getAllTopicConfigs(brokerB, { timeoutMs: 3000 }));
      assert.ok(err.isConnectionFailure(), err.message);
      assert.equal(err.address, brokerB);
      // The name server drops a broker whose connection closed, so its cluster is gone from the
      // route: a moment after the process is gone (it handles the close on its own thread). When it
      // misses the close (seen once on 4.9.7 under load), its scan every 10 s drops a broker silent
      // for 120 s.
      for (const deadline = Date.now() + 140_000; (await client.getClusterInfo()).clusters["clusterB"]?.length; ) {
        assert.ok(Date.now() < deadline, "the name server dropped clusterB within 140 s of broker-b's exit");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const viaCluster = await rejection(createTopicOnCluster(client, "clusterB", { topicName: "it-late", readQueueNums: 1, writeQueueNums: 1, perm: 6 }, { timeoutMs: 3000 }));
      assert.ok(viaCluster.isNotFound(), viaCluster.message);
      assert.match(viaCluster.message, /cluster clusterB is not registered on the name servers/);
      // broker-a is unaffected.
      assert.ok((await client.getAllTopicConfigs(brokerA)).topics["it-orders"]);
    });
  });
});
