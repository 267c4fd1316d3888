// rocketmq:index:ConsumerGroup as the engine sees it.
// - check refuses bad names, settings and placements at preview, without contacting anything.
// - diff names the inputs that change; another name is another group (a replacement); broker
//   groups missing the group are a change; another kubeconfig or connection is an update that
//   changes nothing in RocketMQ.
// - every operation that contacts RocketMQ reaches it through the kubeconfig and connection inputs
//   (connect/clusterConnection.ts) and closes what it opened when it ends.
// - create, update and delete bring the brokers to the declared group (ops/topics/groupLifecycle.ts).
// - read reports what the brokers hold, so refresh finds drift; from an id alone it imports.
import { CustomResourceHandler } from "../handlers";
import { groupSettingDefaults, groupSettingNames, ResolvedConsumerGroupArgs, validateConsumerGroupArgs } from "../inputs/consumerGroup";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { applyGroup, changedGroupSettings, deleteGroup, GroupSettings, readGroup } from "../ops/topics/groupLifecycle";
import { describePlacement } from "../ops/topics/placement";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { credentialsThroughChange } from "./previousCredentials";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, definedOnly, missingFromOf, onlyAccessChanged, parsePlacedId, pick, placedId, placementOf } from "./placedResource";

export const consumerGroupToken = "rocketmq:index:ConsumerGroup";

/** Outputs besides the inputs, declared once: schema.json lists the same names. */
export const consumerGroupOutputNames = ["brokers", "missingFrom"] as const;

const inputNames = ["name", "clusterName", "brokerNames", ...groupSettingNames, "nameServerAddresses", "kubeconfig", "connection", "credentials", "tls", "allowDeleteWithOnlineConsumers"] as const;
const inputDefaults: Record<string, unknown> = { ...groupSettingDefaults, connection: "auto", allowDeleteWithOnlineConsumers: false };

export function consumerGroupHandler(admins: AdminClientFactory = clusterAdminClients, logFor: ResourceLogs = engineResourceLogs(undefined)): CustomResourceHandler {
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateConsumerGroupArgs),

        async diff(_id, olds, news, urn) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            const missingFrom = missingFromOf(olds);
            if (missingFrom.length > 0 && urn) {
                const log = logFor(urn);
                log.info(`consumer group ${String(olds.name)} is missing from broker group(s) ${missingFrom.join(", ")}; the update creates it there`);
                await log.flush?.();
            }
            const replaces = changed.filter((key) => key === "name");
            return { changes: changed.length > 0 || missingFrom.length > 0, replaces, deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const presence = await withAdmin(admins, args, logFor(urn), async (client) => {
                const existing = await readGroup(client, args.name, placementOf(args), groupSettingDefaults);
                if (existing.settings && changedGroupSettings(existing.settings, settingsOfArgs(args)).length > 0) {
                    throw new Error(
                        `consumer group ${args.name} already exists on ${existing.brokers.join(", ")} with other settings; import it (pulumi import ${consumerGroupToken} <name> ${placedId(args.nameServerAddresses, placementOf(args), args.name)}) or declare the settings it has`,
                    );
                }
                return applyGroup(client, args.name, placementOf(args), settingsOfArgs(args), { allowDeleteWithOnlineConsumers: args.allowDeleteWithOnlineConsumers });
            });
            return { id: placedId(args.nameServerAddresses, placementOf(args), args.name), outs: { ...stateOf(args), ...presence } };
        },

        async read(id, props, urn) {
            const importing = typeof props.name !== "string";
            const source = importing ? importSource(id) : parse(props);
            const read = await withAdmin(admins, source, logFor(urn ?? ""), (client) =>
                readGroup(client, source.name, placementOf(source), groupSettingDefaults, importing ? undefined : settingsOfArgs(source as ResolvedConsumerGroupArgs)),
            );
            if (!read.settings) {
                if (importing) throw new Error(`cannot import consumer group ${source.name}: no broker group of ${describePlacement(placementOf(source))} holds it`);
                return { id: "" }; // gone from every broker group: the stack forgets it
            }
            const kept = importing ? { name: source.name, ...placementOf(source), nameServerAddresses: source.nameServerAddresses } : pick(props, inputNames);
            const inputs = definedOnly({ ...kept, ...read.settings });
            return { id, props: { ...inputs, brokers: read.brokers, missingFrom: read.missingFrom }, inputs };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (await onlyAccessChanged(olds, news, inputNames, inputDefaults)) {
                return { outs: { ...stateOf(args), brokers: olds.brokers, missingFrom: olds.missingFrom } };
            }
            const presence = await withAdmin(admins, { ...args, credentials: credentialsThroughChange(olds, args.credentials) }, logFor(urn ?? ""), (client) =>
                applyGroup(client, args.name, placementOf(args), settingsOfArgs(args), {
                    allowDeleteWithOnlineConsumers: args.allowDeleteWithOnlineConsumers,
                    previousBrokers: Array.isArray(olds.brokers) ? (olds.brokers as string[]) : [],
                }),
            );
            return { outs: { ...stateOf(args), ...presence } };
        },

        async delete(_id, props, urn) {
            const args = parse(props);
            await withAdmin(admins, args, logFor(urn ?? ""), (client) =>
                deleteGroup(client, args.name, placementOf(args), Array.isArray(props.brokers) ? (props.brokers as string[]) : [], args.allowDeleteWithOnlineConsumers),
            );
        },
    };
}

function settingsOfArgs(args: ResolvedConsumerGroupArgs): GroupSettings {
    return Object.fromEntries(groupSettingNames.map((name) => [name, args[name]])) as GroupSettings;
}

function importSource(id: string): { name: string; clusterName?: string; brokerNames?: string[]; nameServerAddresses: string; connection: "auto" } {
    // An import reaches the cluster the default way: directly if it can, else through the ambient kubeconfig.
    const { nameServerAddresses, placement, name } = parsePlacedId(id, consumerGroupToken);
    return { name, ...placement, nameServerAddresses, connection: "auto" };
}

function parse(inputs: Record<string, unknown>): ResolvedConsumerGroupArgs {
    const validation = validateConsumerGroupArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid ConsumerGroup inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
