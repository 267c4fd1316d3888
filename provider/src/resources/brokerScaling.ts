// rocketmq:index:BrokerScaling as the engine sees it: one resource per broker cluster whose input
// lists the cluster's broker groups. Why one cluster-level resource and not one per group: the
// engine runs creates and updates in dependency order but deletes removed objects last, in reverse.
// A drain in a per-group delete would also run, and wait, on `pulumi destroy` of the whole cluster.
// Here the drain is part of this resource's update, which runs before the engine deletes a removed
// group's StatefulSets, and its delete does nothing, so destroy never waits.
// - check refuses bad inputs at preview, without contacting anything.
// - diff names the groups that join (copied to) and leave (drained); it never replaces.
// - create and update wait for the source's and the joining groups' masters, copy the source's
//   topics and subscription groups to the joining groups (only what they lack), and drain the
//   groups no longer listed.
// - read reports in the engine log what each group lacks of the source and changes nothing: a
//   group gets the source's metadata when it joins; afterwards a topic on some groups only is a
//   placement (a Topic's brokerNames, a transfer), which a later copy must not undo.
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { clusterAccessInputNames } from "../inputs/clusterAccess";
import { defaultDrainTimeoutSeconds } from "../inputs/drain";
import { brokerScalingToken, ResolvedBrokerScalingArgs, sourceGroupOf, validateBrokerScalingArgs } from "../inputs/brokerScaling";
import { Clock, realClock } from "../ops/progressLog";
import { MissingMetadata } from "../ops/scaling/metadataSync";
import { readMissingMetadata, scaleBrokerGroups } from "../ops/scaling/scaling";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { credentialsThroughChange } from "./previousCredentials";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, pick } from "./placedResource";

export { brokerScalingToken };

const inputNames = ["clusterName", "brokerNames", "sourceBrokerName", "nameServerAddresses", "kubeconfig", "connection", "credentials", "tls", "drainTimeoutSeconds", "allowDroppingUnreadMessages"] as const;
const inputDefaults: Record<string, unknown> = { connection: "auto", drainTimeoutSeconds: defaultDrainTimeoutSeconds, allowDroppingUnreadMessages: false };
/**
 * Inputs whose change alone copies and drains nothing: how to reach the cluster (another name server
 * list included: it serves the same brokers) and what a future drain may do.
 */
const nonOperationalInputs: readonly string[] = [...clusterAccessInputNames, "nameServerAddresses", "drainTimeoutSeconds", "allowDroppingUnreadMessages"];

export function brokerScalingHandler(admins: AdminClientFactory = clusterAdminClients, logFor: ResourceLogs = engineResourceLogs(undefined), clock: Clock = realClock): CustomResourceHandler {
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateBrokerScalingArgs),

        async diff(_id, olds, news, urn) {
            const { changed, known } = await changedInputs(olds, news, inputNames, inputDefaults);
            const lines = Array.isArray(known.brokerNames) ? describeMembershipChange(namesOf(olds.brokerNames), known.brokerNames as string[], sourceOf(known)) : [];
            if (urn && lines.length > 0) {
                const log = logFor(urn);
                lines.forEach((line) => log.info(line));
                await log.flush?.();
            }
            return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            await scale(args, args.brokerNames, [], urn);
            return { id: args.clusterName, outs: stateOf(args) };
        },

        async read(id, props, urn) {
            if (!Array.isArray(props.brokerNames)) {
                throw new Error(`${brokerScalingToken} cannot be imported: declare it (or a RocketMQCluster) instead; a create with groups that already hold every topic copies nothing`);
            }
            const args = parse(props);
            const log = logFor(urn ?? "");
            if (args.brokerNames.length > 1) {
                const missing = await withAdmin(admins, args, log, (client) =>
                    readMissingMetadata(client, { clusterName: args.clusterName, brokerNames: args.brokerNames, sourceBrokerName: sourceGroupOf(args) }, log),
                );
                missing.forEach((m) => log.info(describeMissing(m, sourceGroupOf(args))));
            }
            // A state written before the copy stopped following refresh may still hold missingMetadata.
            const { missingMetadata: _dropped, ...state } = props;
            return { id, props: state, inputs: pick(props, inputNames) };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            if (changed.some((key) => !nonOperationalInputs.includes(key))) {
                const before = namesOf(olds.brokerNames);
                const joining = args.brokerNames.filter((name) => !before.includes(name));
                const leaving = before.filter((name) => !args.brokerNames.includes(name));
                await scale({ ...args, credentials: credentialsThroughChange(olds, args.credentials) }, joining, leaving, urn ?? "");
            }
            return { outs: stateOf(args) };
        },

        // Removing the resource (destroy, or a cluster without it) leaves the brokers as they are: destroy never waits on a drain.
        async delete() {},
    };

    async function scale(args: ResolvedBrokerScalingArgs, joining: string[], leaving: string[], urn: string): Promise<void> {
        const sourceBrokerName = sourceGroupOf(args);
        const target = { clusterName: args.clusterName, sourceBrokerName, joining: joining.filter((name) => name !== sourceBrokerName), leaving,
            drainTimeoutMs: args.drainTimeoutSeconds * 1000, allowDroppingUnreadMessages: args.allowDroppingUnreadMessages };
        if (target.joining.length === 0 && leaving.length === 0) return; // nothing to copy, nothing to drain, nothing to reach
        const log = logFor(urn);
        await withAdmin(admins, args, log, (client) => scaleBrokerGroups(client, target, log, clock));
    }
}

/** What the engine log says a membership change will do. */
export function describeMembershipChange(before: string[], after: string[], source: string): string[] {
    const joining = after.filter((name) => !before.includes(name) && name !== source);
    const leaving = before.filter((name) => !after.includes(name));
    return [
        ...(joining.length > 0 ? [`the update copies every topic and subscription group of ${source} to ${joining.join(", ")} once their masters are registered`] : []),
        ...(leaving.length > 0 ? [`the update drains ${leaving.join(", ")} (read-only, then waits until every consumer group has consumed every message there) before their objects are deleted`] : []),
    ];
}

function sourceOf(known: Record<string, unknown>): string {
    return typeof known.sourceBrokerName === "string" ? known.sourceBrokerName : String((known.brokerNames as string[])[0]);
}

function namesOf(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A refresh's report of one group; the names are cut short, the counts are not. */
export function describeMissing(missing: MissingMetadata, source: string): string {
    const named = (kind: string, names: string[]) => `${names.length} ${kind}(s)${names.length > 0 ? ` (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""})` : ""}`;
    return (
        `${missing.brokerName} lacks ${named("topic", missing.topics)} and ${named("subscription group", missing.subscriptionGroups)} of ${source}, or has them with other settings; ` +
        `nothing is copied: a group gets the source's metadata when it joins, and afterwards a topic on some groups only is a placement (create it everywhere with a Topic on the cluster or mqadmin updateTopic -c)`
    );
}

function parse(inputs: Record<string, unknown>): ResolvedBrokerScalingArgs {
    const validation = validateBrokerScalingArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid BrokerScaling inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
