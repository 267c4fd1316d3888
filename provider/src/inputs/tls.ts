// TLS inputs: RocketMQCluster's `tls` (which mode the name servers, brokers and proxies run, and
// where their certificate comes from) and the operating resources' `tls` (how the provider
// verifies the certificate it is shown).
import { z } from "zod";
import { dnsLabelSchema } from "./kube";

export const tlsModes = ["disabled", "permissive", "enforcing"] as const;
export type TlsMode = (typeof tlsModes)[number];

export const issuerKinds = ["Issuer", "ClusterIssuer"] as const;

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

const caBundleSchema = z
    .string({ error: "must be PEM text of one or more CA certificates" })
    .superRefine((value, ctx) => {
        if (/PRIVATE KEY-----/.test(value)) ctx.addIssue({ code: "custom", message: "holds a private key: give only the CA's certificate" });
        else if (!pemCertificate.test(value)) ctx.addIssue({ code: "custom", message: "must be PEM text of one or more CA certificates (-----BEGIN CERTIFICATE-----)" });
    });

const serverNameSchema = z
    .string({ error: "must be a DNS name" })
    .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { error: "must be a DNS name in lower case, e.g. name-service.rocketmq.svc.cluster.local" });

/** The operating resources' `tls`: what the provider trusts and which name it verifies. */
export const clientTlsSchema = z.strictObject({
    caBundle: caBundleSchema,
    serverName: serverNameSchema.optional(),
});

export const issuerRefSchema = z.strictObject({
    name: dnsLabelSchema(253),
    kind: z.enum(issuerKinds, { error: "must be Issuer or ClusterIssuer" }).default("Issuer"),
    group: z.string({ error: "must be an API group" }).min(1, { error: "must not be empty" }).default("cert-manager.io"),
});

/** RocketMQCluster's `tls`. */
export const clusterTlsSchema = z.strictObject({
    mode: z.enum(tlsModes, { error: "must be disabled, permissive or enforcing" }).default("disabled"),
    secretName: dnsLabelSchema(253).optional(),
    issuerRef: issuerRefSchema.optional(),
    caBundle: caBundleSchema.optional(),
}).superRefine((tls, ctx) => {
    if (tls.secretName !== undefined && tls.issuerRef !== undefined) {
        ctx.addIssue({ code: "custom", path: ["issuerRef"], message: "give secretName (a Secret you made) or issuerRef (a Certificate the provider makes), not both" });
    }
    if (tls.mode === "disabled") return;
    if (tls.secretName === undefined && tls.issuerRef === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["secretName"],
            message: `tls.mode ${tls.mode} needs a certificate source: secretName (a Secret with tls.crt, tls.key and ca.crt) or issuerRef (a cert-manager Issuer or ClusterIssuer)`,
        });
    }
    if (tls.mode === "enforcing" && tls.caBundle === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["caBundle"],
            message: "tls.mode enforcing needs caBundle, the PEM of the CA that signs the certificate: the provider's own operations verify the brokers against it",
        });
    }
});

export type ResolvedClusterTls = z.output<typeof clusterTlsSchema>;
