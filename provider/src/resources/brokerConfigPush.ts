// rocketmq:index:BrokerConfigPush, created by RocketMQCluster: carries a change of the brokers'
// name server list, and of the broker settings RocketMQ applies at run time, to the running
// brokers with updateBrokerConfig, so they take effect with no restart.
// - create contacts nothing: new brokers start with the settings from their ConfigMap.
// - update pushes only what changed, finding the brokers through the name servers they know (the
//   old list; new name servers may not run yet; the new list only if none of those answers), and
//   reads each value back.
// - diff warns, in preview, about changes that wait for a restart when allowRestart is false.
// - check refuses a broker image change RocketMQ does not support (a downgrade to an older major
//   release), comparing with the image of the last deployment, and any change of controller.mode
//   (inputs/controllerModeChange.ts).
// RocketMQCluster orders it before the name server StatefulSet, so name servers being removed go
// only after every running broker has the list without them.
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { ResolvedBrokerConfigPushArgs, validateBrokerConfigPushArgs } from "../inputs/brokerRuntime";
import { unsupportedImageChange } from "../inputs/imageChange";
import { ControllerMode } from "../inputs/controller";
import { refusedControllerModeChange } from "../inputs/controllerModeChange";
import { resolveInputs } from "../inputs/resolve";
import { pushBrokerSettings } from "../ops/scaling/brokerConfigPush";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { credentialsThroughChange } from "./previousCredentials";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, onlyAccessChanged } from "./placedResource";

export const brokerConfigPushToken = "rocketmq:index:BrokerConfigPush";

const inputNames = ["brokerClusterName", "namesrvAddr", "settings", "restartSettings", "allowRestart", "brokerImage", "controllerMode", "kubeconfig", "connection", "credentials", "tls"] as const;
const inputDefaults: Record<string, unknown> = { settings: {}, restartSettings: {}, allowRestart: true, controllerMode: "none", connection: "auto" };

/** What a program change means for the running brokers. */
export interface BrokerSettingsChange {
    /** Keys RocketMQ applies at run time whose value is new, with that value (namesrvAddr included). */
    push: Record<string, string>;
    /** Keys that take effect only when a broker restarts: restart-only keys changed, added or removed, and run-time keys removed. */
    needRestart: string[];
}

export function settingsChange(olds: Partial<ResolvedBrokerConfigPushArgs>, news: ResolvedBrokerConfigPushArgs): BrokerSettingsChange {
    const oldSettings = olds.settings ?? {};
    const push = Object.fromEntries(Object.entries(news.settings).filter(([key, value]) => oldSettings[key] !== value));
    if (olds.namesrvAddr !== news.namesrvAddr) push.namesrvAddr = news.namesrvAddr;
    const oldRestart = olds.restartSettings ?? {};
    const restartKeys = new Set([...Object.keys(oldRestart), ...Object.keys(news.restartSettings)]);
    const needRestart = [
        ...[...restartKeys].filter((key) => oldRestart[key] !== news.restartSettings[key]),
        ...Object.keys(oldSettings).filter((key) => !(key in news.settings)),
    ].sort();
    return { push, needRestart };
}

export function brokerConfigPushHandler(admins: AdminClientFactory = clusterAdminClients, logFor: ResourceLogs = engineResourceLogs(undefined)): CustomResourceHandler {
    return {
        async check(_urn, olds, news) {
            const checked = await checkInputs(news, validateBrokerConfigPushArgs);
            const [oldValues, newValues] = [(await resolveInputs(olds)).value, (await resolveInputs(news)).value];
            const [before, after] = [oldValues.brokerImage, newValues.brokerImage];
            const refusal = typeof before === "string" && typeof after === "string" ? unsupportedImageChange(before, after) : undefined;
            // A deployed push (olds has its cluster name) keeps the mode its brokers run; before this input existed they ran none.
            const modeRefusal = typeof oldValues.brokerClusterName === "string" && typeof newValues.controllerMode !== "object"
                ? refusedControllerModeChange((oldValues.controllerMode ?? "none") as ControllerMode, (newValues.controllerMode ?? "none") as ControllerMode)
                : undefined;
            // The engine shows the value of the property named; the reason names the cluster's input.
            const failures = [
                ...(refusal ? [{ property: "brokerImage", reason: `broker.image ${refusal}` }] : []),
                ...(modeRefusal ? [{ property: "controllerMode", reason: `controller.mode ${modeRefusal}` }] : []),
            ];
            return failures.length > 0 ? { inputs: news, failures: [...(checked.failures ?? []), ...failures] } : checked;
        },

        async diff(_id, olds, news, urn) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            const resolved = await resolveInputs(news);
            const validation = validateBrokerConfigPushArgs(resolved.value);
            if (validation.ok && resolved.unknownPaths.length === 0 && !validation.value.allowRestart && urn) {
                const { needRestart } = settingsChange(parseState(olds), validation.value);
                if (needRestart.length > 0) {
                    const log = logFor(urn);
                    log.warn(
                        `cluster ${validation.value.brokerClusterName}: ${needRestart.join(", ")} changed and take effect only when the brokers restart; ` +
                        "allowRestart is false, so the running brokers keep what they have. Restart the broker pods yourself (replicas before masters, one at a time) to apply them",
                    );
                    await log.flush?.();
                }
            }
            return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
        },

        async create(_urn, inputs) {
            const args = parse(inputs);
            return { id: `${args.brokerClusterName}-broker-settings`, outs: await outputsOf(args, inputs) };
        },

        async read(id, props) {
            return { id, props, inputs: plainInputs(props, inputNames) };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (await onlyAccessChanged(olds, news, inputNames, inputDefaults)) return { outs: await outputsOf(args, news) };
            const { push } = settingsChange(parseState(olds), args);
            if (Object.keys(push).length > 0) {
                // The brokers are registered with the old name servers; new ones may not run yet.
                const previous = splitList(parseState(olds).namesrvAddr);
                const reach = { preferred: previous.length > 0 ? previous : splitList(args.namesrvAddr), fallback: splitList(args.namesrvAddr) };
                // Brokers not restarted yet keep the authentication they started with.
                const credentials = credentialsThroughChange(olds, args.credentials);
                await withAdmin(admins, { ...args, credentials, nameServerAddresses: reach.preferred.join(";") }, logFor(urn ?? ""), (client) =>
                    pushBrokerSettings(client, reach, args.brokerClusterName, push, logFor(urn ?? "")));
            }
            return { outs: await outputsOf(args, news) };
        },

        async delete() {
            // Nothing to undo: the brokers keep their settings, and go with their StatefulSets.
        },
    };
}

function splitList(list: string | undefined): string[] {
    return (list ?? "").split(";").map((address) => address.trim()).filter((address) => address !== "");
}

/** The state: the kubeconfig secret, and the settings secret when any was. */
async function outputsOf(args: ResolvedBrokerConfigPushArgs, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
    const state = stateOf(args);
    if ((await resolveInputs({ settings: raw.settings })).containsSecrets) {
        state.settings = { [rpc.specialSigKey]: rpc.specialSecretSig, value: args.settings };
    }
    return state;
}

function parseState(state: Record<string, unknown>): Partial<ResolvedBrokerConfigPushArgs> {
    const validation = validateBrokerConfigPushArgs(plainInputs(state, inputNames));
    return validation.ok ? validation.value : {};
}

function parse(inputs: Record<string, unknown>): ResolvedBrokerConfigPushArgs {
    const validation = validateBrokerConfigPushArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid BrokerConfigPush inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
