// RocketMQCluster's `auth` input: ACL 2.0 authentication and authorization on the brokers, with the
// first super user, whose keys the brokers also sign their calls to each other with. ACL 2.0 came
// with RocketMQ 5.3.0; an image of an older release is refused when its tag says so.
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

interface AuthRuleInputs {
    auth: { enabled: boolean };
    broker: { image: string };
    proxy: { enabled: boolean };
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
    if (proxy.enabled) {
        ctx.addIssue({ code: "custom", path: ["auth", "enabled"], message: "is not supported together with proxy.enabled yet: the proxies would not authenticate clients" });
    }
}
