// RocketMQCluster's `auth` input: ACL 2.0 authentication and authorization on the brokers and the
// proxies, with the first super user, whose keys the brokers and proxies also sign their own calls
// with. ACL 2.0 came with RocketMQ 5.3.0; an image of an older release is refused when its tag says so.
import { z } from "zod";
import { imageTag } from "./images";

export const firstVersionWithAcl2 = [5, 3, 0] as const;

/** ACL 2.0 user names: what the brokers' user names accept and mqadmin can type. */
export const aclUserNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const aclUserNameRule = "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit";
export const minPasswordLength = 8;

export const authSpecSchema = z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    superUserName: z.string({ error: aclUserNameRule }).regex(aclUserNamePattern, { error: aclUserNameRule }).default("rocketmq-admin"),
    superUserPassword: z.string({ error: "must be a string (keep it secret)" })
        .min(minPasswordLength, { error: `must be at least ${minPasswordLength} characters` })
        .optional(),
});

/** rmq-proxy.json keys the provider writes while auth is on (cluster/auth.ts), refused in proxy.properties then. */
export const proxyAuthConfigKeys = [
    "authenticationEnabled", "authorizationEnabled", "authenticationProvider", "authorizationProvider",
    "authenticationMetadataProvider", "authorizationMetadataProvider", "enableAclRpcHookForClusterMode", "innerClientAuthenticationCredentials",
];

interface AuthRuleInputs {
    auth: { enabled: boolean };
    broker: { image: string };
    proxy: { enabled: boolean; image?: string; properties?: Record<string, string> };
}

/** Whether brokers of this image have ACL 2.0: 5.3.0 on, and any image whose tag is no version. */
export function brokerImageHasAcl2(image: string): boolean {
    const version = /^(\d+)\.(\d+)\.(\d+)/.exec(imageTag(image) ?? "")?.slice(1).map(Number);
    if (!version) return true;
    const index = version.findIndex((part, i) => part !== firstVersionWithAcl2[i]);
    return index === -1 || version[index] > firstVersionWithAcl2[index];
}

/** Rules tying `auth` to the rest of the cluster. */
export function checkAuthRules(args: AuthRuleInputs, ctx: z.RefinementCtx) {
    const { auth, broker, proxy } = args;
    if (!auth.enabled) return;
    if (!brokerImageHasAcl2(broker.image)) {
        ctx.addIssue({
            code: "custom",
            path: ["auth", "enabled"],
            message: `broker.image ${broker.image} has no ACL 2.0 (RocketMQ ${firstVersionWithAcl2.join(".")} and later): use a newer image or leave auth off`,
        });
    }
    if (!proxy.enabled) return;
    if (proxy.image !== undefined && !brokerImageHasAcl2(proxy.image)) {
        ctx.addIssue({
            code: "custom",
            path: ["proxy", "image"],
            message: `${proxy.image} has no ACL 2.0 (RocketMQ ${firstVersionWithAcl2.join(".")} and later) and would let clients in unchecked while auth is on: use a newer image`,
        });
    }
    for (const key of Object.keys(proxy.properties ?? {}).filter((name) => proxyAuthConfigKeys.includes(name))) {
        ctx.addIssue({
            code: "custom",
            path: ["proxy", "properties", key],
            message: `${key} is written by the provider while auth is on: the proxies check every client and sign their own calls as the super user`,
        });
    }
}
