// Growing disks: the StorageExpansion each StorageClass-backed StatefulSet gets (Pulumi mocks), the
// operation against a fake Kubernetes API (claims patched, waited for, the StatefulSet's object let
// go with its pods orphaned, idempotent), and check's refusals at preview (shrinking, a
// StorageClass without allowVolumeExpansion).
import * as assert from "assert";
import { storageExpansionToken, StorageExpansionArgs } from "../src/inputs/storageExpansion";
import { ClaimState, expandClaims, StorageApi } from "../src/ops/storage/claimExpansion";
import { storageExpansionHandler } from "../src/resources/storageExpansion";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { constructCluster, kind, renderCluster, useMocks } from "./clusterHarness";

const template = (name: string, size: string, storageClassName = "expandable") => ({
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: size } } },
});

const storageClassCluster = (size: string) => ({
    nameServer: { storageMode: "StorageClass", volumeClaimTemplates: [template("namesrv-storage", "1Gi")] },
    broker: { storageMode: "StorageClass", volumeClaimTemplates: [template("broker-storage", size)] },
});

/** A Kubernetes API in memory: claims whose volume grows `growAfterReads` reads after the request. */
class FakeStorageApi implements StorageApi {
    readonly calls: string[] = [];
    claims = new Map<string, ClaimState>();
    templates: Record<string, string | undefined> | undefined = { "broker-storage": "1Gi" };
    classes: Record<string, boolean> = { expandable: true, fixed: false };
    private readsLeft = new Map<string, number>();

    constructor(private readonly growAfterReads = 2) {}

    addClaim(name: string, size: string, bound = true) {
        this.claims.set(name, { name, requested: size, capacity: bound ? size : undefined, conditions: [], bound });
    }
    async listClaims() {
        this.calls.push("list");
        return [...this.claims.values()].map((claim) => ({ ...claim }));
    }
    async readClaim(_namespace: string, name: string) {
        const claim = this.claims.get(name)!;
        const left = (this.readsLeft.get(name) ?? 0) - 1;
        this.readsLeft.set(name, left);
        if (left <= 0) claim.capacity = claim.requested;
        return { ...claim };
    }
    async requestStorage(_namespace: string, name: string, storage: string) {
        this.calls.push(`request ${name} ${storage}`);
        this.claims.get(name)!.requested = storage;
        this.readsLeft.set(name, this.growAfterReads);
    }
    async storageClassAllowsExpansion(name: string | undefined) {
        this.calls.push(`class ${name}`);
        return name !== undefined && name in this.classes ? { name, allows: this.classes[name] } : undefined;
    }
    async readClaimTemplateSizes() {
        return this.templates;
    }
    async deleteOrphaningPods(_namespace: string, name: string) {
        this.calls.push(`orphan ${name}`);
        this.templates = undefined;
    }
}

function collectingLog() {
    const lines: string[] = [];
    return { lines, log: { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`WARN ${line}`) } };
}

const noWaitClock = { now: (() => { let t = 0; return () => (t += 100); })(), sleep: async () => undefined };

const args = (size: string, extra: Partial<StorageExpansionArgs> = {}): StorageExpansionArgs => ({
    namespace: "mq",
    statefulSetName: "broker-0-master",
    field: "broker.volumeClaimTemplates",
    claims: [{ name: "broker-storage", storage: size, storageClassName: "expandable" }],
    timeoutSeconds: 60,
    ...extra,
});

describe("RocketMQCluster growing disks", () => {
    it("gives each StorageClass-backed StatefulSet a StorageExpansion with its templates' sizes, which the StatefulSet waits for", async () => {
        const rendered = await renderCluster(storageClassCluster("1Gi"), "disks");
        const expansions = rendered.providedAll.filter((object) => object.type === storageExpansionToken);
        assert.deepStrictEqual(expansions.map((object) => object.inputs.statefulSetName).sort(), ["broker-0-master", "broker-0-replica-1", "name-service"]);
        const master = expansions.find((object) => object.inputs.statefulSetName === "broker-0-master")!;
        assert.deepStrictEqual(master.inputs.claims, [{ name: "broker-storage", storage: "1Gi", storageClassName: "expandable" }]);
        assert.strictEqual(master.inputs.field, "broker.volumeClaimTemplates");
        assert.strictEqual(expansions.find((object) => object.inputs.statefulSetName === "name-service")!.inputs.field, "nameServer.volumeClaimTemplates");
        for (const statefulSet of ["broker-0-master", "broker-0-replica-1", "name-service"]) {
            assert.ok(rendered.dependsOn.get(`disks-${statefulSet}`)?.includes(`disks-${statefulSet}-storage`), `${statefulSet} depends on its expansion`);
        }
        assert.ok(rendered.object(kind.statefulSet, "broker-0-master").spec.volumeClaimTemplates);

        const emptyDir = await renderCluster({});
        assert.deepStrictEqual(emptyDir.providedAll.filter((object) => object.type === storageExpansionToken), []);
    });

    it("in a preview, leaves the StatefulSet's templates computed until its StorageExpansion has grown the claims", async () => {
        // The kubernetes provider skips its server-side dry run of an object with a computed value: the
        // API server refuses one of a StatefulSet whose templates changed while the old object exists.
        useMocks("preview");
        try {
            const cluster = await constructCluster(storageClassCluster("2Gi"), "disk-preview");
            for (const statefulSet of ["broker-0-master", "name-service"]) {
                const templates = cluster.object(kind.statefulSet, statefulSet).spec.volumeClaimTemplates;
                assert.ok(pulumi.isUnknown(templates) || templates === rpc.unknownValue, `${statefulSet}: ${JSON.stringify(templates)}`);
            }
        } finally {
            useMocks("up");
        }
    });

    it("reports the sizes the claims were grown to as appliedClaims, an output that is no input", async () => {
        const api = new FakeStorageApi();
        api.templates = undefined;
        const handler = storageExpansionHandler(async () => api, () => collectingLog().log);
        const created = await handler.create("urn", { ...args("1Gi") });
        assert.deepStrictEqual(created.outs?.appliedClaims, args("1Gi").claims);
        const updated = await handler.update("id", { ...args("1Gi") }, { ...args("1Gi") }, "urn");
        assert.deepStrictEqual(updated.outs?.appliedClaims, args("1Gi").claims);
    });

    it("grows every claim of the template, waits for each, then lets the StatefulSet's object go with its pods orphaned", async () => {
        const api = new FakeStorageApi();
        api.addClaim("broker-storage-broker-0-master-0", "1Gi");
        api.addClaim("broker-storage-broker-0-replica-1-0", "1Gi"); // another StatefulSet's claim
        const { lines, log } = collectingLog();
        await expandClaims(api, args("2Gi"), log, { clock: noWaitClock });
        assert.deepStrictEqual(api.calls, ["list", "request broker-storage-broker-0-master-0 2Gi", "orphan broker-0-master"]);
        assert.ok(lines.some((line) => /^claim broker-storage-broker-0-master-0: requesting 2Gi \(was 1Gi\)$/.test(line)), lines.join("\n"));
        assert.ok(lines.some((line) => /^claim broker-storage-broker-0-master-0: capacity 2Gi after [\d.]+ s$/.test(line)), lines.join("\n"));
        assert.ok(lines.some((line) => /^StatefulSet broker-0-master: 1 claim\(s\) grown \(broker-storage-broker-0-master-0 to 2Gi\) in [\d.]+ s$/.test(line)), lines.join("\n"));
        assert.strictEqual(api.claims.get("broker-storage-broker-0-replica-1-0")!.requested, "1Gi");

        // Run again (a pulumi up after a failure, or the StatefulSet already replaced): nothing to do.
        api.calls.length = 0;
        api.templates = { "broker-storage": "2Gi" };
        await expandClaims(api, args("2Gi"), collectingLog().log, { clock: noWaitClock });
        assert.deepStrictEqual(api.calls, ["list"]);
    });

    it("waits again for a claim an earlier run asked to grow, and fails naming the claims that do not grow in time", async () => {
        const api = new FakeStorageApi(Number.MAX_SAFE_INTEGER);
        api.addClaim("broker-storage-broker-0-master-0", "1Gi");
        await assert.rejects(expandClaims(api, args("2Gi", { timeoutSeconds: 1 }), collectingLog().log, { clock: noWaitClock }),
            /broker-0-master: 1 claim\(s\) did not grow within 1 s: broker-storage-broker-0-master-0 \(capacity 1Gi, conditions none\)/);
        assert.ok(!api.calls.some((call) => call.startsWith("orphan")), "the StatefulSet is kept while a claim has not grown");
        await assert.rejects(expandClaims(api, args("2Gi", { timeoutSeconds: 1 }), collectingLog().log, { clock: noWaitClock }), /did not grow/);
    });

    it("leaves an unbound claim and a larger one as they are", async () => {
        const api = new FakeStorageApi();
        api.addClaim("broker-storage-broker-0-master-0", "1Gi", false);
        const { lines, log } = collectingLog();
        api.templates = { "broker-storage": "2Gi" };
        await expandClaims(api, args("2Gi"), log, { clock: noWaitClock });
        assert.deepStrictEqual(api.calls, ["list"]);
        assert.ok(lines.some((line) => line.includes("not bound to a volume yet")));
    });

    it("new sizes replace the resource, so its appliedClaims are unknown in a preview; other changes update it", async () => {
        const handler = storageExpansionHandler(async () => new FakeStorageApi(), () => collectingLog().log);
        assert.deepStrictEqual(await handler.diff("id", { ...args("1Gi") }, { ...args("2Gi") }), { changes: true, replaces: ["claims"], deleteBeforeReplace: false });
        assert.deepStrictEqual(await handler.diff("id", { ...args("1Gi") }, { ...args("1Gi", { timeoutSeconds: 30 }) }), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepStrictEqual(await handler.diff("id", { ...args("1Gi") }, { ...args("1Gi") }), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    describe("check, at preview", () => {
        const withState = (value: StorageExpansionArgs) => ({ ...value });

        it("refuses a smaller size naming the field, and reads nothing", async () => {
            const api = new FakeStorageApi();
            const handler = storageExpansionHandler(async () => api);
            const result = await handler.check("urn", withState(args("2Gi")), withState(args("1Gi")));
            assert.strictEqual(result.failures?.length, 1);
            assert.match(result.failures![0].reason, /^broker.volumeClaimTemplates\[0\].spec.resources.requests.storage: 2Gi to 1Gi would shrink the claims broker-storage-broker-0-master-\*; a PersistentVolumeClaim cannot shrink/);
            assert.deepStrictEqual(api.calls, []);
        });

        it("refuses a larger size on a StorageClass that does not allow expansion, and takes it on one that does", async () => {
            const api = new FakeStorageApi();
            const handler = storageExpansionHandler(async () => api);
            const fixed = args("2Gi", { claims: [{ name: "broker-storage", storage: "2Gi", storageClassName: "fixed" }] });
            const refused = await handler.check("urn", withState(args("1Gi", { claims: [{ name: "broker-storage", storage: "1Gi", storageClassName: "fixed" }] })), withState(fixed));
            assert.match(refused.failures?.[0]?.reason ?? "", /^broker.volumeClaimTemplates\[0\].spec.storageClassName: StorageClass fixed does not allow volume expansion \(allowVolumeExpansion is not true\), so the claims broker-storage-broker-0-master-\* cannot grow from 1Gi to 2Gi/);
            const taken = await handler.check("urn", withState(args("1Gi")), withState(args("2Gi")));
            assert.deepStrictEqual(taken.failures ?? [], []);
            assert.deepStrictEqual(api.calls, ["class fixed", "class expandable"]);
        });

        it("gives appliedClaims among the inputs (a preview's outputs) when up resizes nothing, also to a StatefulSet deployed without it; none when claims are to grow", async () => {
            const api = new FakeStorageApi();
            const handler = storageExpansionHandler(async () => api);
            const applied = async (olds: Record<string, unknown>, news: StorageExpansionArgs) => (await handler.check("urn", olds, withState(news))).inputs.appliedClaims;
            // A StatefulSet deployed by a provider version without StorageExpansion: its live templates decide.
            api.templates = { "broker-storage": "1Gi" };
            assert.deepStrictEqual(await applied({}, args("1Gi")), args("1Gi").claims);
            assert.deepStrictEqual(await applied({}, args("1024Mi")), args("1024Mi").claims);
            assert.strictEqual(await applied({}, args("2Gi")), undefined);
            assert.strictEqual(await applied({}, args("1Gi", { claims: [...args("1Gi").claims, { name: "logs", storage: "1Gi" }] })), undefined);
            // No StatefulSet yet: it makes its claims at these sizes.
            api.templates = undefined;
            assert.deepStrictEqual(await applied({}, args("1Gi")), args("1Gi").claims);
            // Deployed with a StorageExpansion: the sizes it had decide.
            assert.deepStrictEqual(await applied(withState(args("1Gi")), args("1Gi")), args("1Gi").claims);
            assert.strictEqual(await applied(withState(args("1Gi")), args("2Gi")), undefined);
            assert.strictEqual(await applied(withState(args("1Gi", { claims: [{ name: "broker-storage", storage: "1Gi", storageClassName: "other" }] })), args("1Gi")), undefined);
            // A cluster that cannot be read: unknown, as a replacement's.
            const refusing = Object.assign(new FakeStorageApi(), { readClaimTemplateSizes: async () => { throw new Error("connect ECONNREFUSED 127.0.0.1:6443"); } });
            const unreadable = storageExpansionHandler(async () => refusing);
            const checked = await unreadable.check("urn", {}, withState(args("1Gi")));
            assert.deepStrictEqual(checked.failures ?? [], []);
            assert.strictEqual(checked.inputs.appliedClaims, undefined);
        });

        it("reads nothing on the first deployment or when the size is unchanged", async () => {
            const api = new FakeStorageApi();
            const handler = storageExpansionHandler(async () => api);
            assert.deepStrictEqual((await handler.check("urn", {}, withState(args("1Gi")))).failures ?? [], []);
            assert.deepStrictEqual((await handler.check("urn", withState(args("1Gi")), withState(args("1Gi")))).failures ?? [], []);
            assert.deepStrictEqual(api.calls, []);
        });
    });
});
