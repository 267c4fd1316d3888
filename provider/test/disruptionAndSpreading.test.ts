// PodDisruptionBudgets and spreading: the objects a spec produces (Pulumi mocks), the inputs that
// override them, and the bad inputs refused at preview.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { validateClusterArgs } from "../src/inputs/cluster";
import { constructCluster, kind, renderCluster, useMocks } from "./clusterHarness";

const instance = (name: string) => ({ "app.kubernetes.io/name": "rocketmq", "app.kubernetes.io/instance": name });

/** Whether a PodDisruptionBudget's selector picks a pod with these labels. */
function selects(budget: any, podLabels: Record<string, string>): boolean {
    return Object.entries(budget.spec.selector.matchLabels as Record<string, string>).every(([key, value]) => podLabels[key] === value);
}

function podLabels(workload: any): Record<string, string> {
    return workload.spec.template.metadata.labels;
}

function podSpec(workload: any): any {
    return workload.spec.template.spec;
}

describe("RocketMQCluster disruption budgets", () => {
    it("by default, one for the name servers and one per broker group, each letting at most one pod go", async () => {
        const rendered = await renderCluster({ nameServer: { size: 3 }, broker: { size: 2, replicaPerGroup: 2 } }, "pdb");
        const nameServers = rendered.object(kind.podDisruptionBudget, "name-service");
        assert.deepStrictEqual(nameServers.spec.maxUnavailable, 1);
        assert.strictEqual(nameServers.spec.minAvailable, undefined);
        assert.ok(selects(nameServers, podLabels(rendered.object(kind.statefulSet, "name-service"))));

        const statefulSets = ["master", "replica-1", "replica-2"];
        for (const group of [0, 1]) {
            const budget = rendered.object(kind.podDisruptionBudget, `broker-${group}`);
            assert.deepStrictEqual(budget.spec.maxUnavailable, 1);
            // Every pod of its group, master and replicas, and no pod of another group or kind.
            for (const statefulSet of statefulSets) {
                assert.ok(selects(budget, podLabels(rendered.object(kind.statefulSet, `broker-${group}-${statefulSet}`))), `broker-${group}-${statefulSet}`);
                assert.ok(!selects(budget, podLabels(rendered.object(kind.statefulSet, `broker-${1 - group}-${statefulSet}`))), `not broker-${1 - group}-${statefulSet}`);
            }
            assert.ok(!selects(budget, podLabels(rendered.object(kind.statefulSet, "name-service"))));
            assert.strictEqual(budget.metadata.labels["rocketmq/broker-name"], `broker-${group}`);
        }
        assert.ok(!selects(nameServers, podLabels(rendered.object(kind.statefulSet, "broker-0-master"))));
        assert.ok(!rendered.names().includes("PodDisruptionBudget console"), "the console, stateless, has none");
    });

    it("takes minAvailable or maxUnavailable instead, and none when turned off", async () => {
        const rendered = await renderCluster({
            nameServer: { size: 3, podDisruptionBudget: { minAvailable: 2 } },
            broker: { replicaPerGroup: 2, podDisruptionBudget: { maxUnavailable: 2 } },
        }, "custom");
        assert.deepStrictEqual(rendered.object(kind.podDisruptionBudget, "name-service").spec, {
            selector: { matchLabels: { ...instance("custom"), "app.kubernetes.io/component": "nameserver" } },
            minAvailable: 2,
        });
        assert.strictEqual(rendered.object(kind.podDisruptionBudget, "broker-0").spec.maxUnavailable, 2);

        const off = await renderCluster({ nameServer: { podDisruptionBudget: { enabled: false } }, broker: { size: 2, podDisruptionBudget: { enabled: false } } });
        assert.deepStrictEqual(off.names().filter((name) => name.startsWith("PodDisruptionBudget")), []);
    });

    for (const bad of [
        { args: { broker: { podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } } }, property: "broker.podDisruptionBudget.minAvailable", reason: /maxUnavailable or minAvailable, not both/ },
        { args: { nameServer: { podDisruptionBudget: { maxUnavailable: -1 } } }, property: "nameServer.podDisruptionBudget.maxUnavailable", reason: /whole number from 0 to 100/ },
        { args: { broker: { podDisruptionBudget: { minAvailable: "50%" } } }, property: "broker.podDisruptionBudget.minAvailable", reason: /whole number from 0 to 100/ },
        { args: { broker: { podDisruptionBudget: { enabled: "yes" } } }, property: "broker.podDisruptionBudget.enabled", reason: /true or false/ },
        { args: { broker: { podDisruptionBudget: { maxUnavailble: 1 } } }, property: "broker.podDisruptionBudget.maxUnavailble", reason: /is not an input/ },
    ]) {
        it(`refuses ${JSON.stringify(bad.args)} at ${bad.property}`, () => {
            const validation = validateClusterArgs(bad.args);
            const failures = validation.ok ? [] : validation.failures;
            const failure = failures.find((candidate) => candidate.property === bad.property);
            assert.ok(failure, `no failure at ${bad.property}; got ${JSON.stringify(failures)}`);
            assert.match(failure.reason, bad.reason);
        });
    }

    describe("in a preview", () => {
        before(() => useMocks("preview"));
        after(() => useMocks("up"));

        it("an unknown maxUnavailable leaves the budget's limit computed and the budget shown", async () => {
            const cluster = await constructCluster({ broker: { podDisruptionBudget: { maxUnavailable: pulumi.output(pulumi.unknown) } } });
            const budget = cluster.object(kind.podDisruptionBudget, "broker-0");
            assert.ok(pulumi.isUnknown(budget.spec) || budget.spec === rpc.unknownValue, `spec is ${JSON.stringify(budget.spec)}`);
            assert.ok(cluster.names().includes("PodDisruptionBudget name-service"));
        });

        it("an unknown enabled leaves the budget to pulumi up", async () => {
            const cluster = await constructCluster({ nameServer: { podDisruptionBudget: { enabled: pulumi.output(pulumi.unknown) } } });
            assert.ok(!cluster.names().includes("PodDisruptionBudget name-service"));
            assert.ok(cluster.names().includes("PodDisruptionBudget broker-0"));
        });
    });
});

describe("RocketMQCluster spreading", () => {
    const hostAntiAffinity = (selector: Record<string, string>) => ({
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" },
            }],
        },
    });
    const groupSelector = (name: string, group: number) => ({ ...instance(name), "app.kubernetes.io/component": "broker", "rocketmq/broker-name": `broker-${group}` });
    const nameServerSelector = (name: string) => ({ ...instance(name), "app.kubernetes.io/component": "nameserver" });

    it("by default, the pods of one broker group prefer different nodes, and so do the name servers", async () => {
        const rendered = await renderCluster({ nameServer: { size: 2 }, broker: { size: 2 } }, "spread");
        for (const group of [0, 1]) {
            for (const statefulSet of [`broker-${group}-master`, `broker-${group}-replica-1`]) {
                assert.deepStrictEqual(podSpec(rendered.object(kind.statefulSet, statefulSet)).affinity, hostAntiAffinity(groupSelector("spread", group)), statefulSet);
            }
        }
        assert.deepStrictEqual(podSpec(rendered.object(kind.statefulSet, "name-service")).affinity, hostAntiAffinity(nameServerSelector("spread")));
        assert.strictEqual(podSpec(rendered.object(kind.deployment, "console")).affinity, undefined);
        assert.strictEqual(podSpec(rendered.object(kind.statefulSet, "broker-0-master")).topologySpreadConstraints, undefined);
    });

    it("keeps the user's affinity: its podAntiAffinity replaces the default, its other parts sit beside it", async () => {
        const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }] } };
        const beside = await renderCluster({ affinity: { nodeAffinity } }, "own-affinity");
        assert.deepStrictEqual(podSpec(beside.object(kind.statefulSet, "broker-0-master")).affinity, { nodeAffinity, ...hostAntiAffinity(groupSelector("own-affinity", 0)) });
        assert.deepStrictEqual(podSpec(beside.object(kind.deployment, "console")).affinity, { nodeAffinity });

        const required = { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { "app.kubernetes.io/name": "rocketmq" } }, topologyKey: "kubernetes.io/hostname" }] };
        const replaced = await renderCluster({ affinity: { podAntiAffinity: required } });
        for (const statefulSet of ["broker-0-master", "broker-0-replica-1", "name-service"]) {
            assert.deepStrictEqual(podSpec(replaced.object(kind.statefulSet, statefulSet)).affinity, { podAntiAffinity: required });
        }
        // An empty podAntiAffinity turns the default off.
        const off = await renderCluster({ affinity: { podAntiAffinity: {} } });
        assert.deepStrictEqual(podSpec(off.object(kind.statefulSet, "broker-0-master")).affinity, { podAntiAffinity: {} });
    });

    it("gives each pod the topologySpreadConstraints, a constraint without labelSelector spreading the pod's own set", async () => {
        const zoneSpread = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" };
        const ownSelector = { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { tier: "mq" } } };
        const rendered = await renderCluster({ broker: { size: 2 }, topologySpreadConstraints: [zoneSpread, ownSelector] }, "zones");
        assert.deepStrictEqual(podSpec(rendered.object(kind.statefulSet, "broker-1-replica-1")).topologySpreadConstraints,
            [{ ...zoneSpread, labelSelector: { matchLabels: groupSelector("zones", 1) } }, ownSelector]);
        assert.deepStrictEqual(podSpec(rendered.object(kind.statefulSet, "name-service")).topologySpreadConstraints,
            [{ ...zoneSpread, labelSelector: { matchLabels: nameServerSelector("zones") } }, ownSelector]);
        assert.deepStrictEqual(podSpec(rendered.object(kind.deployment, "console")).topologySpreadConstraints,
            [{ ...zoneSpread, labelSelector: { matchLabels: { ...instance("zones"), "app.kubernetes.io/component": "console" } } }, ownSelector]);
    });

    for (const bad of [
        { args: { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }] }, property: "topologySpreadConstraints[0].maxSkew", reason: /at least 1/ },
        { args: { topologySpreadConstraints: [{ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }] }, property: "topologySpreadConstraints[0].topologyKey", reason: /must name a node label/ },
        { args: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "Never" }] }, property: "topologySpreadConstraints[0].whenUnsatisfiable", reason: /one of DoNotSchedule, ScheduleAnyway/ },
    ]) {
        it(`refuses ${JSON.stringify(bad.args)} at ${bad.property}`, () => {
            const validation = validateClusterArgs(bad.args);
            const failures = validation.ok ? [] : validation.failures;
            const failure = failures.find((candidate) => candidate.property === bad.property);
            assert.ok(failure, `no failure at ${bad.property}; got ${JSON.stringify(failures)}`);
            assert.match(failure.reason, bad.reason);
        });
    }
});
