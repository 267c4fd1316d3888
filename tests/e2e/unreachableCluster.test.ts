// `pulumi preview` with a kubeconfig whose API server does not answer (a loopback port nothing
// listens on), as on a laptop whose VPN is down: the kubernetes provider 4.25 plans every object
// from the program alone and says so only in its debug log (`gvkExists check failed due to
// unreachable cluster`, at -v=3), and preview exits 0. Our resources that talk to RocketMQ say it in
// a warning, once: on a new stack of examples/yaml-topic-transfer as committed, and on a deployed
// stack whose preview shows everything unchanged. Refresh, which has to read RocketMQ, fails
// naming the API server.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ensureSandbox, Sandbox } from "../sandbox/client";
import { repoRoot } from "../support/plugin";
import { copyProgram } from "../support/programs";
import { PulumiTestStack } from "../support/pulumiStack";
import { scratchDir } from "../support/scratch";

/**
 * A loopback port nothing listens on: port 1 (tcpmux, never served here), checked to refuse. A port
 * freed from the ephemeral range would do only until the engine or a plugin binds it again.
 */
async function closedPort(): Promise<number> {
    const port = 1;
    const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => (socket.destroy(), resolve(false)));
        socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
    });
    assert.ok(refused, `127.0.0.1:${port} must refuse connections for this test`);
    return port;
}

/** A kubeconfig file whose one cluster is https://127.0.0.1:<port>. */
function unreachableKubeconfig(port: number): string {
    const file = path.join(scratchDir("rocketmq-e2e-unreachable-"), "kubeconfig");
    fs.writeFileSync(
        file,
        [
            "apiVersion: v1",
            "kind: Config",
            `clusters: [{name: away, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
            "users: [{name: me, user: {token: not-used}}]",
            "contexts: [{name: away, context: {cluster: away, user: me}}]",
            "current-context: away",
            "",
        ].join("\n"),
    );
    return file;
}

/** `pulumi preview` without --diff, whose progress lines and Diagnostics name the resource of each warning. */
function previewNamingResources(stack: PulumiTestStack, env?: NodeJS.ProcessEnv) {
    return stack.pulumi(["preview", "--non-interactive"], undefined, env);
}

/**
 * The resources that gave the warning, each once: the engine repeats a resource's message on its
 * progress lines and again under Diagnostics.
 */
function warnedResources(output: string, port: number): string[] {
    const warning = new RegExp(
        `(rocketmq:index:\\w+ \\S+) .*?warning: the cluster was not reached: the Kubernetes API server https://127\\.0\\.0\\.1:${port} ` +
            `\\(kubeconfig from \\$KUBECONFIG \\([^)]*\\)\\) did not answer \\([^\\n]*ECONNREFUSED[^\\n]*\\)\\. This plan was made without it, from the program and the stack's state alone`,
        "g",
    );
    return [...new Set([...output.matchAll(warning)].map((m) => m[1]))];
}

/** How many times the Diagnostics section names the warning. */
function diagnosticsCount(output: string): number {
    const diagnostics = output.split(/^Diagnostics:$/m)[1] ?? "";
    return (diagnostics.match(/warning: the cluster was not reached/g) ?? []).length;
}

describe("e2e: preview with a cluster that does not answer", function () {
    let port: number;
    let kubeconfig: string;

    before(async () => {
        port = await closedPort();
        kubeconfig = unreachableKubeconfig(port);
    });

    describe("a new stack of examples/yaml-topic-transfer", () => {
        let stack: PulumiTestStack;

        before(async () => {
            stack = await PulumiTestStack.create({ programDir: copyProgram(path.join(repoRoot, "examples", "yaml-topic-transfer")), env: { KUBECONFIG: kubeconfig } });
        });

        after(async () => {
            await stack?.remove();
        });

        it("shows the whole plan and warns once that the cluster was not reached and the plan was made without it", async () => {
            const result = await previewNamingResources(stack);
            const output = result.stdout + result.stderr;
            assert.equal(result.code, 0, output);
            assert.match(result.stdout, /\+ 38 to create/);
            // The Topics' name servers are an output of the cluster, unknown until up; each cluster's
            // BrokerScaling knows its own and is the first to look.
            assert.deepEqual(warnedResources(output, port), ["rocketmq:index:BrokerScaling mq-broker-scaling"], output);
            assert.equal(diagnosticsCount(output), 1, output);
        });
    });

    describe("a deployed stack", () => {
        let sandbox: Sandbox;
        let stack: PulumiTestStack;
        const namespace = `e2e-unreachable-${process.pid}`;
        const away = () => ({ KUBECONFIG: kubeconfig });

        before(async () => {
            sandbox = await ensureSandbox();
            await sandbox.kubectl(["create", "namespace", namespace]);
            stack = await PulumiTestStack.create({
                programDir: copyProgram(path.join(__dirname, "programs", "unreachable-cluster")),
                env: { KUBECONFIG: sandbox.kubeconfig },
                config: { namespace },
            });
        });

        after(async () => {
            if (stack) {
                await stack.destroy();
                await stack.remove();
            }
            await sandbox?.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
        });

        it("up deploys the cluster, the topic and the group", async () => {
            const result = await stack.up();
            assert.equal(result.code, 0, result.stdout + result.stderr);
        });

        it("preview with the cluster reachable gives no such warning", async () => {
            const result = await previewNamingResources(stack);
            const output = result.stdout + result.stderr;
            assert.equal(result.code, 0, output);
            assert.doesNotMatch(output, /the cluster was not reached/);
        });

        it("preview with a kubeconfig whose API server does not answer shows everything unchanged, and warns once", async () => {
            const result = await previewNamingResources(stack, away());
            const output = result.stdout + result.stderr;
            assert.equal(result.code, 0, output);
            assert.match(result.stdout, /\d+ unchanged/);
            assert.doesNotMatch(result.stdout, /to create|to update|to delete|to replace/);
            const warned = warnedResources(output, port);
            assert.equal(warned.length, 1, output);
            assert.match(warned[0], /^rocketmq:index:(Topic topic|ConsumerGroup group|BrokerScaling \S+)$/);
            assert.equal(diagnosticsCount(output), 1, output);
        });

        it("refresh with that kubeconfig fails, naming the API server it could not reach", async () => {
            const result = await stack.refresh([], away());
            const output = result.stdout + result.stderr;
            assert.notEqual(result.code, 0, output);
            assert.match(output, new RegExp(`127\\.0\\.0\\.1:${port}`));
        });
    });
});
