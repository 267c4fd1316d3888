// A refusal of the Kubernetes API server is not a transient fault: a 401, a 403 and a TLS
// certificate this machine does not trust fail an admin call at once, naming what was refused,
// while resets and server errors are still retried. The API server is a local HTTPS server here
// (tests/e2e/leastPrivilege.test.ts meets the real one).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { RocketMQAdminClient, RocketMQAdminError } from "../../src/admin";
import { ClientFailureCode } from "../../src/admin/codes";
import { openClusterConnection } from "../../src/connect";
import { apiServerRefusal, refusedPermission } from "../../src/connect/refusal";
import { HandshakeRefusedError } from "../../src/connect/websocketTunnel";
import { scratchDir } from "../../../tests/support/scratch";

/** A self-signed certificate for 127.0.0.1, made with openssl. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = scratchDir("api-cert-");
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}

/** The API server's answer to a request its RBAC authorizer denies. */
function forbiddenStatus(verb: string, resource: string, name: string, namespace: string): string {
  const [kind, subresource] = resource.split("/");
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: `${kind} "${name}" is forbidden: User "system:serviceaccount:${namespace}:deployer" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`,
    reason: "Forbidden",
    details: { name, kind: subresource ? kind : resource },
    code: 403,
  });
}

interface FakeApiServer {
  url: string;
  /** "METHOD path" of every request that reached the handler. */
  requests: string[];
  /** TCP connections accepted, including those whose TLS handshake failed. */
  connections: number;
  close(): Promise<void>;
}

async function fakeApiServer(tls: { key: string; cert: string }, answer: (req: http.IncomingMessage) => { status: number; body: string }): Promise<FakeApiServer> {
  const server = https.createServer(tls, (req, res) => {
    fake.requests.push(`${req.method} ${req.url}`);
    const { status, body } = answer(req);
    res.writeHead(status, { "Content-Type": "application/json" }).end(body);
  });
  const fake: FakeApiServer = {
    url: "",
    requests: [],
    connections: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on("connection", () => fake.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function tokenKubeconfig(server: string, caPem: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name: "deployer", user: { token: "a-token" } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "deployer" } }],
    "current-context": "x",
  });
}

const nameServer = "name-service-0.name-service.mq.svc.cluster.local:9876";

/** Runs one admin call through port-forward as a resource does; returns its failure and how long it took. */
async function failedCall(kubeconfig: string, call: (client: RocketMQAdminClient) => Promise<unknown>): Promise<{ error: RocketMQAdminError; ms: number }> {
  const connection = await openClusterConnection({ nameServerAddresses: nameServer, kubeconfig, connection: "portForward" });
  const client = new RocketMQAdminClient({ nameServers: nameServer, connector: connection.connector });
  const began = Date.now();
  try {
    await call(client);
  } catch (err) {
    assert.ok(err instanceof RocketMQAdminError, String(err));
    return { error: err, ms: Date.now() - began };
  } finally {
    client.close();
    connection.close();
  }
  assert.fail("the call succeeded");
}

describe("connect: refusals of the API server are not retried", function () {
  let tls: { key: string; cert: string };
  let server: FakeApiServer | undefined;
  before(() => {
    tls = selfSignedCertificate();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a port-forward forbidden for want of get fails at once, naming get on pods/portforward and what to grant", async () => {
    server = await fakeApiServer(tls, () => ({ status: 403, body: forbiddenStatus("get", "pods/portforward", "name-service-0", "mq") }));
    const { error, ms } = await failedCall(tokenKubeconfig(server.url, tls.cert), (client) => client.getClusterInfo());
    assert.ok(ms < 5000, `failed after ${ms} ms`);
    assert.deepEqual(server.requests, ["GET /api/v1/namespaces/mq/pods/name-service-0/portforward?ports=9876"], "asked once, not retried");
    assert.equal(error.code, ClientFailureCode.REFUSED);
    assert.equal(error.isRetriable(), false);
    assert.match(error.message, /port-forward to pod mq\/name-service-0 port 9876 .* was refused: the API server forbids system:serviceaccount:mq:deployer to get pods\/portforward in namespace mq/);
    assert.match(error.message, /The kubeconfig's user lacks get on pods\/portforward: grant it get and list on pods, and get and create on pods\/portforward in namespace mq/);
    assert.doesNotMatch(error.message, /tried \d+ times/);
  });

  it("a port-forward forbidden for want of create (the check API servers from 1.35 add to the WebSocket upgrade) names create", async () => {
    // The port-forward handler's own check answers with no verb and no reason (Kubernetes 1.35.4).
    const handlerCheck = JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: 'pods "name-service-0" is forbidden: ',
      reason: "Forbidden",
      details: { name: "name-service-0", kind: "pods" },
      code: 403,
    });
    server = await fakeApiServer(tls, () => ({ status: 403, body: handlerCheck }));
    const { error, ms } = await failedCall(tokenKubeconfig(server.url, tls.cert), (client) => client.getClusterInfo());
    assert.ok(ms < 5000, `failed after ${ms} ms`);
    assert.equal(server.requests.length, 1);
    assert.equal(error.code, ClientFailureCode.REFUSED);
    assert.match(error.message, /forbids the kubeconfig's user to create pods\/portforward in namespace mq: it allowed the WebSocket upgrade's get, and from Kubernetes 1\.35 it also requires create/);
    assert.match(error.message, /lacks create on pods\/portforward/);
  });

  it("a port-forward an admission webhook denies is refused without a guessed verb", async () => {
    const denied = JSON.stringify({ kind: "Status", message: 'admission webhook "deny-portforward.example" denied the request: no port-forward in production', reason: "Forbidden", code: 403 });
    server = await fakeApiServer(tls, () => ({ status: 403, body: denied }));
    const { error } = await failedCall(tokenKubeconfig(server.url, tls.cert), (client) => client.getClusterInfo());
    assert.equal(server.requests.length, 1);
    assert.match(error.message, /refused the request \(HTTP 403 Forbidden: admission webhook "deny-portforward\.example" denied the request: no port-forward in production\)/);
    assert.match(error.message, /lacks a permission/);
    assert.doesNotMatch(error.message, /lacks create/);
  });

  it("a pod list forbidden fails at once, naming list on pods", async () => {
    server = await fakeApiServer(tls, () => ({ status: 403, body: forbiddenStatus("list", "pods", "", "mq") }));
    const { error, ms } = await failedCall(tokenKubeconfig(server.url, tls.cert), (client) => client.getBrokerConfig("10.0.0.7:10911"));
    assert.ok(ms < 5000, `failed after ${ms} ms`);
    assert.deepEqual(server.requests, ["GET /api/v1/namespaces/mq/pods"]);
    assert.equal(error.code, ClientFailureCode.REFUSED);
    assert.match(error.message, /the pod for 10\.0\.0\.7:10911 cannot be looked up: cannot list pods in namespace mq: the API server forbids system:serviceaccount:mq:deployer to list pods in namespace mq/);
    assert.match(error.message, /lacks list on pods/);
  });

  it("credentials refused (401) fail at once, saying to change them", async () => {
    server = await fakeApiServer(tls, () => ({ status: 401, body: JSON.stringify({ kind: "Status", message: "Unauthorized", reason: "Unauthorized", code: 401 }) }));
    const { error, ms } = await failedCall(tokenKubeconfig(server.url, tls.cert), (client) => client.getClusterInfo());
    assert.ok(ms < 5000, `failed after ${ms} ms`);
    assert.equal(server.requests.length, 1);
    assert.equal(error.code, ClientFailureCode.REFUSED);
    assert.match(error.message, /does not accept the kubeconfig's credentials \(HTTP 401 Unauthorized/);
  });

  it("an API server certificate signed by another CA fails at once, naming the certificate", async () => {
    server = await fakeApiServer(tls, () => ({ status: 500, body: "{}" }));
    const otherCa = selfSignedCertificate().cert;
    const { error, ms } = await failedCall(tokenKubeconfig(server.url, otherCa), (client) => client.getClusterInfo());
    assert.ok(ms < 5000, `failed after ${ms} ms`);
    assert.equal(server.connections, 1, "one TLS handshake, not retried");
    assert.deepEqual(server.requests, []);
    assert.equal(error.code, ClientFailureCode.REFUSED);
    assert.match(error.message, /does not trust the API server's TLS certificate \([A-Z_]+: /);
  });

  it("a server error is still a transient fault: retried", async () => {
    server = await fakeApiServer(tls, () => ({ status: 503, body: JSON.stringify({ kind: "Status", message: "the server is shutting down", code: 503 }) }));
    const connection = await openClusterConnection({ nameServerAddresses: nameServer, kubeconfig: tokenKubeconfig(server.url, tls.cert), connection: "portForward" });
    const client = new RocketMQAdminClient({ nameServers: nameServer, connector: connection.connector, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
    try {
      await assert.rejects(client.getClusterInfo(), (err: RocketMQAdminError) => err.code === ClientFailureCode.CONNECTION && /tried 3 times/.test(err.message));
      assert.equal(server.requests.length, 3);
    } finally {
      client.close();
      connection.close();
    }
  });
});

describe("connect: what counts as a refusal", () => {
  it("reads the verb, resource, namespace and user of an RBAC denial", () => {
    const status = JSON.parse(forbiddenStatus("get", "pods/portforward", "broker-0-master-0", "mq")) as { message: string };
    assert.deepEqual(refusedPermission(status.message), { user: "system:serviceaccount:mq:deployer", verb: "get", resource: "pods/portforward", namespace: "mq" });
    assert.deepEqual(refusedPermission('pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope'), { user: "alice", verb: "list", resource: "pods", namespace: undefined });
    assert.equal(refusedPermission("admission webhook denied the request"), undefined);
  });

  it("takes 401, 403 and untrusted certificates anywhere in the cause chain, and nothing else", () => {
    const handshake = new HandshakeRefusedError(403, forbiddenStatus("get", "pods/portforward", "p", "mq"));
    assert.equal(apiServerRefusal(handshake)?.permission?.verb, "get");
    assert.equal(apiServerRefusal(new Error("port-forward failed", { cause: handshake }))?.kind, "forbidden");
    assert.equal(apiServerRefusal(Object.assign(new Error("HTTP-Code: 401"), { code: 401 }))?.kind, "unauthorized");
    assert.match(apiServerRefusal(new HandshakeRefusedError(403, "forbidden by policy"))!.description, /HTTP 403 Forbidden: forbidden by policy/);
    for (const code of ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
      assert.equal(apiServerRefusal(new Error("x", { cause: Object.assign(new Error("tls"), { code }) }))?.kind, "untrusted certificate", code);
    }
    for (const transient of [
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      new HandshakeRefusedError(500, "internal error"),
      new HandshakeRefusedError(503, "shutting down"),
      Object.assign(new Error("HTTP-Code: 429"), { code: 429 }),
      new Error("timed out after 5000 ms"),
    ]) {
      assert.equal(apiServerRefusal(transient), undefined, transient.message);
    }
  });
});
