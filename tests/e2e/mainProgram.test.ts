// The main job's program (the root Pulumi.yaml) against the sandbox cluster, as a user runs it:
// preview shows the plan, up deploys real RocketMQ, the brokers register with the name server,
// a second preview and a refresh find nothing to change, destroy removes every pod.
import { strict as assert } from "node:assert";
import { RocketMQAdminClient } from "../../provider/src/admin";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { podsAfterTermination, readyPods } from "../support/pods";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";

const namespace = `e2e-main-${process.pid}`;

interface BrokerGroupOutput {
    brokerName: string;
    masterPodName: string;
    replicaPodNames: string[];
}

describe("e2e: the root Pulumi.yaml program in the sandbox", function () {
    let sandbox: Sandbox;
    let stack: PulumiTestStack;

    before(async () => {
        sandbox = await ensureSandbox();
        await sandbox.kubectl(["create", "namespace", namespace]);
        const programDir = copyProgram(repoRoot, { replace: [["namespace: default", `namespace: ${namespace}`]] });
        // The sandbox's node cannot run the dashboard image (no registry here carries it).
        stack = await PulumiTestStack.create({
            programDir,
            env: { KUBECONFIG: sandbox.kubeconfig },
            config: { consoleEnabled: "false" },
        });
    });

    after(async () => {
        if (stack) {
            await stack.destroy();
            await stack.remove();
        }
        await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
    });

    it("preview shows the cluster and its Kubernetes objects to create", async () => {
        const result = await stack.preview();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /\+ .*rocketmq:index:RocketMQCluster/);
        assert.match(result.stdout, /\+ .*kubernetes:apps\/v1:StatefulSet/);
        assert.match(result.stdout, /\+ .*kubernetes:core\/v1:ConfigMap/);
    });

    it("up deploys name server, master and replica, all Ready", async () => {
        const result = await stack.up();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // Every pod of the namespace, and only those, is Ready.
        const all = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "name"])).split("\n").filter((line) => line !== "");
        assert.deepEqual(await readyPods(sandbox, namespace), ["broker-0-master-0", "broker-0-replica-1-0", "name-service-0"]);
        assert.equal(all.length, 3, all.join(", "));
    });

    it("outputs say where clients connect, and the brokers are registered there", async () => {
        const outputs = await stack.outputs();
        assert.equal(outputs.brokerClusterName, "DefaultCluster");
        assert.equal(outputs.nameServerAddresses, `name-service-0.name-service.${namespace}.svc.cluster.local:9876`);
        const groups = outputs.brokerGroups as BrokerGroupOutput[];
        assert.deepEqual(groups.map((group) => group.masterPodName), ["broker-0-master-0"]);

        // Ask the real name server, reached at its pod IP, which brokers registered.
        const podIp = (name: string) => sandbox.kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        const client = new RocketMQAdminClient({ nameServers: `${await podIp("name-service-0")}:9876` });
        const expected = {
            "0": `${await podIp("broker-0-master-0")}:10911`,
            "1": `${await podIp("broker-0-replica-1-0")}:10911`,
        };
        try {
            // A broker registers right after it starts listening, and again on every heartbeat.
            const deadline = Date.now() + 60_000;
            let info = await client.getClusterInfo();
            while (Object.keys(info.brokers[groups[0].brokerName]?.addresses ?? {}).length < 2 && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 2_000));
                info = await client.getClusterInfo();
            }
            assert.deepEqual(info.clusters.DefaultCluster, [groups[0].brokerName]);
            assert.deepEqual(info.brokers[groups[0].brokerName].addresses, expected, JSON.stringify(info));
        } finally {
            client.close();
        }
    });

    it("a second preview and a refresh find nothing to change", async () => {
        const preview = await stack.preview(["--expect-no-changes"]);
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        const refresh = await stack.refresh(["--expect-no-changes"]);
        assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
    });

    it("destroy removes every pod of the cluster", async () => {
        const result = await stack.destroy();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.deepEqual(await podsAfterTermination(sandbox, namespace), []);
    });
});
