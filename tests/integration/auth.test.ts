// Request signing and ACL 2.0 users and ACLs against a real broker with authentication and
// authorization on (RocketMQ 5.3+), cross-checked with the real mqadmin signing as the super user.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Credentials, RocketMQAdminClient, RocketMQAdminError, RocketMQPermissionError } from "../../provider/src/admin";
import { createAcl, createUser, deleteAcl, deleteUser, getAcl, getUser, updateAcl } from "../../provider/src/admin/authOperations";
import { RocketMQTestBed, runMqadmin } from "../support/rocketmq";
import { rocketmqMatrix, supportsAcl2 } from "../support/rocketmqJars";

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

for (const version of rocketmqMatrix().filter(supportsAcl2)) describe(`ACL 2.0 against real RocketMQ ${version}`, function () {
  let bed: RocketMQTestBed;
  let broker: string;
  let signed: RocketMQAdminClient;

  before(async function () {
    this.timeout(240_000);
    bed = await RocketMQTestBed.start({ version, brokers: [{ cluster: "authCluster", brokerName: "broker-auth" }], brokerConfig: authSettings(), credentials: superUser });
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
});
