// Request signing and ACL 2.0 users and ACLs against a real broker with authentication and
// authorization on (RocketMQ 5.3+), cross-checked with the real mqadmin signing as the super user
// and the real Java producer signing as a user. One release: the newest whose jars check ACL 2.0.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTopicOnCluster, Credentials, RocketMQAdminClient, RocketMQAdminError, RocketMQPermissionError } from "../../provider/src/admin";
import { createAcl, createUser, deleteAcl, deleteUser, getAcl, getUser, updateAcl } from "../../provider/src/admin/authOperations";
import { aclHandler } from "../../provider/src/resources/acl";
import { consumerGroupHandler } from "../../provider/src/resources/consumerGroup";
import { topicHandler } from "../../provider/src/resources/topic";
import { brokerScalingHandler } from "../../provider/src/resources/brokerScaling";
import { topicTransferHandler } from "../../provider/src/resources/topicTransfer";
import { userHandler } from "../../provider/src/resources/user";
import type { ProgressLog } from "../../provider/src/ops/progressLog";
import { RocketMQTestBed, runMqadmin } from "../support/rocketmq";
import { newestAcl2Release } from "../support/rocketmqJars";

const superUser: Credentials = { accessKey: "rocketmq-admin", secretKey: "s3cret-Admin-key" };

/** Broker settings that turn ACL 2.0 on, as RocketMQCluster renders them. */
function authSettings(): Record<string, string> {
  return {
    authenticationEnabled: "true",
    authorizationEnabled: "true",
    authenticationProvider: "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider",
    authorizationProvider: "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider",
    authenticationMetadataProvider: "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider",
    authorizationMetadataProvider: "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider",
    initAuthenticationUser: JSON.stringify({ username: superUser.accessKey, password: superUser.secretKey }),
    innerClientAuthenticationCredentials: JSON.stringify({ accessKey: superUser.accessKey, secretKey: superUser.secretKey }),
  };
}

async function rejection(call: Promise<unknown>): Promise<RocketMQAdminError> {
  const err = await call.then(
    () => assert.fail("the call should have been refused"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RocketMQAdminError, `expected RocketMQAdminError, got ${String(err)}`);
  return err;
}

const version = newestAcl2Release();
describe(`ACL 2.0 against real RocketMQ ${version}`, function () {
  let bed: RocketMQTestBed;
  let broker: string;
  let signed: RocketMQAdminClient;

  before(async function () {
    this.timeout(240_000);
    // Two groups of one cluster (a scale-up's copy and a drain between them) and a second cluster (a transfer's target).
    bed = await RocketMQTestBed.start({
      version,
      brokers: [
        { cluster: "authCluster", brokerName: "broker-auth" },
        { cluster: "authCluster", brokerName: "broker-auth-b" },
        { cluster: "edgeCluster", brokerName: "broker-edge" },
      ],
      brokerConfig: authSettings(),
      credentials: superUser,
    });
    broker = bed.broker("broker-auth").address;
    signed = new RocketMQAdminClient({ nameServers: bed.nameServer, credentials: superUser, retry: false });
  });

  after(async () => {
    signed?.close();
    await bed?.stop();
  });

  /** mqadmin signing with `keys` (written to its conf/tools.yml), or unsigned. */
  function mqadmin(args: string[], keys?: Credentials) {
    const home = path.join(bed.workDir, keys ? `mqadmin-${keys.accessKey}` : "mqadmin-anonymous");
    fs.mkdirSync(path.join(home, "conf"), { recursive: true });
    if (keys) fs.writeFileSync(path.join(home, "conf", "tools.yml"), `accessKey: ${keys.accessKey}\nsecretKey: ${keys.secretKey}\n`);
    return runMqadmin(home, bed.nameServer, args, 90_000, version);
  }

  it("a signed request is accepted; unsigned, badly signed and unknown-user requests are refused with a typed error that is not retried", async function () {
    this.timeout(120_000);
    await signed.createOrUpdateTopic(broker, { topicName: "signed-topic", readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    assert.equal((await signed.getTopicConfig(broker, "signed-topic")).writeQueueNums, 2);

    // Retries are on here: a refusal must still come back after one attempt.
    const retries: string[] = [];
    const anonymous = new RocketMQAdminClient({ nameServers: bed.nameServer, onRetry: (e) => retries.push(e.request) });
    const wrongKey = new RocketMQAdminClient({ nameServers: bed.nameServer, credentials: { ...superUser, secretKey: "not-the-key" } });
    try {
      const began = Date.now();
      const unsigned = await rejection(anonymous.createOrUpdateTopic(broker, { topicName: "unsigned-topic", readQueueNums: 1, writeQueueNums: 1, perm: 6 }));
      assert.ok(unsigned instanceof RocketMQPermissionError, `got ${unsigned.name}: ${unsigned.message}`);
      assert.equal(unsigned.code, 16);
      assert.equal(unsigned.operation, "UPDATE_AND_CREATE_TOPIC");
      assert.equal(unsigned.user, undefined);
      assert.match(unsigned.message, /UPDATE_AND_CREATE_TOPIC .*refused \(NO_PERMISSION\) for no credentials/);
      assert.ok(Date.now() - began < 5000, "a refusal is not retried");
      assert.deepEqual(retries, []);

      const badSignature = await rejection(wrongKey.updateBrokerConfig(broker, { brokerPermission: "4" }));
      assert.ok(badSignature instanceof RocketMQPermissionError);
      assert.equal(badSignature.user, superUser.accessKey);
      assert.match(badSignature.message, /UPDATE_BROKER_CONFIG .*refused \(NO_PERMISSION\) for user rocketmq-admin/);
      assert.equal((await signed.getBrokerConfig(broker)).brokerPermission, "6", "the badly signed change was not applied");
    } finally {
      anonymous.close();
      wrongKey.close();
    }
    await assert.rejects(signed.getTopicConfig(broker, "unsigned-topic"), (e: RocketMQAdminError) => e.isNotFound());
  });

  it("the real mqadmin without credentials is refused (updateTopic, deleteTopic, updateBrokerConfig); with the super user it works", async function () {
    this.timeout(400_000);
    const refused = [
      ["updateTopic", "-b", broker, "-t", "mqadmin-topic"],
      ["deleteTopic", "-c", "authCluster", "-t", "signed-topic"],
      ["updateBrokerConfig", "-b", broker, "-k", "brokerPermission", "-v", "4"],
    ];
    for (const args of refused) {
      const run = await mqadmin(args);
      assert.match(`${run.stdout}\n${run.stderr}`, /CODE: 16|NO_PERMISSION|No permission|authentication|Authentication/i, `${args[0]} without credentials:\n${run.stdout}\n${run.stderr}`);
    }
    await assert.rejects(signed.getTopicConfig(broker, "mqadmin-topic"), (e: RocketMQAdminError) => e.isNotFound());
    assert.ok(await signed.getTopicConfig(broker, "signed-topic"));
    assert.equal((await signed.getBrokerConfig(broker)).brokerPermission, "6");

    const created = await mqadmin(["updateTopic", "-b", broker, "-t", "mqadmin-topic"], superUser);
    assert.match(created.stdout, /create topic to .* success/, created.stdout + created.stderr);
    assert.ok(await signed.getTopicConfig(broker, "mqadmin-topic"));
  });

  it("users and ACLs: create, read, update and delete through codes 3001-3010, as mqadmin sees them", async function () {
    this.timeout(240_000);
    await createUser(signed, broker, { username: "orders-app", password: "orders-pass-1", userType: "Normal", userStatus: "enable" });
    const user = await getUser(signed, broker, "orders-app");
    assert.equal(user?.userType, "Normal");
    assert.equal(await getUser(signed, broker, "nobody"), undefined);

    await createAcl(signed, broker, {
      subject: "User:orders-app",
      policies: [{ policyType: "Custom", entries: [{ resource: "Topic:orders", actions: ["Pub"], sourceIps: ["127.0.0.0/8"], decision: "Allow" }] }],
    });
    const acl = await getAcl(signed, broker, "User:orders-app");
    assert.equal(acl?.subject, "User:orders-app");
    const entries = acl!.policies.flatMap((p) => p.entries);
    assert.deepEqual(entries.map((e) => [e.resource, e.actions, e.decision]), [["Topic:orders", ["Pub"], "Allow"]]);

    const listed = await mqadmin(["getAcl", "-b", broker, "-s", "User:orders-app"], superUser);
    assert.match(listed.stdout, /Topic:orders/, listed.stdout + listed.stderr);

    await updateAcl(signed, broker, {
      subject: "User:orders-app",
      policies: [{ policyType: "Custom", entries: [{ resource: "Group:billing-*", actions: ["Sub", "Get"], sourceIps: [], decision: "Allow" }] }],
    });
    // An update merges entries by resource; deleting one resource's entry leaves the others.
    const updated = await getAcl(signed, broker, "User:orders-app");
    assert.deepEqual(updated!.policies.flatMap((p) => p.entries).map((e) => e.resource), ["Topic:orders", "Group:billing-*"]);
    await deleteAcl(signed, broker, "User:orders-app", { policyType: "Custom", resource: "Topic:orders" });
    const afterEntryDelete = await getAcl(signed, broker, "User:orders-app");
    assert.deepEqual(afterEntryDelete!.policies.flatMap((p) => p.entries).map((e) => [e.resource, e.actions]), [["Group:billing-*", ["Sub", "Get"]]]);
    await deleteAcl(signed, broker, "User:orders-app");
    assert.equal(await getAcl(signed, broker, "User:orders-app"), undefined);
    await deleteUser(signed, broker, "orders-app");
    await deleteUser(signed, broker, "orders-app");
    assert.equal(await getUser(signed, broker, "orders-app"), undefined);
  });

  describe("the Topic, ConsumerGroup, User and Acl resources with credentials, and the real Java producer as orders-app", () => {
    const logs: string[] = [];
    const log: ProgressLog = { info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(`warning: ${m}`) };
    const logFor = () => log;
    const access = () => ({ clusterName: "authCluster", nameServerAddresses: bed.nameServer, connection: "direct", credentials: superUser });
    const appKeys: Credentials = { accessKey: "orders-app", secretKey: "orders-app-pass" };
    const userInputs = () => ({ ...access(), username: appKeys.accessKey, password: appKeys.secretKey });
    const aclInputs = () => ({ ...access(), subject: "User:orders-app", policies: [{ policyType: "Custom", entries: [{ resource: "Topic:orders", actions: ["Pub"], decision: "Allow" }] }] });

    function send(topic: string) {
      return bed.javaProgram("SignedProducer", [bed.nameServer, topic, "5", appKeys.accessKey, appKeys.secretKey], 120_000);
    }

    it("Topic and ConsumerGroup work with credentials and are refused without, naming the user", async function () {
      this.timeout(120_000);
      for (const name of ["orders", "payments"]) {
        await topicHandler(undefined, logFor).create("urn:topic", { ...access(), name });
      }
      await consumerGroupHandler(undefined, logFor).create("urn:group", { ...access(), name: "billing" });
      const topic = await signed.getTopicConfig(broker, "orders");
      assert.equal(topic.topicName, "orders");
      const { credentials: _omitted, ...anonymous } = access();
      await assert.rejects(topicHandler(undefined, logFor).create("urn:topic", { ...anonymous, name: "unsigned" }), /refused \(NO_PERMISSION\) for no credentials/);
      await assert.rejects(
        consumerGroupHandler(undefined, logFor).create("urn:group", { ...anonymous, credentials: appKeys, name: "other" }),
        /GET_ALL_SUBSCRIPTIONGROUP_CONFIG .*refused \(NO_PERMISSION\) for user orders-app/,
      );
    });

    it("orders-app may send to orders, not to payments; deleting its Acl takes the right away; a changed Acl shows as drift", async function () {
      this.timeout(400_000);
      const users = userHandler(undefined, logFor);
      const acls = aclHandler(undefined, logFor);
      const user = await users.create("urn:user", userInputs());
      assert.deepEqual(user.outs!.brokers, ["broker-auth", "broker-auth-b"]);
      assert.equal((await getUser(signed, bed.broker("broker-auth-b").address, "orders-app"))?.userType, "Normal", "written to every broker of the cluster");
      const aclState = (await acls.create("urn:acl", aclInputs())).outs!;

      const allowed = await send("orders");
      assert.match(allowed.stdout, /SENT 5/, allowed.stdout + allowed.stderr);
      const refused = await send("payments");
      assert.equal(refused.code, 3, refused.stdout + refused.stderr);
      assert.match(refused.stdout, /REFUSED 16 /);

      // Changed behind Pulumi's back: refresh reads what the broker holds, and the next up writes it back.
      await updateAcl(signed, broker, { subject: "User:orders-app", policies: [{ policyType: "Custom", entries: [{ resource: "Topic:payments", actions: ["Pub"], decision: "Allow" }] }] });
      const refreshed = await acls.read(String(aclState.id ?? "id"), aclState);
      const entries = (refreshed.props!.policies as Array<{ entries: Array<{ resource: string }> }>)[0].entries.map((e) => e.resource);
      assert.deepEqual(entries, ["Topic:orders", "Topic:payments"]);
      assert.deepEqual(refreshed.props!.driftedOn, ["broker-auth"], "the other broker still holds what was declared");
      const diff = await acls.diff("id", refreshed.props!, aclInputs());
      assert.equal(diff.changes, true, "the drift is a change at the next preview");
      await acls.update!("id", refreshed.props!, aclInputs());
      const repaired = await getAcl(signed, broker, "User:orders-app");
      assert.deepEqual(repaired!.policies.flatMap((p) => p.entries).map((e) => e.resource), ["Topic:orders"]);
      assert.equal((await send("payments")).code, 3, "the right added behind Pulumi's back is gone again");

      await acls.delete!("id", aclState);
      assert.equal(await getAcl(signed, broker, "User:orders-app"), undefined);
      const afterDelete = await send("orders");
      assert.equal(afterDelete.code, 3, afterDelete.stdout + afterDelete.stderr);
      assert.match(afterDelete.stdout, /REFUSED 16 /);
      const gone = await acls.read("id", aclState);
      assert.equal(gone.id, "", "refresh forgets an ACL deleted from every broker");

      await users.delete!("id", user.outs!);
      assert.equal(await getUser(signed, broker, "orders-app"), undefined);
    });

    it("imports a user and an ACL by id, signing with ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY", async function () {
      this.timeout(120_000);
      await createUser(signed, broker, { username: "importee", password: "importee-pass", userType: "Normal", userStatus: "enable" });
      await createAcl(signed, broker, { subject: "User:importee", policies: [{ policyType: "Custom", entries: [{ resource: "Group:billing-*", actions: ["Sub"], decision: "Allow" }] }] });
      process.env.ROCKETMQ_ACCESS_KEY = superUser.accessKey;
      process.env.ROCKETMQ_SECRET_KEY = superUser.secretKey;
      try {
        const user = await userHandler(undefined, logFor).read(`${bed.nameServer}/cluster:authCluster/importee`, {});
        assert.equal(user.inputs!.username, "importee");
        assert.equal(user.inputs!.userType, "Normal");
        const acl = await aclHandler(undefined, logFor).read(`${bed.nameServer}/cluster:authCluster/User:importee`, {});
        assert.deepEqual(acl.inputs!.policies, [{ policyType: "Custom", entries: [{ resource: "Group:billing-*", actions: ["Sub"], decision: "Allow" }] }]);
      } finally {
        delete process.env.ROCKETMQ_ACCESS_KEY;
        delete process.env.ROCKETMQ_SECRET_KEY;
      }
    });
  });

  describe("a scale-up's metadata copy, a scale-down's drain and a TopicTransfer, signed", () => {
    const log: ProgressLog = { info: () => undefined, warn: () => undefined };
    const logFor = () => log;
    const scaling = () => ({ clusterName: "authCluster", nameServerAddresses: bed.nameServer, connection: "direct", credentials: superUser, drainTimeoutSeconds: 60, allowDroppingUnreadMessages: true });

    it("BrokerScaling copies a topic only the first group has to the joining group; without credentials it is refused", async function () {
      this.timeout(240_000);
      await signed.createOrUpdateTopic(broker, { topicName: "first-group-only", readQueueNums: 2, writeQueueNums: 2, perm: 6 });
      const joining = bed.broker("broker-auth-b").address;
      const { credentials: _omitted, ...unsigned } = scaling();
      await assert.rejects(brokerScalingHandler(undefined, logFor).create("urn:scaling", { ...unsigned, brokerNames: ["broker-auth", "broker-auth-b"] }), /refused \(NO_PERMISSION\) for no credentials/);
      await brokerScalingHandler(undefined, logFor).create("urn:scaling", { ...scaling(), brokerNames: ["broker-auth", "broker-auth-b"] });
      assert.equal((await signed.getTopicConfig(joining, "first-group-only")).readQueueNums, 2);
    });

    it("a TopicTransfer moves a topic to the other cluster", async function () {
      this.timeout(300_000);
      // Not a Topic resource's: a transfer of a managed topic is refused.
      await createTopicOnCluster(signed, "authCluster", { topicName: "moving", readQueueNums: 2, writeQueueNums: 2, perm: 6 });
      const created = await topicTransferHandler(undefined, logFor, { pollIntervalMs: 200, groupSettleMs: 0 }).create("urn:transfer", {
        topic: "moving", sourceCluster: "authCluster", targetCluster: "edgeCluster", nameServerAddresses: bed.nameServer, connection: "direct", credentials: superUser, consumeTimeoutSeconds: 60,
      });
      assert.ok(created.id);
      assert.ok(await signed.getTopicConfig(bed.broker("broker-edge").address, "moving"));
      await assert.rejects(signed.getTopicConfig(broker, "moving"), (e: RocketMQAdminError) => e.isNotFound());
    });

    it("BrokerScaling drains the group a scale-down removes", async function () {
      this.timeout(240_000);
      const leaving = bed.broker("broker-auth-b").address;
      // No group may be left with messages to read there: the earlier cases' billing group goes.
      for (const address of [broker, leaving]) await signed.deleteSubscriptionGroup(address, "billing", true);
      const olds = { ...scaling(), brokerNames: ["broker-auth", "broker-auth-b"] };
      await brokerScalingHandler(undefined, logFor).update!("id", olds, { ...scaling(), brokerNames: ["broker-auth"] });
      assert.equal((await signed.getBrokerConfig(leaving)).brokerPermission, "4", "the leaving group is read-only");
    });
  });
});
