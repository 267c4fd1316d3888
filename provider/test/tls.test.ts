// RocketMQCluster's tls input: what is refused at check time, and what the pods, the proxies'
// config, the cluster's own operations and the cert-manager Certificate are given.
import * as assert from "assert";
import { validateClusterArgs } from "../src/inputs/cluster";
import { kind, renderCluster } from "./clusterHarness";

const ca = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";
const cheap = { namespace: "mq", nameServer: { size: 1 }, broker: { replicaPerGroup: 0, size: 2 }, console: { enabled: false } };

function failures(args: unknown) {
    const validation = validateClusterArgs(args);
    return validation.ok ? [] : validation.failures;
}

function container(workload: any): any {
    return workload.spec.template.spec.containers[0];
}

function javaOptions(workload: any): string {
    return container(workload).env.find((env: any) => env.name === "JAVA_OPT_EXT").value;
}

describe("RocketMQCluster tls", () => {
    describe("check", () => {
        it("refuses enforcing with no certificate source, naming tls.secretName", () => {
            const found = failures({ tls: { mode: "enforcing", caBundle: ca } });
            assert.deepStrictEqual(found.map((failure) => failure.property), ["tls.secretName"]);
            assert.match(found[0].reason, /tls.mode enforcing needs a certificate source: secretName .* or issuerRef/);
        });

        it("refuses enforcing without caBundle: the provider could not verify its own connections", () => {
            const found = failures({ tls: { mode: "enforcing", secretName: "mq-tls" } });
            assert.deepStrictEqual(found.map((failure) => failure.property), ["tls.caBundle"]);
        });

        it("refuses a Secret and an issuer together, an unknown mode and a caBundle that is a key", () => {
            assert.deepStrictEqual(failures({ tls: { mode: "permissive", secretName: "a", issuerRef: { name: "ca" } } }).map((f) => f.property), ["tls.issuerRef"]);
            assert.deepStrictEqual(failures({ tls: { mode: "strict", secretName: "a" } }).map((f) => f.property), ["tls.mode"]);
            assert.deepStrictEqual(failures({ tls: { mode: "permissive", secretName: "a", caBundle: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----" } }).map((f) => f.property), ["tls.caBundle"]);
        });

        it("accepts a disabled tls with no source, and enforcing with a Secret and its CA", () => {
            assert.deepStrictEqual(failures({ tls: { mode: "disabled" } }), []);
            assert.deepStrictEqual(failures({ tls: { mode: "enforcing", secretName: "mq-tls", caBundle: ca } }), []);
        });
    });

    describe("enforcing from a Secret", () => {
        let rendered: Awaited<ReturnType<typeof renderCluster>>;
        before(async () => {
            rendered = await renderCluster({ ...cheap, proxy: { enabled: true }, tls: { mode: "enforcing", secretName: "mq-tls", caBundle: ca } });
        });

        it("mounts the Secret's three files read-only in every name server, broker and proxy", () => {
            for (const workload of [rendered.object(kind.statefulSet, "name-service"), rendered.object(kind.statefulSet, "broker-0-master"), rendered.object(kind.statefulSet, "broker-1-master"), rendered.object(kind.deployment, "proxy")]) {
                const volume = workload.spec.template.spec.volumes.find((v: any) => v.name === "rocketmq-tls");
                assert.deepStrictEqual(volume.secret, { secretName: "mq-tls", items: [{ key: "tls.crt", path: "tls.crt" }, { key: "tls.key", path: "tls.key" }, { key: "ca.crt", path: "ca.crt" }] });
                assert.deepStrictEqual(container(workload).volumeMounts.find((m: any) => m.name === "rocketmq-tls"), { name: "rocketmq-tls", mountPath: "/etc/rocketmq-tls", readOnly: true });
            }
        });

        it("sets RocketMQ's TLS system properties after the heap flags, the client side too", () => {
            const options = javaOptions(rendered.object(kind.statefulSet, "broker-0-master"));
            assert.match(options, /^-Xms\d+m .* -Dtls\.server\.mode=enforcing -Dtls\.test\.mode\.enable=false -Dtls\.server\.certPath=\/etc\/rocketmq-tls\/tls\.crt -Dtls\.server\.keyPath=\/etc\/rocketmq-tls\/tls\.key/);
            assert.match(options, /-Dtls\.enable=true -Dtls\.client\.authServer=true -Dtls\.client\.trustCertPath=\/etc\/rocketmq-tls\/ca\.crt/);
            assert.match(javaOptions(rendered.object(kind.statefulSet, "name-service")), /-Dtls\.server\.mode=enforcing/);
            assert.match(javaOptions(rendered.object(kind.deployment, "proxy")), /-Dtls\.server\.mode=enforcing/);
        });

        it("gives the proxies' gRPC port the certificate in rmq-proxy.json", () => {
            const config = JSON.parse(rendered.object(kind.configMap, "proxy-config").data["rmq-proxy.json"]);
            assert.strictEqual(config.tlsTestModeEnable, false);
            assert.strictEqual(config.tlsCertPath, "/etc/rocketmq-tls/tls.crt");
            assert.strictEqual(config.tlsKeyPath, "/etc/rocketmq-tls/tls.key");
        });

        it("puts no certificate or key in a ConfigMap, and outputs clientTls for the operating resources", () => {
            for (const object of rendered.objects.filter((o) => o.type === kind.configMap)) {
                assert.ok(!JSON.stringify(object.inputs).includes("BEGIN"), object.name);
            }
            assert.deepStrictEqual(rendered.outputs.clientTls, { caBundle: ca, serverName: "name-service.mq.svc.cluster.local" });
        });

        it("the cluster's own operations speak TLS", () => {
            for (const token of ["rocketmq:index:BrokerConfigPush", "rocketmq:index:NameServerRegistration", "rocketmq:index:BrokerScaling"]) {
                const resource = rendered.providedAll.find((r) => r.type === token);
                assert.ok(resource, token);
                assert.deepStrictEqual(resource!.inputs.tls, { caBundle: ca, serverName: "name-service.mq.svc.cluster.local" }, token);
            }
        });
    });

    it("without a tls input the pods are as before: no volume, no TLS flag, no clientTls", async () => {
        const rendered = await renderCluster(cheap);
        const broker = rendered.object(kind.statefulSet, "broker-0-master");
        assert.ok(!javaOptions(broker).includes("tls"));
        assert.ok(!broker.spec.template.spec.volumes.some((v: any) => v.name === "rocketmq-tls"));
        assert.strictEqual(rendered.outputs.clientTls, undefined);
        assert.ok(!rendered.providedAll.some((r) => r.inputs.tls !== undefined));
    });

    it("permissive: TLS served, the cluster's own operations stay plaintext", async () => {
        const rendered = await renderCluster({ ...cheap, tls: { mode: "permissive", secretName: "mq-tls", caBundle: ca } });
        const options = javaOptions(rendered.object(kind.statefulSet, "broker-0-master"));
        assert.match(options, /-Dtls\.server\.mode=permissive/);
        assert.ok(!options.includes("-Dtls.enable=true"));
        assert.ok(!rendered.providedAll.some((r) => r.inputs.tls !== undefined));
        assert.deepStrictEqual(rendered.outputs.clientTls, { caBundle: ca, serverName: "name-service.mq.svc.cluster.local" });
    });

    it("from an issuerRef: a cert-manager Certificate whose DNS names cover every pod and Service, and its Secret mounted", async () => {
        const rendered = await renderCluster({ ...cheap, proxy: { enabled: true }, tls: { mode: "enforcing", issuerRef: { name: "rocketmq-ca", kind: "ClusterIssuer" }, caBundle: ca } });
        const certificate = rendered.object(kind.certificate, "rocketmq-tls");
        assert.strictEqual(certificate.apiVersion, "cert-manager.io/v1");
        assert.deepStrictEqual(certificate.spec.issuerRef, { name: "rocketmq-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
        assert.strictEqual(certificate.spec.secretName, "rocketmq-tls");
        assert.strictEqual(certificate.spec.privateKey.encoding, "PKCS8");
        assert.deepStrictEqual(certificate.spec.dnsNames, [
            "name-service.mq.svc.cluster.local", "*.name-service.mq.svc.cluster.local",
            "broker-0.mq.svc.cluster.local", "*.broker-0.mq.svc.cluster.local",
            "broker-1.mq.svc.cluster.local", "*.broker-1.mq.svc.cluster.local",
            "proxy", "proxy.mq", "proxy.mq.svc", "proxy.mq.svc.cluster.local",
        ]);
        const volume = rendered.object(kind.statefulSet, "broker-1-master").spec.template.spec.volumes.find((v: any) => v.name === "rocketmq-tls");
        assert.strictEqual(volume.secret.secretName, "rocketmq-tls");
    });
});
