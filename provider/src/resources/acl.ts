// rocketmq:index:Acl as the engine sees it: one subject's ACL 2.0 policies on every broker of a
// cluster, masters and replicas alike (brokers do not share ACLs).
// - check refuses a bad subject, resource pattern, action, source IP, decision or policy type at
//   preview, naming the field; the policies come back in one canonical order.
// - diff: another subject or cluster is another ACL (a replacement); brokers that lack the ACL or
//   hold other policies (driftedOn) are a change; credentials, kubeconfig or connection alone change nothing.
// - read asks every broker, so refresh finds an ACL changed or deleted behind Pulumi's back; from an
//   id alone it imports. Deleting it takes the subject's rights away on every broker.
import { CustomResourceHandler } from "../handlers";
import { ResolvedAclArgs, validateAclArgs } from "../inputs/acl";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import type { AclPolicy } from "../admin/authOperations";
import { applyAcl, normalPolicies, readAcl, removeAcl } from "../ops/auth/aclLifecycle";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { ImportSource, importSourceOf } from "./authAccess";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, definedOnly, onlyAccessChanged, pick, placedId } from "./placedResource";

export const aclToken = "rocketmq:index:Acl";
export const aclOutputNames = ["brokers", "driftedOn"] as const;

const inputNames = ["subject", "policies", "clusterName", "nameServerAddresses", "kubeconfig", "connection", "credentials", "tls"] as const;
const inputDefaults: Record<string, unknown> = { connection: "auto" };

export function aclHandler(admins: AdminClientFactory = clusterAdminClients, logFor: ResourceLogs = engineResourceLogs(undefined)): CustomResourceHandler {
    return {
        async check(_urn, _olds, news) {
            const checked = await checkInputs(news, validateAclArgs);
            const inputs = checked.inputs as Record<string, unknown>;
            // Plain policies come back in canonical order, so a reordered list is no change.
            if (!checked.failures?.length && Array.isArray(inputs.policies) && inputs === checked.inputs && inputs.policies !== news.policies) {
                inputs.policies = normalPolicies(inputs.policies as AclPolicy[]);
            }
            return checked;
        },

        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            const real = changed.filter((key) => key !== "policies" || !samePoliciesOf(olds.policies, news.policies));
            return { changes: real.length > 0 || driftedOf(olds).length > 0, replaces: real.filter((key) => key === "subject" || key === "clusterName"), deleteBeforeReplace: true };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const presence = await withAdmin(admins, args, logFor(urn), (client) => applyAcl(client, args.clusterName, { subject: args.subject, policies: args.policies }));
            return { id: placedId(args.nameServerAddresses, { clusterName: args.clusterName }, args.subject), outs: { ...stateOfAcl(args), ...presence } };
        },

        async read(id, props, urn) {
            const importing = typeof props.subject !== "string";
            const source = importing ? importSourceOf(id, aclToken) : parse(props);
            const subject = importing ? (source as ImportSource).name : (source as ResolvedAclArgs).subject;
            const expected = importing ? undefined : (source as ResolvedAclArgs).policies;
            const found = await withAdmin(admins, source, logFor(urn ?? ""), (client) => readAcl(client, source.clusterName, subject, expected));
            if (!found.policies) {
                if (importing) throw new Error(`cannot import the ACL of ${subject}: no broker of cluster ${source.clusterName} holds one`);
                return { id: "" };
            }
            const kept = importing ? { subject, clusterName: source.clusterName, nameServerAddresses: source.nameServerAddresses } : pick(props, inputNames);
            const inputs = definedOnly({ ...kept, policies: found.policies });
            return { id, props: { ...inputs, brokers: found.brokers, driftedOn: found.driftedOn }, inputs };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (driftedOf(olds).length === 0 && samePoliciesOf(olds.policies, news.policies) && (await onlyAccessChanged(olds, news, inputNames.filter((n) => n !== "policies"), inputDefaults))) {
                return { outs: { ...stateOfAcl(args), brokers: olds.brokers, driftedOn: [] } };
            }
            const presence = await withAdmin(admins, args, logFor(urn ?? ""), (client) => applyAcl(client, args.clusterName, { subject: args.subject, policies: args.policies }));
            return { outs: { ...stateOfAcl(args), ...presence } };
        },

        async delete(_id, props, urn) {
            const args = parse(props);
            await withAdmin(admins, args, logFor(urn ?? ""), (client) => removeAcl(client, args.clusterName, args.subject));
        },
    };
}

function stateOfAcl(args: ResolvedAclArgs): Record<string, unknown> {
    return { ...stateOf(args), policies: normalPolicies(args.policies) };
}

function samePoliciesOf(a: unknown, b: unknown): boolean {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    return JSON.stringify(normalPolicies(a as AclPolicy[])) === JSON.stringify(normalPolicies(b as AclPolicy[]));
}

function driftedOf(state: Record<string, unknown>): string[] {
    return Array.isArray(state.driftedOn) ? (state.driftedOn as string[]) : [];
}

function parse(inputs: Record<string, unknown>): ResolvedAclArgs {
    const validation = validateAclArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid Acl inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
