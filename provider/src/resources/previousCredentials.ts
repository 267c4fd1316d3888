// The keys an update of a RocketMQCluster's own operations (BrokerConfigPush, BrokerScaling) signs
// with while `auth` is being turned off: its brokers drop authentication only as each one restarts,
// and a group being removed never does, so until then they still refuse an unsigned request. The
// keys of the last deployment serve then; a broker with auth off ignores a signature.
import { credentialsSchema } from "../inputs/clusterAccess";
import type { Credentials } from "../admin/signing";
import { plainInputs } from "./inputState";

/** The new credentials, or while there are none, those the state (the last deployment) holds. */
export function credentialsThroughChange(olds: Record<string, unknown>, credentials: Credentials | undefined): Credentials | undefined {
    if (credentials !== undefined) return credentials;
    const previous = credentialsSchema.safeParse(plainInputs(olds, ["credentials"]).credentials);
    return previous.success ? previous.data : undefined;
}
