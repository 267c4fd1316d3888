// Pod checks as a user makes them with kubectl.
import { Sandbox } from "../sandbox/client";

/** Pods still present once every terminating pod had its grace period to go (default 90 s). */
export async function podsAfterTermination(sandbox: Sandbox, namespace: string, timeoutMs = 90_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const names = (await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "name"])).split("\n").filter((line) => line !== "");
        if (names.length === 0 || Date.now() > deadline) return names;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
}

/** Names of the namespace's pods whose Ready condition is True, sorted. */
export async function readyPods(sandbox: Sandbox, namespace: string): Promise<string[]> {
    const pods = JSON.parse(await sandbox.kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as {
        items: { metadata: { name: string }; status: { conditions?: { type: string; status: string }[] } }[];
    };
    return pods.items
        .filter((pod) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((pod) => pod.metadata.name)
        .sort();
}
