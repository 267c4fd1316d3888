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
