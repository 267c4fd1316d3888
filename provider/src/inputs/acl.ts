// Acl inputs (an ACL 2.0 subject's policies on every broker of a cluster): the zod schema validates,
// the args type is inferred from it. schema.json describes the same inputs; a unit test walks both.
import * as net from "node:net";
import { z } from "zod";
import { operationAccessSchemas } from "./clusterAccess";
import { aclUserNamePattern } from "./auth";
import { clusterNameSchema, nameServerAddressesSchema, validateInputs, Validation } from "./rocketmqNames";

export const aclActions = ["All", "Pub", "Sub", "Create", "Update", "Delete", "Get", "List"] as const;
export const aclDecisions = ["Allow", "Deny"] as const;
export const aclPolicyTypes = ["Custom", "Default"] as const;
export const aclResourceTypes = ["Cluster", "Namespace", "Topic", "Group"] as const;

const subjectRule = "must be User:<username> (1-64 letters, digits, '_', '.' or '-')";
const resourceRule =
    `must be * or <type>:<name>, the type one of ${aclResourceTypes.join(", ")} and the name a name, a prefix ending in * or * alone (e.g. Topic:orders, Group:billing-*, Topic:*)`;
/** A resource name as the brokers' names allow it (letters, digits, '%', '|', '_', '-', '.'), or a prefix of one ending in `*`. */
const resourcePattern = new RegExp(`^(\\*|(${aclResourceTypes.join("|")}):([A-Za-z0-9%|_.-]{1,255}\\*?|\\*))$`);

export function isSourceIp(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    const family = net.isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const entrySchema = z.strictObject({
    resource: z.string({ error: resourceRule }).regex(resourcePattern, { error: resourceRule }),
    actions: z
        .array(z.enum(aclActions, { error: `must be one of ${aclActions.join(", ")}` }), { error: "must be a list of actions" })
        .min(1, { error: `list at least one action (${aclActions.join(", ")})` }),
    sourceIps: z
        .array(z.string().refine(isSourceIp, { error: "must be an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8" }), { error: "must be a list of addresses" })
        .optional(),
    decision: z.enum(aclDecisions, { error: "must be Allow or Deny" }).default("Allow"),
});

const policySchema = z.strictObject({
    policyType: z.enum(aclPolicyTypes, { error: "must be Custom or Default" }).default("Custom"),
    entries: z.array(entrySchema, { error: "must be a list of entries" }).min(1, { error: "list at least one entry" }),
});

export const aclArgsSchema = z
    .strictObject({
        subject: z.string({ error: subjectRule }).refine((value) => value.startsWith("User:") && aclUserNamePattern.test(value.slice(5)), { error: subjectRule }),
        policies: z.array(policySchema, { error: "must be a list of policies" }).min(1, { error: "list at least one policy" }),
        clusterName: clusterNameSchema,
        nameServerAddresses: nameServerAddressesSchema,
        ...operationAccessSchemas,
    })
    .superRefine((args, ctx) => {
        const seen = new Set<string>();
        args.policies.forEach((policy, p) =>
            policy.entries.forEach((entry, e) => {
                // The brokers keep one entry per policy type and resource: a second would replace the first.
                const key = `${policy.policyType} ${entry.resource}`;
                if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["policies", p, "entries", e, "resource"], message: `${entry.resource} appears twice in ${policy.policyType} policies: give each resource one entry` });
                seen.add(key);
            }),
        );
    });

export type AclArgs = z.input<typeof aclArgsSchema>;
export type ResolvedAclArgs = z.output<typeof aclArgsSchema>;

export function validateAclArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedAclArgs> {
    return validateInputs(aclArgsSchema, "Acl", raw, unknownPaths);
}
