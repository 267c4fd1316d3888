// A preview whose resources cannot reach their cluster says so: the way an operation would go in
// (a name server over direct TCP, else the API server's port-forward) is looked at once per run,
// on loopback servers that answer or ports nothing listens on, and a closed one is named in one
// warning, on the first resource that found it.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import * as net from "node:net";
import { findUnreached, Unreached } from "../src/connect/reachability";
import type { ClusterAccess } from "../src/connect/clusterConnection";
import { RocketMQProvider } from "../src/provider";
import { FindUnreached, UnreachedClusterNotice } from "../src/resources/unreachedCluster";
import type { ResourceLogs } from "../src/engineLog";

function kubeconfigFor(server: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        // A plain-HTTP test server is accepted only with TLS verification off, as kubectl would.
        `clusters: [{name: c, cluster: {server: ${JSON.stringify(server)}${server.startsWith("http:") ? ", insecure-skip-tls-verify: true" : ""}}}]`,
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
        "",
    ].join("\n");
}

/**
 * A loopback port nothing listens on: port 1 (tcpmux, never served here), checked to refuse. A port
 * freed from the ephemeral range would do only until the engine or a plugin binds it again.
 */
async function closedPort(): Promise<number> {
    const port = 1;
    const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => (socket.destroy(), resolve(false)));
        socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
    });
    assert.ok(refused, `127.0.0.1:${port} must refuse connections for this test`);
    return port;
}

async function listening<T extends net.Server>(server: T): Promise<{ port: number; close(): Promise<void> }> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An API server that answers GET /version as Kubernetes does. */
function versionServer(): http.Server {
    return http.createServer((request, response) => {
        response.writeHead(request.url === "/version" ? 200 : 404, { "content-type": "application/json" });
        response.end(JSON.stringify({ major: "1", minor: "33", gitVersion: "v1.33.0" }));
    });
}

function capturedLogs(): { logFor: ResourceLogs; warnings: { urn: string; message: string }[] } {
    const warnings: { urn: string; message: string }[] = [];
    return { warnings, logFor: (urn) => ({ info: () => undefined, warn: (message) => void warnings.push({ urn, message }) }) };
}

const nameServers = "name-service-0.name-service.mq.svc.cluster.local:9876";

describe("how the way into a cluster is found closed", () => {
    it("an API server that refuses connections is named with its URL, the kubeconfig's source and the reason", async () => {
        const port = await closedPort();
        const unreached = await findUnreached({ nameServerAddresses: nameServers, kubeconfig: kubeconfigFor(`https://127.0.0.1:${port}`), connection: "portForward" }, true);
        assert.ok(unreached);
        assert.equal(unreached.target, `the Kubernetes API server https://127.0.0.1:${port} (kubeconfig from the kubeconfig input (file contents))`);
        assert.match(unreached.reason, /ECONNREFUSED/);
    });

    it("an API server that answers /version is reached, also for a resource yet to be created", async () => {
        const api = await listening(versionServer());
        try {
            for (const deployed of [true, false]) {
                const access: ClusterAccess = { nameServerAddresses: nameServers, kubeconfig: kubeconfigFor(`http://127.0.0.1:${api.port}`), connection: "auto" };
                assert.equal(await findUnreached(access, deployed), undefined);
            }
        } finally {
            await api.close();
        }
    });

    it("auto with a name server that accepts TCP goes direct and asks no API server", async () => {
        const nameServer = await listening(net.createServer((socket) => socket.destroy()));
        try {
            const access: ClusterAccess = { nameServerAddresses: `127.0.0.1:${nameServer.port}`, kubeconfig: kubeconfigFor("https://127.0.0.1:1"), connection: "auto" };
            assert.equal(await findUnreached(access, true, { apiServer: () => assert.fail("asked the API server") }), undefined);
        } finally {
            await nameServer.close();
        }
    });

    it("direct: silent name servers of a deployed resource are named; before a create nothing is asked", async () => {
        const port = await closedPort();
        const access: ClusterAccess = { nameServerAddresses: `127.0.0.1:${port}`, connection: "direct" };
        const unreached = await findUnreached(access, true);
        assert.equal(unreached?.target, `the name servers 127.0.0.1:${port} over direct TCP`);
        assert.match(unreached?.reason ?? "", new RegExp(`127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
        assert.equal(await findUnreached(access, false, { probe: () => assert.fail("probed a name server") }), undefined);
    });

    it("a kubeconfig input that does not load is reported without quoting its contents", async () => {
        const secretText = "token: s3cr3t\n  : : not yaml [";
        const unreached = await findUnreached({ nameServerAddresses: nameServers, kubeconfig: secretText, connection: "portForward" }, true);
        assert.ok(unreached);
        assert.doesNotMatch(`${unreached.target} ${unreached.reason}`, /s3cr3t/);
    });
});

describe("the warning of a plan made without the cluster", () => {
    const unreached: Unreached = { target: "the Kubernetes API server https://127.0.0.1:1 (kubeconfig from $KUBECONFIG (/k))", reason: "connect ECONNREFUSED 127.0.0.1:1" };
    const topicInputs = { name: "orders", clusterName: "MainCluster", nameServerAddresses: nameServers, connection: "auto" };

    function counting(answer: Unreached | undefined): { find: FindUnreached; calls: { access: ClusterAccess; deployed: boolean }[] } {
        const calls: { access: ClusterAccess; deployed: boolean }[] = [];
        return { calls, find: async (access, deployed) => (calls.push({ access, deployed }), answer) };
    }

    it("is given once per run, on the first resource that found the way in closed, naming what did not answer and that the plan was made without it", async () => {
        const { logFor, warnings } = capturedLogs();
        const { find, calls } = counting(unreached);
        const notice = new UnreachedClusterNotice(logFor, find);
        await Promise.all([
            notice.afterCheck("urn:orders", {}, { inputs: topicInputs }),
            notice.afterCheck("urn:payments", { name: "payments" }, { inputs: { ...topicInputs, name: "payments" } }),
            notice.afterCheck("urn:billing", {}, { inputs: { ...topicInputs, name: "billing" } }),
        ]);
        assert.deepEqual(warnings.map((w) => w.urn), ["urn:orders"]);
        assert.equal(
            warnings[0].message,
            "the cluster was not reached: the Kubernetes API server https://127.0.0.1:1 (kubeconfig from $KUBECONFIG (/k)) did not answer (connect ECONNREFUSED 127.0.0.1:1). " +
                "This plan was made without it, from the program and the stack's state alone: nothing in it was checked against the cluster, and pulumi up cannot reach RocketMQ there until it answers",
        );
        // One look for the new resources and one for the deployed one, which may also look at its name servers.
        assert.deepEqual(calls.map((c) => c.deployed).sort(), [false, true]);
    });

    it("says nothing when the way in answers, nor after a check that failed, nor while how to reach the cluster is unknown", async () => {
        const { logFor, warnings } = capturedLogs();
        const quiet = counting(undefined);
        await new UnreachedClusterNotice(logFor, quiet.find).afterCheck("urn:a", {}, { inputs: topicInputs });
        assert.equal(quiet.calls.length, 1);
        const closed = counting(unreached);
        const notice = new UnreachedClusterNotice(logFor, closed.find);
        await notice.afterCheck("urn:b", {}, { inputs: topicInputs, failures: [{ property: "name", reason: "bad" }] });
        await notice.afterCheck("urn:c", {}, { inputs: { ...topicInputs, nameServerAddresses: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } });
        assert.deepEqual(closed.calls, []);
        assert.deepEqual(warnings, []);
    });

    it("names each way in that did not answer once", async () => {
        const { logFor, warnings } = capturedLogs();
        const notice = new UnreachedClusterNotice(logFor, async (access) => ({ ...unreached, target: `API server of ${access.kubeconfig}` }));
        await notice.afterCheck("urn:a", {}, { inputs: { ...topicInputs, kubeconfig: "/k/one" } });
        await notice.afterCheck("urn:b", {}, { inputs: { ...topicInputs, kubeconfig: "/k/two" } });
        await notice.afterCheck("urn:c", {}, { inputs: { ...topicInputs, kubeconfig: "/k/one", name: "other" } });
        assert.deepEqual(warnings.map((w) => w.urn), ["urn:a", "urn:b"]);
    });
});

describe("the provider's check of a resource that talks to RocketMQ", () => {
    it("warns when its kubeconfig's API server refuses connections, and passes the check", async () => {
        const port = await closedPort();
        const { logFor, warnings } = capturedLogs();
        const provider = new RocketMQProvider("0.1.0", undefined, new UnreachedClusterNotice(logFor));
        const urn = "urn:pulumi:dev::p::rocketmq:index:Topic::orders";
        const result = await provider.check(urn, {}, { name: "orders", clusterName: "MainCluster", nameServerAddresses: nameServers, kubeconfig: kubeconfigFor(`https://127.0.0.1:${port}`) });
        assert.equal(result.failures, undefined);
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        assert.equal(warnings[0].urn, urn);
        assert.match(warnings[0].message, new RegExp(`^the cluster was not reached: the Kubernetes API server https://127\\.0\\.0\\.1:${port} .*ECONNREFUSED.*This plan was made without it`));
    });

    it("does not look for the resources the cluster component runs its own waits with", async () => {
        const { logFor, warnings } = capturedLogs();
        const provider = new RocketMQProvider("0.1.0", undefined, new UnreachedClusterNotice(logFor, () => assert.fail("looked")));
        await provider.check("urn:pulumi:dev::p::rocketmq:index:BrokerRollout::r", {}, { namespace: "mq", statefulSetName: "broker-0-master" });
        assert.deepEqual(warnings, []);
    });
});
