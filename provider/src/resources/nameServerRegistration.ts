// rocketmq:index:NameServerRegistration, created by RocketMQCluster after the name servers and
// every broker StatefulSet: create and update wait until every broker of the cluster is
// registered with every name server of the list, so `pulumi up` returns with the cluster whole.
import { CustomResourceHandler } from "../handlers";
import { engineResourceLogs, ResourceLogs } from "../engineLog";
import { ResolvedNameServerRegistrationArgs, validateNameServerRegistrationArgs } from "../inputs/brokerRuntime";
import { waitForRegistrations } from "../ops/scaling/registrationWait";
import { Clock, realClock } from "../ops/progressLog";
import { AdminClientFactory, clusterAdminClients, withAdmin } from "./adminClients";
import { plainInputs, stateOf } from "./inputState";
import { changedInputs, checkInputs, onlyAccessChanged } from "./placedResource";

export const nameServerRegistrationToken = "rocketmq:index:NameServerRegistration";

const inputNames = ["brokerClusterName", "namesrvAddr", "brokers", "timeoutSeconds", "kubeconfig", "connection", "tls"] as const;
const inputDefaults: Record<string, unknown> = { timeoutSeconds: 300, connection: "auto" };

export function nameServerRegistrationHandler(
    admins: AdminClientFactory = clusterAdminClients,
    logFor: ResourceLogs = engineResourceLogs(undefined),
    clock: Clock = realClock,
): CustomResourceHandler {
    const waitFor = async (args: ResolvedNameServerRegistrationArgs, urn: string) => {
        const log = logFor(urn);
        const nameServers = args.namesrvAddr.split(";").filter((address) => address !== "");
        await withAdmin(admins, { ...args, nameServerAddresses: args.namesrvAddr }, log, (client) =>
            waitForRegistrations(client, nameServers, args.brokerClusterName, args.brokers, log, { timeoutMs: args.timeoutSeconds * 1000, clock }));
    };
    return {
        check: (_urn, _olds, news) => checkInputs(news, validateNameServerRegistrationArgs),

        async diff(_id, olds, news) {
            const { changed } = await changedInputs(olds, news, inputNames, inputDefaults);
            return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
        },

        async create(urn, inputs) {
            const args = parse(inputs);
            await waitFor(args, urn);
            return { id: `${args.brokerClusterName}-registrations`, outs: stateOf(args) };
        },

        async read(id, props) {
            return { id, props, inputs: plainInputs(props, inputNames) };
        },

        async update(_id, olds, news, urn) {
            const args = parse(news);
            if (!(await onlyAccessChanged(olds, news, inputNames, inputDefaults))) await waitFor(args, urn ?? "");
            return { outs: stateOf(args) };
        },

        async delete() {
            // A wait leaves nothing behind.
        },
    };
}

function parse(inputs: Record<string, unknown>): ResolvedNameServerRegistrationArgs {
    const validation = validateNameServerRegistrationArgs(plainInputs(inputs, inputNames));
    if (!validation.ok) throw new Error(`invalid NameServerRegistration inputs: ${validation.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
    return validation.value;
}
