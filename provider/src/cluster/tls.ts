// TLS of the name servers, brokers and proxies. RocketMQ reads its TLS settings from JVM system
// properties (remoting's TlsSystemConfig: tls.server.mode, tls.server.certPath, ...), which go in
// JAVA_OPT_EXT; the proxy's gRPC port reads tlsCertPath and tlsKeyPath from rmq-proxy.json. The
// certificate, its key and the CA are files of the TLS Secret mounted into every pod, so the
// private key is in no ConfigMap, no pod spec and no Pulumi state.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";
import { ClientTls } from "../connect/tls";
import { ResolvedClusterTls } from "../inputs/tls";
import { ClusterContext, childName, metadataOf } from "./context";
import { derive } from "./derive";
import { brokerGroupServiceName, nameServerServiceName, proxyServiceName } from "./names";

export const tlsMountDir = "/etc/rocketmq-tls";
export const tlsVolumeName = "rocketmq-tls";
/** The Secret a cert-manager Certificate of the component writes. */
export const certificateSecretName = "rocketmq-tls";
export const certificateName = "rocketmq-tls";

const certFile = `${tlsMountDir}/tls.crt`;
const keyFile = `${tlsMountDir}/tls.key`;
const caFile = `${tlsMountDir}/ca.crt`;

type Tls = ResolvedClusterTls | undefined;

function tlsOf(context: ClusterContext): pulumi.Input<Tls> {
    return context.args.tls as pulumi.Input<Tls>;
}

function isOn(tls: Tls): tls is ResolvedClusterTls {
    return tls !== undefined && tls.mode !== "disabled";
}

/** The Secret the pods mount: the user's, or the one the Certificate writes. */
export function tlsSecretName(tls: ResolvedClusterTls): string {
    return tls.secretName ?? certificateSecretName;
}

/**
 * JVM flags of a name server, broker or proxy. In enforcing mode the process also speaks TLS as a
 * client (a broker to the name servers, a proxy to both) and verifies the peer against the CA.
 * Without a tls input nothing is added, so clusters deployed before it keep their pods.
 */
export function tlsJavaOptions(tls: Tls): string {
    if (tls === undefined) return "";
    if (tls.mode === "disabled") return "-Dtls.server.mode=disabled";
    const server = [
        `-Dtls.server.mode=${tls.mode}`,
        "-Dtls.test.mode.enable=false",
        `-Dtls.server.certPath=${certFile}`,
        `-Dtls.server.keyPath=${keyFile}`,
        `-Dtls.server.trustCertPath=${caFile}`,
    ];
    const client = tls.mode === "enforcing"
        ? ["-Dtls.enable=true", "-Dtls.client.authServer=true", `-Dtls.client.trustCertPath=${caFile}`]
        : [];
    return [...server, ...client].join(" ");
}

/** JAVA_OPT_EXT: the heap flags, then the TLS flags. */
export function withTlsOptions(context: ClusterContext, heapFlags: pulumi.Input<string>): pulumi.Input<string> {
    return derive([heapFlags, tlsOf(context)] as const, ([heap, tls]) => [heap, tlsJavaOptions(tls as Tls)].filter((part) => part !== "").join(" "));
}

export function tlsVolumes(context: ClusterContext): pulumi.Input<k8s.types.input.core.v1.Volume[]> {
    return derive(tlsOf(context), (tls) => isOn(tls as Tls)
        ? [{ name: tlsVolumeName, secret: { secretName: tlsSecretName(tls as ResolvedClusterTls), items: ["tls.crt", "tls.key", "ca.crt"].map((key) => ({ key, path: key })) } }]
        : []);
}

export function tlsVolumeMounts(context: ClusterContext): pulumi.Input<k8s.types.input.core.v1.VolumeMount[]> {
    return derive(tlsOf(context), (tls) => isOn(tls as Tls) ? [{ name: tlsVolumeName, mountPath: tlsMountDir, readOnly: true }] : []);
}

/** rmq-proxy.json keys for TLS on the gRPC port (the remoting port follows the JVM flags). */
export function proxyTlsConfig(tls: Tls): Record<string, string | boolean> {
    return isOn(tls) ? { tlsTestModeEnable: false, tlsCertPath: certFile, tlsKeyPath: keyFile } : {};
}

export function proxyTlsConfigOf(context: ClusterContext): pulumi.Input<Record<string, string | boolean>> {
    return derive(tlsOf(context), (tls) => proxyTlsConfig(tls as Tls));
}

/** The DNS name the provider verifies every certificate against: the name servers' Service. */
export function tlsServerName(namespace: string): string {
    return `${nameServerServiceName}.${namespace}.svc.cluster.local`;
}

/**
 * What the provider (and an operating resource wired from the cluster's clientTls output) needs
 * to verify the cluster: present when the cluster speaks TLS and its CA is known.
 */
export function clientTlsOf(context: ClusterContext): pulumi.Input<ClientTls | undefined> {
    return derive([tlsOf(context), context.args.namespace] as const, ([tls, namespace]) =>
        isOn(tls as Tls) && (tls as ResolvedClusterTls).caBundle !== undefined
            ? { caBundle: (tls as ResolvedClusterTls).caBundle!, serverName: tlsServerName(namespace as string) }
            : undefined);
}

/** For the cluster's own operations: TLS only when plaintext is refused. */
export function operationTlsOf(context: ClusterContext): pulumi.Input<ClientTls | undefined> {
    return derive([tlsOf(context), clientTlsOf(context)] as const, ([tls, client]) =>
        (tls as Tls)?.mode === "enforcing" ? (client as ClientTls | undefined) : undefined);
}

/**
 * Every name a client may use for a name server, broker or proxy: each headless Service and the
 * pods under it, and the proxy Service in its short and long forms.
 */
export function certificateDnsNames(namespace: string, brokerPrefix: string, brokerGroups: number, proxy: boolean): string[] {
    const headless = [nameServerServiceName, ...Array.from({ length: brokerGroups }, (_, group) => brokerGroupServiceName(brokerPrefix, group))];
    const names = headless.flatMap((service) => [`${service}.${namespace}.svc.cluster.local`, `*.${service}.${namespace}.svc.cluster.local`]);
    const proxyNames = proxy ? [proxyServiceName, `${proxyServiceName}.${namespace}`, `${proxyServiceName}.${namespace}.svc`, `${proxyServiceName}.${namespace}.svc.cluster.local`] : [];
    return [...names, ...proxyNames];
}

/**
 * The cert-manager Certificate made from tls.issuerRef. Its key is PKCS#8 (RocketMQ's Netty reads
 * PEM keys in that encoding) and it lives only in the Secret cert-manager writes.
 */
export function createCertificate(context: ClusterContext, known: { tls: ResolvedClusterTls; namespace: string; brokerPrefix: string; brokerGroups: number; proxy: boolean }): pulumi.CustomResource {
    return new k8s.apiextensions.CustomResource(childName(context, certificateName), {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: metadataOf(context, certificateName, { "app.kubernetes.io/name": "rocketmq", "app.kubernetes.io/instance": context.instanceLabel }),
        spec: {
            secretName: certificateSecretName,
            dnsNames: certificateDnsNames(known.namespace, known.brokerPrefix, known.brokerGroups, known.proxy),
            usages: ["server auth", "client auth", "digital signature", "key encipherment"],
            privateKey: { algorithm: "RSA", size: 2048, encoding: "PKCS8", rotationPolicy: "Always" },
            issuerRef: { name: known.tls.issuerRef!.name, kind: known.tls.issuerRef!.kind, group: known.tls.issuerRef!.group },
        },
    }, { parent: context.parent });
}
