// An ACL 2.0 subject's policies on every broker of a cluster. A broker's update merges entries by
// policy type and resource, so applying sends the declared entries, then deletes the entries of
// resources no longer declared: the subject never passes through having no rights at all.
import type { RocketMQAdminClient } from "../../admin/client";
import { AclEntry, AclInfo, AclPolicy, createAcl, deleteAcl, getAcl, updateAcl } from "../../admin/authOperations";
import { everyBrokerOf } from "./everyBroker";

export interface AclPresence {
    brokers: string[];
    /** Brokers of the cluster that lack the ACL, or hold other policies than declared (or than the first broker's). */
    driftedOn: string[];
}

export async function applyAcl(client: RocketMQAdminClient, cluster: string, acl: AclInfo): Promise<AclPresence> {
    const brokers = await everyBrokerOf(client, cluster);
    const wanted = normalPolicies(acl.policies);
    for (const broker of brokers) {
        const held = await getAcl(client, broker.address, acl.subject);
        if (!held) {
            await createAcl(client, broker.address, { subject: acl.subject, policies: wanted });
            continue;
        }
        if (samePolicies(held.policies, wanted)) continue;
        await updateAcl(client, broker.address, { subject: acl.subject, policies: wanted });
        const declared = new Set(wanted.flatMap((p) => p.entries.map((e) => `${p.policyType} ${e.resource}`)));
        for (const policy of held.policies ?? []) {
            for (const entry of policy.entries ?? []) {
                if (!declared.has(`${policy.policyType} ${entry.resource}`)) {
                    await deleteAcl(client, broker.address, acl.subject, { policyType: policy.policyType, resource: entry.resource });
                }
            }
        }
    }
    return { brokers: brokers.map((b) => b.label), driftedOn: [] };
}

export async function readAcl(
    client: RocketMQAdminClient,
    cluster: string,
    subject: string,
    expected?: AclPolicy[],
): Promise<AclPresence & { policies?: AclPolicy[] }> {
    const brokers = await everyBrokerOf(client, cluster);
    const found = await Promise.all(brokers.map((broker) => getAcl(client, broker.address, subject)));
    const first = found.find((acl): acl is AclInfo => acl !== undefined && (acl.policies ?? []).some((p) => (p.entries ?? []).length > 0));
    const policies = first && normalPolicies(first.policies);
    const reference = expected ? normalPolicies(expected) : policies;
    const driftedOn = brokers.filter((_, i) => !found[i] || !reference || !samePolicies(found[i]!.policies, reference)).map((b) => b.label);
    return { policies, brokers: brokers.filter((_, i) => found[i]).map((b) => b.label), driftedOn };
}

export async function removeAcl(client: RocketMQAdminClient, cluster: string, subject: string): Promise<void> {
    for (const broker of await everyBrokerOf(client, cluster)) {
        if (await getAcl(client, broker.address, subject)) await deleteAcl(client, broker.address, subject);
    }
}

/** Policies in one canonical form: entries sorted by resource, actions and addresses sorted, empty lists and policies dropped. */
export function normalPolicies(policies: AclPolicy[] | undefined): AclPolicy[] {
    return (policies ?? [])
        .map((policy) => ({
            policyType: policy.policyType ?? "Custom",
            entries: (policy.entries ?? []).map(normalEntry).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0)),
        }))
        .filter((policy) => policy.entries.length > 0)
        .sort((a, b) => (a.policyType < b.policyType ? -1 : 1));
}

function normalEntry(entry: AclEntry): AclEntry {
    const sourceIps = [...(entry.sourceIps ?? [])].sort();
    return { resource: entry.resource, actions: [...entry.actions].sort(), ...(sourceIps.length > 0 ? { sourceIps } : {}), decision: entry.decision ?? "Allow" };
}

function samePolicies(held: AclPolicy[] | undefined, wanted: AclPolicy[]): boolean {
    return JSON.stringify(normalPolicies(held)) === JSON.stringify(normalPolicies(wanted));
}
