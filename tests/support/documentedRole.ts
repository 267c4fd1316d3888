// The Role docs/installation-configuration.md prints under Permissions, read from the docs (so a
// test and the docs cannot drift), and service accounts bound to it with token kubeconfigs
// (`kubectl create token`), as a user runs Pulumi with least privilege.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Sandbox } from "../sandbox/client";
import { repoRoot } from "./plugin";
import { scratchDir } from "./scratch";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

export interface RoleManifest {
    apiVersion: string;
    kind: "Role";
    metadata: { name: string; namespace: string };
    rules: PolicyRule[];
}

/** The Role the docs print under Permissions: the one YAML block of kind Role. */
export async function documentedRole(): Promise<RoleManifest> {
    const { loadYaml } = await import("@kubernetes/client-node");
    const docs = fs.readFileSync(path.join(repoRoot, "docs", "installation-configuration.md"), "utf8");
    const roles = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((block) => loadYaml<{ kind?: string }>(block[1]))
        .filter((manifest): manifest is RoleManifest => manifest?.kind === "Role");
    assert.equal(roles.length, 1, "the docs print one Role");
    return roles[0];
}

export /** A service account of `inNamespace` bound to a Role with `rules` there, and a token kubeconfig for it. */
async function serviceAccountIn(sandbox: Sandbox, inNamespace: string, name: string, rules: PolicyRule[]): Promise<string> {
    const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace: inNamespace }, rules };
    const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace: inNamespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace: inNamespace }],
    };
    const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: inNamespace } };
    await sandbox.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [account, role, binding] }) });
    const token = (await sandbox.kubectl(["create", "token", name, "-n", inNamespace, "--duration=2h"])).trim();
    const admin = JSON.parse(await sandbox.kubectl(["config", "view", "--raw", "--minify", "-o", "json"])) as { clusters: { name: string; cluster: Record<string, unknown> }[] };
    const file = path.join(scratchDir(`kubeconfig-${name}-`), "config");
    fs.writeFileSync(file, JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "sandbox", cluster: admin.clusters[0].cluster }],
        users: [{ name, user: { token } }],
        contexts: [{ name, context: { cluster: "sandbox", user: name, namespace: inNamespace } }],
        "current-context": name,
    }));
    return file;
}

/** A token kubeconfig of a service account of `namespace` bound to exactly the documented Role there. */
export async function documentedRoleKubeconfig(sandbox: Sandbox, namespace: string, name = "deployer"): Promise<string> {
    return serviceAccountIn(sandbox, namespace, name, (await documentedRole()).rules);
}
