// TLS over whatever stream a connector opens: a real TLS server on loopback stands for a broker,
// and an inner connector that sends every address to it stands for a port-forward (whose local
// end is 127.0.0.1, a name no certificate carries). The certificates are real, made by openssl.
import { strict as assert } from "node:assert";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { RocketMQAdminClient } from "../../src/admin";
import { encodeFrame, FLAG_RESPONSE, FrameDecoder } from "../../src/admin/codec";
import { ClientFailureCode } from "../../src/admin/codes";
import { RocketMQAdminError } from "../../src/admin/errors";
import { ConnectRefusedError, Connector } from "../../src/connect/connector";
import { DirectTcpConnector } from "../../src/connect/tcp";
import { TlsConnector } from "../../src/connect/tls";
import { makeCertificates, TestCertificates } from "../../../tests/support/certificates";

const serverName = "name-service.mq.svc.cluster.local";

/** Every address goes to one local port, as a port-forward stream would. */
class TunnelTo implements Connector {
    opened = 0;
    constructor(private readonly port: number) {}
    connect(): Promise<Duplex> {
        this.opened++;
        return new DirectTcpConnector().connect(`127.0.0.1:${this.port}`);
    }
}

describe("TLS connector", function () {
    this.timeout(60_000);
    let certs: TestCertificates;
    let otherCa: TestCertificates;
    let server: tls.Server;
    let plain: net.Server;
    let port: number;
    let plainPort: number;

    before(async () => {
        certs = makeCertificates([serverName, `*.name-service.mq.svc.cluster.local`, `*.broker-0.mq.svc.cluster.local`]);
        otherCa = makeCertificates([serverName]);
        // Answers every RocketMQ request with an empty success reply.
        server = tls.createServer({ cert: certs.cert, key: certs.key }, (socket) => {
            const decoder = new FrameDecoder();
            socket.on("data", (chunk: Buffer) => {
                for (const request of decoder.push(chunk)) {
                    socket.write(encodeFrame({ code: 0, opaque: request.opaque, flag: FLAG_RESPONSE, body: Buffer.from("{}") }));
                }
            });
            socket.on("error", () => undefined);
        });
        plain = net.createServer((socket) => socket.on("error", () => undefined).on("data", () => undefined));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
        port = (server.address() as net.AddressInfo).port;
        plainPort = (plain.address() as net.AddressInfo).port;
    });

    after(() => {
        server.close();
        plain.close();
    });

    it("verifies a broker reached by pod IP through a tunnel against the cluster's name, not the tunnel's 127.0.0.1", async () => {
        const connector = new TlsConnector(new TunnelTo(port), { caBundle: certs.caCert, serverName });
        const socket = (await connector.connect("10.1.2.3:10911")) as tls.TLSSocket;
        assert.equal(socket.authorized, true);
        assert.equal(socket.getPeerCertificate().subject.CN, serverName);
        socket.destroy();
    });

    it("verifies a name server's DNS address against its own name when no serverName is given", async () => {
        const connector = new TlsConnector(new TunnelTo(port), { caBundle: certs.caCert });
        const socket = (await connector.connect("name-service-0.name-service.mq.svc.cluster.local:9876")) as tls.TLSSocket;
        assert.equal(socket.authorized, true);
        socket.destroy();
    });

    it("refuses a pod IP without serverName: an IP names no certificate", async () => {
        const connector = new TlsConnector(new TunnelTo(port), { caBundle: certs.caCert });
        await assert.rejects(connector.connect("10.1.2.3:10911"), (err: Error) => err instanceof ConnectRefusedError && /set tls.serverName/.test(err.message));
    });

    it("a wrong CA fails at once, naming the certificate problem, and the admin client does not retry it", async () => {
        const tunnel = new TunnelTo(port);
        const client = new RocketMQAdminClient({ nameServers: "name-service-0.name-service.mq.svc.cluster.local:9876", connector: new TlsConnector(tunnel, { caBundle: otherCa.caCert, serverName }) });
        const started = Date.now();
        try {
            await assert.rejects(client.getClusterInfo(), (err: Error) => {
                assert.ok(err instanceof RocketMQAdminError, String(err));
                assert.equal((err as RocketMQAdminError).code, ClientFailureCode.REFUSED);
                assert.match(err.message, /its certificate is not signed by a CA of tls.caBundle \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
                assert.match(err.message, /verified as name-service\.mq\.svc\.cluster\.local/);
                return true;
            });
        } finally {
            client.close();
        }
        assert.equal(tunnel.opened, 1, "one connection: a certificate problem is not retried");
        assert.ok(Date.now() - started < 5000, `failed in ${Date.now() - started} ms`);
    });

    it("a certificate for other names fails naming the mismatch", async () => {
        const connector = new TlsConnector(new TunnelTo(port), { caBundle: certs.caCert, serverName: "name-service.other.svc.cluster.local" });
        await assert.rejects(connector.connect("10.1.2.3:10911"), (err: Error) =>
            err instanceof ConnectRefusedError && /does not name the server \(ERR_TLS_CERT_ALTNAME_INVALID/.test(err.message));
    });

    it("a peer that does not speak TLS is an ordinary, retryable failure", async () => {
        const connector = new TlsConnector(new TunnelTo(plainPort), { caBundle: certs.caCert, serverName });
        await assert.rejects(connector.connect("10.1.2.3:10911", { timeoutMs: 1000 }), (err: Error) => !(err instanceof ConnectRefusedError) && /TLS handshake with 10\.1\.2\.3:10911/.test(err.message));
    });

    it("an admin call works over the verified tunnel", async () => {
        const client = new RocketMQAdminClient({ nameServers: "name-service-0.name-service.mq.svc.cluster.local:9876", connector: new TlsConnector(new TunnelTo(port), { caBundle: certs.caCert, serverName }) });
        try {
            const reply = await client.call("10.1.2.3:10911", { code: 106 });
            assert.equal(reply.code, 0);
        } finally {
            client.close();
        }
    });
});
