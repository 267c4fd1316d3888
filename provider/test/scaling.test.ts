import * as assert from "assert";
import { RegisteredObject, renderCluster } from "./clusterHarness";
import { brokerScalingToken } from "../src/inputs/brokerScaling";

function byKey(objects: RegisteredObject[]): Map<string, unknown> {
    return new Map(objects.map((object) => [`${object.type} ${object.name}`, object.inputs]));
}

describe("RocketMQCluster scaling broker groups", () => {
    it("size 1 -> 3 adds exactly the new groups' objects and changes nothing of group 0", async () => {
        const spec = (size: number) => ({ nameServer: { size: 2 }, broker: { size, replicaPerGroup: 1 } });
        // The same component name, as on a real `pulumi up` that changes size.
        const beforeRendered = await renderCluster(spec(1), "scaled");
        const before = byKey(beforeRendered.objects);
        const afterRendered = await renderCluster(spec(3), "scaled");
        const after = byKey(afterRendered.objects);

        for (const [key, inputs] of before) {
            assert.ok(after.has(key), `${key} is kept`);
            assert.deepStrictEqual(after.get(key), inputs, `${key} is unchanged`);
        }
        const added = [...after.keys()].filter((key) => !before.has(key)).sort();
        const expected = [1, 2].flatMap((group) => [
            `kubernetes:apps/v1:StatefulSet scaled-broker-${group}-master`,
            `kubernetes:apps/v1:StatefulSet scaled-broker-${group}-replica-1`,
            `kubernetes:core/v1:ConfigMap scaled-broker-${group}-config`,
            `kubernetes:core/v1:Service scaled-broker-${group}`,
            `kubernetes:policy/v1:PodDisruptionBudget scaled-broker-${group}-pdb`,
        ]).sort();
        assert.deepStrictEqual(added, expected);
        assert.deepStrictEqual((afterRendered.outputs.brokerGroups as any[]).map((group) => group.brokerName), ["broker-0", "broker-1", "broker-2"]);
        // The one object that changes in place: the cluster's BrokerScaling, whose update copies group 0's metadata to the new groups.
        assert.strictEqual(afterRendered.provided[brokerScalingToken]?.name, beforeRendered.provided[brokerScalingToken]?.name);
        assert.deepStrictEqual(beforeRendered.provided[brokerScalingToken]?.inputs.brokerNames, ["broker-0"]);
        assert.deepStrictEqual(afterRendered.provided[brokerScalingToken]?.inputs.brokerNames, ["broker-0", "broker-1", "broker-2"]);
        assert.strictEqual(afterRendered.provided[brokerScalingToken]?.inputs.sourceBrokerName, "broker-0");
        assert.deepStrictEqual((afterRendered.outputs.brokerGroups as any[])[2], {
            index: 2, brokerName: "broker-2", masterPodName: "broker-2-master-0", replicaPodNames: ["broker-2-replica-1-0"],
        });
    });
});
