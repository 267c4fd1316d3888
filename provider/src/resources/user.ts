// rocketmq:index:User as the engine sees it: an ACL 2.0 user on every broker of a cluster, masters
// and replicas alike (brokers do not share users).
// - check refuses a bad name, type or status, and a user without a password, at preview.
// - diff: another username or cluster is another user (a replacement); brokers that lack the user or
//   hold other settings (driftedOn) are a change; credentials, kubeconfig or connection alone change nothing.
// - read asks every broker, so refresh finds a user changed or deleted behind Pulumi's back; from
//   an id alone it imports.
// - the password is kept secret in the state.
import { CustomResourceHandler } from "../handlers";
import { ResolvedUserArgs, validateUserArgs } from "../inputs/user";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { applyUser, readUser, removeUser, UserSettings } from "../ops/auth/userLifecycle";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { ImportSource, importSourceOf, secretValue } from "./authAccess";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, definedOnly, onlyAccessChanged, pick, placedId } from "./placedResource";

export const userToken = "rocketmq:index:User";
export const userOutputNames = ["brokers", "driftedOn"] as const;

const inputNames = ["username", "password", "userType", "userStatus", "clusterName", "nameServerAddresses", "kubeconfig", "connection", "credentials", "tls"] as const;
const inputDefaults: Record<string, unknown> = { userType: "Normal", userStatus: "enable", connection: "auto" };

export function userHandler(admins: AdminClientFactory = clusterAdminClients, logFor: ResourceLogs = engineResourceLogs(undefined)): CustomResourceHandler {
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateUserArgs),

        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            const drifted = driftedOf(olds);
            return { changes: changed.length > 0 || drifted.length > 0, replaces: changed.filter((key) => key === "username" || key === "clusterName"), deleteBeforeReplace: true };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const presence = await withAdmin(admins, args, logFor(urn), (client) => applyUser(client, args.clusterName, args.username, settingsOf(args)));
            return { id: placedId(args.nameServerAddresses, { clusterName: args.clusterName }, args.username), outs: { ...stateOfUser(args), ...presence } };
        },

        async read(id, props, urn) {
            const importing = typeof props.username !== "string";
            const source = importing ? importSourceOf(id, userToken) : parse(props);
            const username = importing ? (source as ImportSource).name : (source as ResolvedUserArgs).username;
            const expected = importing ? undefined : settingsOf(source as ResolvedUserArgs);
            const found = await withAdmin(admins, source, logFor(urn ?? ""), (client) => readUser(client, source.clusterName, username, expected));
            if (!found.settings) {
                if (importing) throw new Error(`cannot import user ${username}: no broker of cluster ${source.clusterName} holds it`);
                return { id: "" };
            }
            const kept = importing ? { username, clusterName: source.clusterName, nameServerAddresses: source.nameServerAddresses } : pick(props, inputNames);
            const inputs = definedOnly({ ...kept, ...found.settings, password: secretValue(found.settings.password) });
            return { id, props: { ...inputs, brokers: found.brokers, driftedOn: found.driftedOn }, inputs };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (driftedOf(olds).length === 0 && (await onlyAccessChanged(olds, news, inputNames, inputDefaults))) {
                return { outs: { ...stateOfUser(args), brokers: olds.brokers, driftedOn: [] } };
            }
            const presence = await withAdmin(admins, args, logFor(urn ?? ""), (client) => applyUser(client, args.clusterName, args.username, settingsOf(args)));
            return { outs: { ...stateOfUser(args), ...presence } };
        },

        async delete(_id, props, urn) {
            const args = parse(props);
            await withAdmin(admins, args, logFor(urn ?? ""), (client) => removeUser(client, args.clusterName, args.username));
        },
    };
}

function settingsOf(args: ResolvedUserArgs): UserSettings {
    return { password: args.password, userType: args.userType, userStatus: args.userStatus };
}

function stateOfUser(args: ResolvedUserArgs): Record<string, unknown> {
    return { ...stateOf(args), password: secretValue(args.password) };
}

function driftedOf(state: Record<string, unknown>): string[] {
    return Array.isArray(state.driftedOn) ? (state.driftedOn as string[]) : [];
}

function parse(inputs: Record<string, unknown>): ResolvedUserArgs {
    const validation = validateUserArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid User inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
