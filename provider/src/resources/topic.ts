// rocketmq:index:Topic as the engine sees it.
// - check refuses bad names, queue numbers and placements at preview, without contacting anything.
// - diff names the inputs that change; another name is another topic (a replacement); a queue
//   decrease is refused unless allowQueueDecrease is set; broker groups missing the topic are a change;
//   another kubeconfig or connection is an update that changes nothing in RocketMQ.
// - every operation that contacts RocketMQ reaches it through the kubeconfig and connection inputs
//   (connect/clusterConnection.ts) and closes what it opened when it ends.
// - create, update and delete bring the brokers to the declared topic (ops/topics/topicLifecycle.ts);
//   an update whose placement leaves broker groups holding the topic first moves it off them in the
//   seven steps of a topic transfer (ops/topics/topicMove.ts).
// - read reports what the brokers hold, so refresh finds drift; from an id alone it imports, and
//   records the topic as managed (the engine reads an import in its preview too, so that preview records it).
import { CustomResourceHandler } from "../handlers";
import { ResolvedTopicArgs, validateTopicArgs } from "../inputs/topic";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { applyTopic, deleteTopic, readTopic, TopicSettings, topicConfigOf } from "../ops/topics/topicLifecycle";
import { describePlacement, Placement } from "../ops/topics/placement";
import { markManaged } from "../ops/topics/managedTopics";
import { moveTopicOffLeftGroups } from "../ops/topics/topicMove";
import type { TopicTransferOptions } from "../ops/topicTransfer";
import { defaultConsumeTimeoutSeconds } from "../inputs/topicTransfer";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { credentialsThroughChange } from "./previousCredentials";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, definedOnly, missingFromOf, onlyAccessChanged, parsePlacedId, pick, placedId, placementOf } from "./placedResource";

export const topicToken = "rocketmq:index:Topic";

/** Outputs besides the inputs, declared once: schema.json lists the same names. */
export const topicOutputNames = ["brokers", "missingFrom"] as const;

const settingNames = ["readQueueNums", "writeQueueNums", "perm", "order", "messageType", "attributes"] as const;
const inputNames = [
    "name", "clusterName", "brokerNames", ...settingNames, "nameServerAddresses", "kubeconfig", "connection", "credentials", "tls",
    "consumeTimeoutSeconds", "allowQueueDecrease", "allowDeleteWithUnconsumedMessages",
] as const;
const inputDefaults: Record<string, unknown> = {
    readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false, connection: "auto",
    consumeTimeoutSeconds: defaultConsumeTimeoutSeconds, allowQueueDecrease: false, allowDeleteWithUnconsumedMessages: false,
};
/** Inputs that only say how a later move waits: a new value alone changes nothing in RocketMQ. */
const moveOnlyInputNames = ["consumeTimeoutSeconds"];

/** `moveOptions` tune the waits of a placement change's move (tests shorten them). */
export function topicHandler(
    admins: AdminClientFactory = clusterAdminClients,
    logFor: ResourceLogs = engineResourceLogs(undefined),
    moveOptions: TopicTransferOptions = {},
): CustomResourceHandler {
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateTopicArgs),

        async diff(_id, olds, news, urn) {
            const { changed, known } = await changedInputs(olds, news, inputNames, inputDefaults);
            const decreases = (["readQueueNums", "writeQueueNums"] as const).filter(
                (field) => typeof known[field] === "number" && typeof olds[field] === "number" && (known[field] as number) < (olds[field] as number),
            );
            if (decreases.length > 0 && known.allowQueueDecrease !== true) {
                throw new Error(
                    `topic ${String(olds.name)}: ${decreases.map((f) => `${f} ${String(olds[f])} -> ${String(known[f])}`).join(", ")} is a decrease, refused: fewer queues can strand messages in the queues removed and break per-queue ordering; set allowQueueDecrease: true to do it anyway`,
                );
            }
            const missingFrom = missingFromOf(olds);
            const placementChanged = changed.includes("clusterName") || changed.includes("brokerNames");
            if ((missingFrom.length > 0 || placementChanged) && urn) {
                const log = logFor(urn);
                if (missingFrom.length > 0) log.info(`topic ${String(olds.name)} is missing from broker group(s) ${missingFrom.join(", ")}; the update creates it there`);
                if (placementChanged) log.info(describeMove(String(olds.name), olds, known));
                await log.flush?.();
            }
            const replaces = changed.filter((key) => key === "name");
            return { changes: changed.length > 0 || missingFrom.length > 0, replaces, deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            const presence = await withAdmin(admins, args, logFor(urn), async (client) => {
                const existing = await readTopic(client, args.name, placementOf(args));
                const declared = settingsOfArgs(args);
                if (existing.settings && JSON.stringify(topicConfigOf(args.name, existing.settings)) !== JSON.stringify(topicConfigOf(args.name, declared))) {
                    throw new Error(
                        `topic ${args.name} already exists on ${existing.brokers.join(", ")} with other settings; import it (pulumi import ${topicToken} <name> ${placedId(args.nameServerAddresses, placementOf(args), args.name)}) or declare the settings it has`,
                    );
                }
                return applyTopic(client, args.name, placementOf(args), declared, {
                    allowQueueDecrease: args.allowQueueDecrease,
                    allowDeleteWithUnconsumedMessages: args.allowDeleteWithUnconsumedMessages,
                });
            });
            return { id: placedId(args.nameServerAddresses, placementOf(args), args.name), outs: { ...stateOf(args), ...presence } };
        },

        async read(id, props, urn) {
            const importing = typeof props.name !== "string";
            const source = importing ? importSource(id) : parse(props);
            const read = await withAdmin(admins, source, logFor(urn ?? ""), async (client) => {
                const found = await readTopic(client, source.name, placementOf(source), importing ? undefined : settingsOfArgs(source as ResolvedTopicArgs));
                if (importing && !found.settings) throw new Error(`cannot import topic ${source.name}: no broker group of ${describePlacement(placementOf(source))} holds it`);
                // From its import on, the topic is this resource's: a TopicTransfer of it is refused at once.
                if (importing) await markManaged(client, source.name, describePlacement(placementOf(source)));
                return found;
            });
            if (!read.settings) return { id: "" }; // gone from every broker group: the stack forgets it
            const kept = importing ? { name: source.name, ...placementOf(source), nameServerAddresses: source.nameServerAddresses } : withoutSettings(props);
            const inputs = definedOnly({ ...pick(kept, inputNames), ...read.settings });
            return { id, props: { ...inputs, brokers: read.brokers, missingFrom: read.missingFrom }, inputs };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (await onlyAccessChanged(olds, news, inputNames, inputDefaults, moveOnlyInputNames)) {
                return { outs: { ...stateOf(args), brokers: olds.brokers, missingFrom: olds.missingFrom } };
            }
            const previous = settingsFromState(olds);
            const previousBrokers = Array.isArray(olds.brokers) ? (olds.brokers as string[]) : [];
            const log = logFor(urn ?? "");
            const presence = await withAdmin(admins, { ...args, credentials: credentialsThroughChange(olds, args.credentials) }, log, async (client) => {
                const moved = await moveTopicOffLeftGroups(
                    client,
                    { name: args.name, previousBrokers, placement: placementOf(args), consumeTimeoutSeconds: args.consumeTimeoutSeconds, allowDeleteWithUnconsumedMessages: args.allowDeleteWithUnconsumedMessages },
                    log,
                    moveOptions,
                );
                return applyTopic(client, args.name, placementOf(args), settingsOfArgs(args), {
                    allowQueueDecrease: args.allowQueueDecrease,
                    allowDeleteWithUnconsumedMessages: args.allowDeleteWithUnconsumedMessages,
                    // The groups the move took the topic off are done with.
                    previousBrokers: moved ? [] : previousBrokers,
                    previousAttributes: previous ? topicConfigOf(args.name, previous).attributes : undefined,
                });
            });
            return { outs: { ...stateOf(args), ...presence } };
        },

        async delete(_id, props, urn) {
            const args = parse(props);
            await withAdmin(admins, args, logFor(urn ?? ""), (client) =>
                deleteTopic(client, args.name, placementOf(args), Array.isArray(props.brokers) ? (props.brokers as string[]) : [], args.allowDeleteWithUnconsumedMessages),
            );
        },
    };
}

/** What a placement change will do, from the inputs alone (the new placement may not be known yet). */
function describeMove(name: string, olds: Record<string, unknown>, news: Record<string, unknown>): string {
    const known = (placement: Record<string, unknown>) =>
        typeof placement.clusterName === "string" || (Array.isArray(placement.brokerNames) && placement.brokerNames.every((b) => typeof b === "string"));
    const to = known(news) ? describePlacement(placementOf(news as Placement)) : "the new placement (known after deployment)";
    const timeout = typeof news.consumeTimeoutSeconds === "number" ? news.consumeTimeoutSeconds : defaultConsumeTimeoutSeconds;
    return (
        `topic ${name} moves from ${describePlacement(placementOf(olds as Placement))} to ${to}: broker groups it leaves are the source of the seven steps of a topic transfer ` +
        `(their consumer groups are added to the target, writes there stop, the update waits up to ${timeout} s for consumers to drain them, then the topic and groups are deleted there); any failure undoes the steps done so far`
    );
}

function settingsOfArgs(args: ResolvedTopicArgs): TopicSettings {
    return { readQueueNums: args.readQueueNums, writeQueueNums: args.writeQueueNums, perm: args.perm, order: args.order, messageType: args.messageType, attributes: args.attributes };
}

function settingsFromState(state: Record<string, unknown>): TopicSettings | undefined {
    const validation = validateTopicArgs(plainInputs(state, inputNames));
    return validation.ok ? settingsOfArgs(validation.value) : undefined;
}

function importSource(id: string): { name: string; clusterName?: string; brokerNames?: string[]; nameServerAddresses: string; connection: "auto" } {
    // An import reaches the cluster the default way: directly if it can, else through the ambient kubeconfig.
    const { nameServerAddresses, placement, name } = parsePlacedId(id, topicToken);
    return { name, ...placement, nameServerAddresses, connection: "auto" };
}

function withoutSettings(props: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(props).filter(([key]) => !(settingNames as readonly string[]).includes(key)));
}

function parse(inputs: Record<string, unknown>): ResolvedTopicArgs {
    const validation = validateTopicArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid Topic inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
