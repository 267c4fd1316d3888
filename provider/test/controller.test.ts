import * as assert from "assert";
import { validateClusterArgs } from "../src/inputs/cluster";
import { clusterInputWarnings } from "../src/inputs/clusterWarnings";
import type { ClusterInputs } from "../src/inputs/clusterInputs";
import { refusedControllerModeChange } from "../src/inputs/controllerModeChange";
import { brokerConfigPushHandler } from "../src/resources/brokerConfigPush";
import { missingRegistrations } from "../src/ops/scaling/registrationWait";
import { readGroupMasters } from "../src/ops/failover/groupMasters";
import { groupsNotInSync } from "../src/ops/failover/inSyncWait";
import { decodeBrokerReplicasInfo } from "../src/admin/bodies";
import type { RocketMQAdminClient } from "../src/admin/client";
import type { ClusterInfo } from "../src/admin/types";
import { kind, renderCluster } from "./clusterHarness";

const cheap = { nameServer: { size: 1 }, console: { enabled: false } };

function container(workload: any): any {
    return workload.spec.template.spec.containers[0];
}

function confOf(text: string): Record<string, string> {
    return Object.fromEntries(text.split("\n").filter((line) => line !== "").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

function clusterInfo(cluster: string, groups: Record<string, Record<string, string>>): ClusterInfo {
    return {
        clusters: { [cluster]: Object.keys(groups).sort() },
        brokers: Object.fromEntries(Object.entries(groups).map(([brokerName, addresses]) => [brokerName, { cluster, brokerName, addresses }])),
    };
}

describe("RocketMQCluster controller mode", () => {
    it("renders fixed roles with controller.mode none, as before: no controller key and no controller objects", async () => {
        const rendered = await renderCluster({ ...cheap, broker: { replicaPerGroup: 1 } }, "ctrlnone");
        const config = rendered.object(kind.configMap, "broker-0-config").data;
        assert.deepStrictEqual([confOf(config["master.conf"]).brokerId, confOf(config["master.conf"]).brokerRole], ["0", "ASYNC_MASTER"]);
        assert.ok(!/controller/i.test(config["master.conf"] + config["replica-1.conf"]));
        assert.ok(!rendered.names().some((name) => name.includes("controller")), rendered.names().join(", "));
        assert.deepStrictEqual(container(rendered.object(kind.statefulSet, "name-service")).command, ["sh", "mqnamesrv"]);
        assert.strictEqual(rendered.object(kind.statefulSet, "name-service").spec.template.metadata.annotations, undefined);
    });

    describe("standalone", () => {
        let rendered: Awaited<ReturnType<typeof renderCluster>>;
        before(async () => {
            rendered = await renderCluster({ ...cheap, namespace: "mq", brokerClusterName: "orders", broker: { replicaPerGroup: 1 }, controller: { mode: "standalone" } }, "ctrlsa");
        });

        it("adds a StatefulSet of 3 controllers started together, a headless Service and their config, each with a 1Gi claim for its Raft log", () => {
            assert.deepStrictEqual(rendered.names().filter((name) => name.includes("controller")),
                ["ConfigMap controller-config", "PodDisruptionBudget controller", "Service controller", "Service controller-metrics", "StatefulSet controller"]);
            const statefulSet = rendered.object(kind.statefulSet, "controller");
            assert.strictEqual(statefulSet.spec.replicas, 3);
            assert.strictEqual(statefulSet.spec.podManagementPolicy, "Parallel");
            assert.strictEqual(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "1Gi");
            assert.ok(container(statefulSet).volumeMounts.some((mount: any) => mount.mountPath === "/home/rocketmq/controller" && mount.name === "controller-data"));
            assert.strictEqual(rendered.object(kind.service, "controller").spec.clusterIP, "None");
            assert.match(container(statefulSet).command[2], /controllerDLegerSelfId=n\$\{POD_NAME##\*-\}.*exec sh mqcontroller -c /);
            const conf = confOf(rendered.object(kind.configMap, "controller-config").data["controller.conf"]);
            assert.strictEqual(conf.controllerDLegerPeers, [0, 1, 2].map((i) => `n${i}-controller-${i}.controller.mq.svc.cluster.local:9878`).join(";"));
            assert.strictEqual(conf.enableElectUncleanMaster, "false");
            assert.strictEqual(conf.controllerStorePath, "/home/rocketmq/controller");
        });

        it("restarts the controllers when their config changes: its checksum is on their pod template", async () => {
            const annotation = (r: typeof rendered) => r.object(kind.statefulSet, "controller").spec.template.metadata.annotations["rocketmq/config-sha256"];
            const five = await renderCluster({ ...cheap, namespace: "mq", brokerClusterName: "orders", broker: { replicaPerGroup: 1 }, controller: { mode: "standalone", size: 5 } }, "ctrlsa5");
            assert.match(annotation(rendered), /^[0-9a-f]{64}$/);
            assert.notStrictEqual(annotation(five), annotation(rendered));
        });

        it("runs every broker in controller mode with no fixed id or role, its identity and epochs on the store volume", () => {
            const config = rendered.object(kind.configMap, "broker-0-config").data;
            for (const key of ["master.conf", "replica-1.conf"]) {
                const conf = confOf(config[key]);
                assert.deepStrictEqual(
                    [conf.brokerId, conf.brokerRole, conf.enableControllerMode, conf.storePathBrokerIdentity, conf.storePathEpochFile, conf.allAckInSyncStateSet],
                    ["-1", "SLAVE", "true", "/home/rocketmq/store/brokerIdentity", "/home/rocketmq/store/epochFileCheckpoint", "true"],
                );
                assert.strictEqual(conf.controllerAddr, [0, 1, 2].map((i) => `controller-${i}.controller.mq.svc.cluster.local:9878`).join(";"));
            }
            assert.match(container(rendered.object(kind.statefulSet, "broker-0-master")).command[2], /brokerIP2=\$\{POD_IP\}/);
        });

        it("starts the brokers only once the controllers are rolled out, and waits for controller-assigned ids", () => {
            assert.ok(rendered.dependsOn.get("ctrlsa-broker-0-replica-1")!.includes("ctrlsa-controller-rollout"), String(rendered.dependsOn.get("ctrlsa-broker-0-replica-1")));
            const registrations = rendered.provided["rocketmq:index:NameServerRegistration"];
            assert.strictEqual(registrations.inputs.controllerAddr, [0, 1, 2].map((i) => `controller-${i}.controller.mq.svc.cluster.local:9878`).join(";"));
            assert.strictEqual(rendered.provided["rocketmq:index:BrokerConfigPush"].inputs.controllerMode, "standalone");
        });
    });

    it("embedded: the name servers run the controller from namesrv.conf, and brokers reach it on their port 9878", async () => {
        const rendered = await renderCluster({ ...cheap, nameServer: { size: 3 }, namespace: "mq", broker: { replicaPerGroup: 1 }, controller: { mode: "embedded" } }, "ctrlemb");
        assert.ok(!rendered.names().includes("StatefulSet controller"));
        const conf = confOf(rendered.object(kind.configMap, "name-service-config").data["namesrv.conf"]);
        assert.strictEqual(conf.enableControllerInNamesrv, "true");
        assert.strictEqual(conf.controllerDLegerPeers, [0, 1, 2].map((i) => `n${i}-name-service-${i}.name-service.mq.svc.cluster.local:9878`).join(";"));
        assert.match(container(rendered.object(kind.statefulSet, "name-service")).command[2], /exec sh mqnamesrv -c /);
        assert.match(rendered.object(kind.statefulSet, "name-service").spec.template.metadata.annotations["rocketmq/config-sha256"], /^[0-9a-f]{64}$/);
        const broker = confOf(rendered.object(kind.configMap, "broker-0-config").data["master.conf"]);
        assert.strictEqual(broker.controllerAddr, [0, 1, 2].map((i) => `name-service-${i}.name-service.mq.svc.cluster.local:9878`).join(";"));
    });

    it("refuses at check what controller mode cannot run, naming the field and the rule", () => {
        const failures = (args: unknown) => { const v = validateClusterArgs(args); return v.ok ? [] : v.failures.map((f) => `${f.property}: ${f.reason}`); };
        assert.match(failures({ controller: { mode: "standalone", size: 2 } }).join("\n"), /^controller\.size: size must be odd/m);
        assert.match(failures({ controller: { mode: "embedded" }, broker: { image: "apache/rocketmq:4.9.7" } }).join("\n"), /^broker\.image: controller\.mode embedded needs RocketMQ 5\.x/m);
        assert.match(failures({ controller: { mode: "standalone" }, broker: { brokerConfig: { brokerRole: "SYNC_MASTER" } } }).join("\n"), /^broker\.brokerConfig\.brokerRole: with controller\.mode standalone the controller decides/m);
        assert.match(failures({ broker: { brokerConfig: { properties: { enableControllerMode: "true" } } } }).join("\n"), /enableControllerMode is set by the provider from controller\.mode/);
        assert.deepStrictEqual(failures({ controller: { mode: "none" }, broker: { brokerConfig: { brokerRole: "SYNC_MASTER" } } }), []);
    });

    it("refuses TLS with standalone controllers, whose pods get no certificate, and takes it with embedded ones", () => {
        const failures = (args: unknown) => { const v = validateClusterArgs(args); return v.ok ? [] : v.failures.map((f) => `${f.property}: ${f.reason}`); };
        const tls = { mode: "enforcing", secretName: "mq-tls", caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" };
        assert.match(failures({ controller: { mode: "standalone" }, tls }).join("\n"), /^tls\.mode: enforcing is not supported with controller\.mode standalone yet/m);
        assert.deepStrictEqual(failures({ controller: { mode: "embedded" }, tls }), []);
        assert.deepStrictEqual(failures({ controller: { mode: "standalone" }, tls: { mode: "disabled" } }), []);
    });
});

describe("standalone controllers on day two", () => {
    const standalone = (controller: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) =>
        ({ ...cheap, namespace: "mq", broker: { replicaPerGroup: 1 }, controller: { mode: "standalone", ...controller }, ...rest });
    const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);
    const podLabels = (rendered: Awaited<ReturnType<typeof renderCluster>>, statefulSet: string) => rendered.object(kind.statefulSet, statefulSet).spec.template.metadata.labels;

    it("a PodDisruptionBudget controller over the controller pods alone keeps a Raft majority: 1 of 3 may go, 2 of 5, none of 1", async () => {
        for (const [size, maxUnavailable] of [[3, 1], [5, 2], [1, 0], [9, 4]]) {
            const rendered = await renderCluster(standalone({ size }), `ctrlpdb${size}`);
            const budget = rendered.object(kind.podDisruptionBudget, "controller");
            assert.strictEqual(budget.spec.maxUnavailable, maxUnavailable, `size ${size}`);
            assert.strictEqual(budget.spec.minAvailable, undefined);
            assert.ok(selects(budget.spec.selector.matchLabels, podLabels(rendered, "controller")));
            for (const other of ["name-service", "broker-0-master", "broker-0-replica-1"]) {
                assert.ok(!selects(budget.spec.selector.matchLabels, podLabels(rendered, other)), other);
            }
            // The other budgets keep their own default.
            assert.strictEqual(rendered.object(kind.podDisruptionBudget, "broker-0").spec.maxUnavailable, 1);
        }
    });

    it("the controllers' budget takes maxUnavailable or minAvailable instead, or is turned off; embedded and none have none", async () => {
        const min = await renderCluster(standalone({ podDisruptionBudget: { minAvailable: 3 } }), "ctrlpdbmin");
        assert.deepStrictEqual([min.object(kind.podDisruptionBudget, "controller").spec.minAvailable, min.object(kind.podDisruptionBudget, "controller").spec.maxUnavailable], [3, undefined]);
        const max = await renderCluster(standalone({ size: 1, podDisruptionBudget: { maxUnavailable: 1 } }), "ctrlpdbmax");
        assert.strictEqual(max.object(kind.podDisruptionBudget, "controller").spec.maxUnavailable, 1);
        const off = await renderCluster(standalone({ podDisruptionBudget: { enabled: false } }), "ctrlpdboff");
        assert.ok(!off.names().includes("PodDisruptionBudget controller"));
        assert.ok(off.names().includes("PodDisruptionBudget broker-0"));
        const embedded = await renderCluster({ ...cheap, nameServer: { size: 3 }, broker: { replicaPerGroup: 1 }, controller: { mode: "embedded" } }, "ctrlpdbemb");
        assert.ok(!embedded.names().includes("PodDisruptionBudget controller"));
        // The name servers' budget is the embedded controllers' too: one of three may go, two stay a majority.
        assert.strictEqual(embedded.object(kind.podDisruptionBudget, "name-service").spec.maxUnavailable, 1);
    });

    for (const bad of [
        { args: { controller: { mode: "standalone", podDisruptionBudget: { maxUnavailable: 1, minAvailable: 2 } } }, property: "controller.podDisruptionBudget.minAvailable", reason: /maxUnavailable or minAvailable, not both/ },
        { args: { controller: { mode: "standalone", podDisruptionBudget: { maxUnavailable: "50%" } } }, property: "controller.podDisruptionBudget.maxUnavailable", reason: /whole number from 0 to 100/ },
        { args: { controller: { mode: "standalone", podDisruptionBudget: { enabled: "no" } } }, property: "controller.podDisruptionBudget.enabled", reason: /true or false/ },
    ]) {
        it(`refuses ${JSON.stringify(bad.args)} at ${bad.property}`, () => {
            const validation = validateClusterArgs(bad.args);
            const failure = (validation.ok ? [] : validation.failures).find((candidate) => candidate.property === bad.property);
            assert.ok(failure, `no failure at ${bad.property}; got ${JSON.stringify(validation)}`);
            assert.match(failure.reason, bad.reason);
        });
    }

    it("with metrics on (the default) each controller exports Prometheus metrics on a port metrics, behind a Service controller-metrics, listed in metricsEndpoints", async () => {
        const rendered = await renderCluster(standalone(), "ctrlprom");
        const conf = confOf(rendered.object(kind.configMap, "controller-config").data["controller.conf"]);
        assert.deepStrictEqual([conf.metricsExporterType, conf.metricsPromExporterPort, conf.metricsPromExporterHost], ["PROM", "5557", undefined]);
        assert.deepStrictEqual(container(rendered.object(kind.statefulSet, "controller")).ports,
            [{ name: "controller", containerPort: 9878 }, { name: "metrics", containerPort: 5557 }]);
        const service = rendered.object(kind.service, "controller-metrics");
        assert.strictEqual(service.spec.clusterIP, "None");
        assert.deepStrictEqual(service.spec.ports, [{ name: "metrics", port: 5557, targetPort: 5557 }]);
        assert.strictEqual(service.metadata.labels["rocketmq/metrics"], "true");
        assert.ok(selects(service.spec.selector, podLabels(rendered, "controller")));
        for (const other of ["name-service", "broker-0-master"]) {
            assert.ok(!selects(service.spec.selector, podLabels(rendered, other)), other);
        }
        const endpoints = rendered.outputs.metricsEndpoints as any[];
        assert.deepStrictEqual(endpoints.map((endpoint) => endpoint.component), ["broker", "controller"]);
        assert.deepStrictEqual(endpoints[1], {
            component: "controller",
            serviceName: "controller-metrics",
            portName: "metrics",
            port: 5557,
            path: "/metrics",
            targets: [0, 1, 2].map((i) => `controller-${i}.controller.mq.svc.cluster.local:5557`),
        });
    });

    it("turning metrics off removes the controllers' exporter, port and Service, and restarts them (their config's checksum changes)", async () => {
        const on = await renderCluster(standalone(), "ctrlpromon");
        const off = await renderCluster(standalone({}, { metrics: { enabled: false } }), "ctrlpromoff");
        assert.strictEqual(confOf(off.object(kind.configMap, "controller-config").data["controller.conf"]).metricsExporterType, undefined);
        assert.deepStrictEqual(container(off.object(kind.statefulSet, "controller")).ports, [{ name: "controller", containerPort: 9878 }]);
        assert.ok(!off.names().includes("Service controller-metrics"));
        assert.deepStrictEqual(off.outputs.metricsEndpoints, []);
        const checksum = (r: typeof on) => r.object(kind.statefulSet, "controller").spec.template.metadata.annotations["rocketmq/config-sha256"];
        assert.notStrictEqual(checksum(on), checksum(off));
    });

    it("the ServiceMonitor selects the controllers' metrics Service and the PodMonitor their pods, beside the brokers'", async () => {
        const serviceMonitored = await renderCluster(standalone({}, { metrics: { serviceMonitor: true } }), "ctrlsvcmon");
        const serviceMonitor = serviceMonitored.object(kind.serviceMonitor, "broker-metrics");
        const services = serviceMonitored.objects.filter((object) => object.type === kind.service);
        assert.deepStrictEqual(services.filter((service) => selects(serviceMonitor.spec.selector.matchLabels, service.inputs.metadata.labels)).map((service) => service.inputs.metadata.name).sort(),
            ["broker-metrics", "controller-metrics"]);
        assert.deepStrictEqual((serviceMonitored.outputs.metricsEndpoints as any[]).map((endpoint) => [endpoint.component, endpoint.monitorKind, endpoint.monitorName]),
            [["broker", "ServiceMonitor", "broker-metrics"], ["controller", "ServiceMonitor", "broker-metrics"]]);

        const podMonitored = await renderCluster(standalone({}, { metrics: { podMonitor: true } }), "ctrlpodmon");
        const podMonitor = podMonitored.object(kind.podMonitor, "broker-metrics");
        const picks = (labels: Record<string, string>) => selects(podMonitor.spec.selector.matchLabels, labels) &&
            (podMonitor.spec.selector.matchExpressions ?? []).every((expression: any) => expression.operator === "In" && expression.values.includes(labels[expression.key]));
        assert.ok(picks(podLabels(podMonitored, "controller")));
        assert.ok(picks(podLabels(podMonitored, "broker-0-master")));
        assert.ok(!picks(podLabels(podMonitored, "name-service")));
    });

    it("controllers older than 5.1.2, and the controllers embedded in the name servers, export no metrics", async () => {
        const old = await renderCluster(standalone({ image: "apache/rocketmq:5.1.0" }), "ctrlold");
        assert.strictEqual(confOf(old.object(kind.configMap, "controller-config").data["controller.conf"]).metricsExporterType, undefined);
        assert.ok(!old.names().includes("Service controller-metrics"));
        assert.deepStrictEqual((old.outputs.metricsEndpoints as any[]).map((endpoint) => endpoint.component), ["broker"]);
        const embedded = await renderCluster({ ...cheap, nameServer: { size: 3 }, broker: { replicaPerGroup: 1 }, controller: { mode: "embedded" } }, "ctrlembprom");
        assert.strictEqual(confOf(embedded.object(kind.configMap, "name-service-config").data["namesrv.conf"]).metricsExporterType, undefined);
        assert.ok(!container(embedded.object(kind.statefulSet, "name-service")).ports.some((port: any) => port.name === "metrics"));
        assert.deepStrictEqual((embedded.outputs.metricsEndpoints as any[]).map((endpoint) => endpoint.component), ["broker"]);
    });
});

describe("controller mode on emptyDir brokers", () => {
    it("warns at preview that a re-created broker pod loses its controller-given id, and not with fixed roles or claims", () => {
        const warnings = (args: unknown) => { const v = validateClusterArgs(args); assert.ok(v.ok); return clusterInputWarnings(v.value as unknown as ClusterInputs).map((w) => `${w.property}: ${w.message}`); };
        assert.match(warnings({ controller: { mode: "standalone" } }).join("\n"), /^broker\.storageMode: EmptyDir with controller\.mode standalone: a broker pod that is re-created .* gets no master/m);
        assert.deepStrictEqual(warnings({}), []);
        assert.deepStrictEqual(warnings({ controller: { mode: "embedded" }, broker: { storageMode: "HostPath", hostPath: "/data" } }), []);
    });
});

describe("controller mode on a release that loses topics on a master switch", () => {
    const warnings = (args: unknown) => { const v = validateClusterArgs(args); assert.ok(v.ok); return clusterInputWarnings(v.value as unknown as ClusterInputs).map((w) => `${w.property}: ${w.message}`); };
    const claims = { storageMode: "HostPath", hostPath: "/data" };

    it("warns at preview for 5.3.2 and 5.3.3, naming the release, the upstream fix and the release to use", () => {
        for (const version of ["5.3.2", "5.3.3"]) {
            for (const mode of ["standalone", "embedded"]) {
                const text = warnings({ controller: { mode }, broker: { ...claims, image: `apache/rocketmq:${version}` } }).join("\n");
                assert.match(text, new RegExp(`^broker\\.image: RocketMQ ${version.replace(/\./g, "\\.")} can lose topics on a master switch: .*apache/rocketmq#9404, fixed in 5\\.4\\.0.* Use 5\\.5\\.1 \\(apache/rocketmq:5\\.5\\.1\\) for controller mode \\(with controller\\.mode ${mode}\\)$`, "m"));
            }
        }
        // A registry of one's own and a tag with a suffix name the same release.
        assert.equal(warnings({ controller: { mode: "standalone" }, broker: { ...claims, image: "mirror.local:5000/rocketmq/rocketmq:5.3.3-alpine" } }).length, 1);
    });

    it("says nothing for releases whose replicas keep those topics, for fixed roles, or for a tag that is no version", () => {
        for (const image of ["apache/rocketmq:5.4.0", "apache/rocketmq:5.5.1", "apache/rocketmq:latest"]) {
            assert.deepStrictEqual(warnings({ controller: { mode: "standalone" }, broker: { ...claims, image } }), [], image);
        }
        assert.deepStrictEqual(warnings({ broker: { ...claims, image: "apache/rocketmq:5.3.2" } }), []);
    });
});

describe("controller.mode of a running cluster", () => {
    it("refuses every change of mode, saying what would be lost and what to do instead", () => {
        assert.strictEqual(refusedControllerModeChange("standalone", "standalone"), undefined);
        assert.match(refusedControllerModeChange("none", "standalone")!, /^none -> standalone on a running cluster is refused: .*truncated.*TopicTransfer$/);
        assert.match(refusedControllerModeChange("embedded", "none")!, /-master- pod master again/);
        assert.match(refusedControllerModeChange("embedded", "standalone")!, /new controllers know nothing/);
    });

    it("BrokerConfigPush's check refuses it at preview against the deployed mode (none for a stack deployed before the input existed), not at create", async () => {
        const handler = brokerConfigPushHandler();
        const base = { brokerClusterName: "c", namesrvAddr: "name-service-0.name-service.ns.svc.cluster.local:9876", connection: "direct" };
        const refused = await handler.check("urn", base, { ...base, controllerMode: "standalone" });
        assert.deepStrictEqual(refused.failures?.map((f) => f.property), ["controllerMode"]);
        assert.match(refused.failures![0].reason, /^controller\.mode none -> standalone on a running cluster is refused/);
        assert.strictEqual((await handler.check("urn", {}, { ...base, controllerMode: "standalone" })).failures?.length ?? 0, 0);
        assert.strictEqual((await handler.check("urn", { ...base, controllerMode: "embedded" }, { ...base, controllerMode: "embedded" })).failures?.length ?? 0, 0);
    });
});

describe("who is master", () => {
    it("the registration wait counts controller-assigned ids: a master (id 0) and as many brokers as the group runs", () => {
        const ns = "ns-0:9876";
        // The controller gave the replica id 2; fixed-role counting would wait for an id 1 forever.
        const whole = new Map([[ns, clusterInfo("c", { "b-0": { "0": "10.0.0.2:10911", "2": "10.0.0.1:10911" } })]]);
        assert.deepStrictEqual(missingRegistrations(whole, "c", { "b-0": 2 }, true), {});
        assert.deepStrictEqual(missingRegistrations(whole, "c", { "b-0": 2 }, false), { [ns]: ["b-0 broker 1"] });
        const electing = new Map([[ns, clusterInfo("c", { "b-0": { "2": "10.0.0.1:10911" } })]]);
        assert.deepStrictEqual(missingRegistrations(electing, "c", { "b-0": 2 }, true), { [ns]: ["b-0 master", "b-0 1 of 2 broker(s)"] });
    });

    it("with a controller, up waits until every replica is in its group's sync state set (else no broker could be elected)", () => {
        const replica = (brokerId: number, alive = true) => ({ brokerId, brokerAddress: `10.0.0.${brokerId}:10911`, alive });
        assert.deepStrictEqual(groupsNotInSync(undefined, { "b-0": 2 }), ["no controller leads (an election is under way)"]);
        assert.deepStrictEqual(groupsNotInSync({ "b-0": { inSyncReplicas: [replica(1)], notInSyncReplicas: [replica(2)] } }, { "b-0": 2, "b-1": 2 }), ["b-0 1 of 2 in sync", "b-1 0 of 2 in sync"]);
        assert.deepStrictEqual(groupsNotInSync({ "b-0": { inSyncReplicas: [replica(1), replica(2)], notInSyncReplicas: [] } }, { "b-0": 2 }), []);
    });

    it("decodes a controller's sync state data", () => {
        const body = Buffer.from(JSON.stringify({ replicasInfoTable: { "b-0": {
            masterBrokerId: 2, masterAddress: "10.0.0.2:10911", masterEpoch: 2, syncStateSetEpoch: 3,
            inSyncReplicas: [{ brokerName: "b-0", brokerId: 2, brokerAddress: "10.0.0.2:10911", alive: true }],
            notInSyncReplicas: [{ brokerName: "b-0", brokerId: 1, brokerAddress: "10.0.0.1:10911", alive: false }],
        } } }));
        assert.deepStrictEqual({ ...decodeBrokerReplicasInfo(body) }, { "b-0": {
            masterBrokerId: 2, masterAddress: "10.0.0.2:10911", masterEpoch: 2,
            inSyncReplicas: [{ brokerId: 2, brokerAddress: "10.0.0.2:10911", alive: true }],
            notInSyncReplicas: [{ brokerId: 1, brokerAddress: "10.0.0.1:10911", alive: false }],
        } });
    });

    it("names the pod the name servers list as master and the controller's in-sync pods, whatever the pods are called", async () => {
        const calls: string[] = [];
        const client = {
            async getClusterInfo() { return clusterInfo("c", { "b-0": { "0": "10.0.0.2:10911", "1": "10.0.0.1:10911" }, "b-1": { "0": "10.0.0.3:10911" } }); },
            async getControllerLeader(address: string) { calls.push(`leader ${address}`); return address === "ctrl-0:9878" ? undefined : "ctrl-1:9878"; },
            async getSyncStateData(leader: string, names: string[]) {
                calls.push(`sync ${leader} ${names.join(",")}`);
                return { "b-0": { inSyncReplicas: [{ brokerId: 2, brokerAddress: "10.0.0.2:10911", alive: true }, { brokerId: 1, brokerAddress: "10.0.0.1:10911", alive: true }], notInSyncReplicas: [] } };
            },
        } as unknown as RocketMQAdminClient;
        const pods: Record<string, string> = { "10.0.0.1": "b-0-master-0", "10.0.0.2": "b-0-replica-1-0", "10.0.0.3": "b-1-master-0" };
        const groups = await readGroupMasters(client, ["b-0", "b-1"], ["ctrl-0:9878", "ctrl-1:9878"], async (address) => pods[address.split(":")[0]]);
        assert.deepStrictEqual(groups, [
            { brokerName: "b-0", masterAddress: "10.0.0.2:10911", masterPodName: "b-0-replica-1-0", inSyncReplicaPodNames: ["b-0-master-0", "b-0-replica-1-0"] },
            { brokerName: "b-1", masterAddress: "10.0.0.3:10911", masterPodName: "b-1-master-0" },
        ]);
        assert.deepStrictEqual(calls, ["leader ctrl-0:9878", "leader ctrl-1:9878", "sync ctrl-1:9878 b-0,b-1"]);
    });
});
