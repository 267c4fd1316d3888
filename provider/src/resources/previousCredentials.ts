// The keys an update signs with while a cluster's `auth` is being turned off (its adminCredentials
// gone from the inputs): the brokers drop authentication only as each one restarts, and a group
// being removed never does, so until then they still refuse an unsigned request. That covers the
// cluster's own operations (a pushed run-time setting before the roll, a drain after it) and a
// Topic or ConsumerGroup changed in the same run (the removed group is still registered). The keys
// of the last deployment serve then; a broker with auth off ignores a signature.
import { credentialsSchema } from "../inputs/clusterAccess";
import type { Credentials } from "../admin/signing";
import { plainInputs } from "./inputState";

/** The new credentials, or while there are none, those the state (the last deployment) holds. */
export function credentialsThroughChange(olds: Record<string, unknown>, credentials: Credentials | undefined): Credentials | undefined {
    if (credentials !== undefined) return credentials;
    const previous = credentialsSchema.safeParse(plainInputs(olds, ["credentials"]).credentials);
    return previous.success ? previous.data : undefined;
}
