// The end of an e2e file that deploys a stack into a namespace of the sandbox: destroy the stack
// (unless a test already did), drop its backend, wait for the pods to go, delete the namespace and
// any cluster-scoped object the file made, remove its scratch directories, and print how long the
// whole file took. One registration per describe, before the file's own hooks.
import * as fs from "node:fs";
import { Sandbox } from "../sandbox/client";
import { podsAfterTermination } from "./pods";
import { PulumiTestStack } from "./pulumiStack";

export interface E2eResources {
    namespace: string;
    sandbox?: Sandbox;
    stack?: PulumiTestStack;
    /** True once a test destroyed the stack itself: the teardown then only removes it. */
    destroyed?: boolean;
    /** Cluster-scoped objects the file created, e.g. `["storageclass", name]`. */
    clusterObjects?: [kind: string, name: string][];
    scratchDirs?: string[];
}

/**
 * Registers the file's timing and its teardown (mocha's before/after of the current describe).
 * `resources` is read when the teardown runs, so it sees the stack and sandbox the hooks set.
 */
export function tearDownAfterFile(resources: () => E2eResources): void {
    let started = Date.now();
    before(() => {
        started = Date.now();
    });
    after(async function () {
        this.timeout(600_000);
        const { namespace, sandbox, stack, destroyed, clusterObjects = [], scratchDirs = [] } = resources();
        try {
            if (stack) {
                if (!destroyed) await stack.destroy();
                await stack.remove();
            }
        } finally {
            if (sandbox) {
                await podsAfterTermination(sandbox, namespace);
                // Claims outlive their StatefulSets; the namespace takes them along.
                await sandbox.kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
                for (const [kind, name] of clusterObjects) {
                    await sandbox.kubectl(["delete", kind, name, "--wait=false"]).catch(() => undefined);
                }
            }
            for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
            console.log(`      whole file: ${((Date.now() - started) / 1000).toFixed(0)} s`);
        }
    });
}
