// The Permissions section of docs/installation-configuration.md against what RocketMQCluster
// creates: every Kubernetes kind the component registers, with every feature on, is a row of the
// table and a rule of the Role there, both granting what the kubernetes package needs to manage it.
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateClusterArgs } from "../src/inputs/cluster";
import { renderCluster } from "./clusterHarness";

const docs = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "installation-configuration.md"), "utf8");
/** What the kubernetes package does with an object it manages: create, read, wait, update, delete. */
const managingVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
const ca = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";
const auth = { enabled: true, superUserName: "admin", superUserPassword: "Sup3r-s3cret-pass" };
const claims = { storageMode: "StorageClass", volumeClaimTemplates: [{ metadata: { name: "broker-storage" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] };

/**
 * Clusters that between them turn every feature on (some exclude each other: TLS with standalone
 * controllers, a ServiceMonitor with a PodMonitor, auth with the proxies).
 */
const everyFeature: Record<string, Record<string, unknown>> = {
    "standalone controllers, proxy, console, a secret setting, claims, ServiceMonitor": {
        namespace: "mq",
        nameServer: { size: 3 },
        broker: { image: "apache/rocketmq:5.3.2", size: 2, replicaPerGroup: 1, brokerConfig: { properties: { regionId: "eu" } }, ...claims },
        controller: { mode: "standalone", size: 3 },
        proxy: { enabled: true, replicas: 2 },
        console: { enabled: true },
        metrics: { serviceMonitor: true },
    },
    "TLS from cert-manager, embedded controllers, auth, PodMonitor": {
        namespace: "mq",
        nameServer: { size: 3 },
        broker: { image: "apache/rocketmq:5.3.2", size: 1, replicaPerGroup: 1 },
        controller: { mode: "embedded" },
        auth,
        tls: { mode: "enforcing", issuerRef: { name: "rocketmq-ca", kind: "ClusterIssuer" }, caBundle: ca },
        metrics: { podMonitor: true },
    },
};

interface Grant {
    apiGroup: string;
    resource: string;
    verbs: string[];
}

/** `kubernetes:apps/v1:StatefulSet` -> API group `apps`, resource `statefulsets`. */
function apiResourceOf(type: string): { apiGroup: string; resource: string } {
    const match = /^kubernetes:([^:]+):(\w+)$/.exec(type);
    assert.ok(match, `a Kubernetes type: ${type}`);
    const groupVersion = match[1].split("/");
    return { apiGroup: groupVersion.length === 1 || groupVersion[0] === "core" ? "" : groupVersion[0], resource: `${match[2].toLowerCase()}s` };
}

/** The rows of the table under `## Permissions`: `api group` | `resources` | `verbs` (words in backticks before any remark). */
function tableGrants(): Grant[] {
    const section = docs.slice(docs.indexOf("## Permissions"), docs.indexOf("```yaml", docs.indexOf("## Permissions")));
    const ticked = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1]);
    return section.split("\n").filter((line) => line.startsWith("| `")).flatMap((line) => {
        const [group, resources, verbs] = line.split("|").slice(1, 4);
        const apiGroup = ticked(group)[0].replace(/^""$/, "");
        return ticked(resources).map((resource) => ({ apiGroup, resource, verbs: ticked(verbs.split("(")[0]) }));
    });
}

/** The rules of the Role the docs print. */
async function roleGrants(): Promise<Grant[]> {
    const { loadYaml } = await import("@kubernetes/client-node");
    const roles = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((block) => loadYaml<{ kind?: string; rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(block[1])).filter((manifest) => manifest?.kind === "Role");
    assert.strictEqual(roles.length, 1, "the docs print one Role");
    return roles[0].rules!.flatMap((rule) => rule.apiGroups.flatMap((apiGroup) => rule.resources.map((resource) => ({ apiGroup, resource, verbs: rule.verbs }))));
}

function missingVerbs(grants: Grant[], apiGroup: string, resource: string): string[] {
    const granted = new Set(grants.filter((grant) => grant.apiGroup === apiGroup && grant.resource === resource).flatMap((grant) => grant.verbs));
    return managingVerbs.filter((verb) => !granted.has(verb));
}

describe("the documented permissions", () => {
    let kinds: string[];

    before(async () => {
        const types = new Set<string>();
        for (const [name, args] of Object.entries(everyFeature)) {
            const validation = validateClusterArgs(args);
            assert.ok(validation.ok, `${name}: ${JSON.stringify(validation.ok ? [] : validation.failures)}`);
            for (const object of (await renderCluster(args)).objects) types.add(object.type);
        }
        kinds = [...types].sort();
    });

    it("the clusters with every feature on create every kind the component's source constructs", () => {
        // A kind added in cluster/ without a feature turned on here would escape the checks below.
        const constructed = new Set<string>();
        const sources = path.join(__dirname, "..", "src", "cluster");
        for (const file of fs.readdirSync(sources).filter((name) => name.endsWith(".ts"))) {
            for (const match of fs.readFileSync(path.join(sources, file), "utf8").matchAll(/new k8s\.(\w+)\.(v\w+)\.(\w+)\(/g)) {
                constructed.add(`kubernetes:${match[1]}/${match[2]}:${match[3]}`);
            }
        }
        assert.ok(constructed.size > 0, "the scan finds the component's constructors");
        assert.deepStrictEqual([...constructed].filter((type) => !kinds.includes(type)), []);
        assert.deepStrictEqual(kinds, [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:cert-manager.io/v1:Certificate",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:Secret",
            "kubernetes:core/v1:Service",
            "kubernetes:monitoring.coreos.com/v1:PodMonitor",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
            "kubernetes:policy/v1:PodDisruptionBudget",
        ]);
    });

    it("every kind the component creates is a row of the table, with every verb the kubernetes package manages it with", () => {
        const grants = tableGrants();
        for (const type of kinds) {
            const { apiGroup, resource } = apiResourceOf(type);
            assert.deepStrictEqual(missingVerbs(grants, apiGroup, resource), [], `${type}: the table's verbs on ${apiGroup || "core"} ${resource}`);
        }
    });

    it("every kind the component creates is a rule of the documented Role, with the same verbs", async () => {
        const grants = await roleGrants();
        for (const type of kinds) {
            const { apiGroup, resource } = apiResourceOf(type);
            assert.deepStrictEqual(missingVerbs(grants, apiGroup, resource), [], `${type}: the Role's verbs on ${apiGroup || "core"} ${resource}`);
        }
    });
});
