// User inputs (an ACL 2.0 user on every broker of a cluster): the zod schema validates, the args
// type is inferred from it. schema.json describes the same inputs; a unit test walks both.
import { z } from "zod";
import { operationAccessSchemas } from "./clusterAccess";
import { aclUserNamePattern, aclUserNameRule } from "./auth";
import { clusterNameSchema, nameServerAddressesSchema, validateInputs, Validation } from "./rocketmqNames";

export const userTypes = ["Super", "Normal"] as const;
export const userStatuses = ["enable", "disable"] as const;

export const userArgsSchema = z.strictObject({
    username: z.string({ error: aclUserNameRule }).regex(aclUserNamePattern, { error: aclUserNameRule }),
    password: z
        .string({ error: (issue) => (issue.input === undefined ? "is required: a user without a password cannot sign a request" : "must be a string (keep it secret)") })
        .min(1, { error: "must not be empty" }),
    userType: z.enum(userTypes, { error: `must be one of ${userTypes.join(", ")}` }).default("Normal"),
    userStatus: z.enum(userStatuses, { error: `must be one of ${userStatuses.join(", ")}` }).default("enable"),
    clusterName: clusterNameSchema,
    nameServerAddresses: nameServerAddressesSchema,
    ...operationAccessSchemas,
});

export type UserArgs = z.input<typeof userArgsSchema>;
export type ResolvedUserArgs = z.output<typeof userArgsSchema>;

export function validateUserArgs(raw: unknown, unknownPaths: readonly string[] = []): Validation<ResolvedUserArgs> {
    return validateInputs(userArgsSchema, "User", raw, unknownPaths);
}
