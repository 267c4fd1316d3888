// Test certificates made with the openssl CLI: a CA, and a server certificate it signs for the
// DNS names given (PKCS#8 key, as RocketMQ's Netty reads it). Each call makes a fresh CA, so two
// calls give two CAs that do not trust each other's certificates.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TestCertificates {
    /** PEM of the CA certificate. */
    caCert: string;
    /** PEM of the server certificate. */
    cert: string;
    /** PEM (PKCS#8) of the server's private key. */
    key: string;
    dir: string;
}

function openssl(dir: string, ...args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

export function makeCertificates(dnsNames: string[], options: { commonName?: string; days?: number } = {}): TestCertificates {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rocketmq-tls-"));
    const days = String(options.days ?? 2);
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", days, "-subj", "/CN=rocketmq test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "tls.key");
    openssl(dir, "req", "-new", "-key", "tls.key", "-out", "tls.csr", "-subj", `/CN=${options.commonName ?? dnsNames[0]}`);
    fs.writeFileSync(path.join(dir, "ext.cnf"), [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth,clientAuth",
        `subjectAltName=${dnsNames.map((name) => `DNS:${name}`).join(",")}`,
    ].join("\n") + "\n");
    openssl(dir, "x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", days, "-extfile", "ext.cnf");
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    return { caCert: read("ca.crt"), cert: read("tls.crt"), key: read("tls.key"), dir };
}
