// broker.scalePodName names the group whose topics and subscription groups new groups copy. With fixed
// roles that is the group's -master- pod; with a controller any pod of a group may be its master (the
// brokerGroups output says which), so a replica's pod names its group too. The copy reads from the
// group's master now, whichever pod it is.
import { z } from "zod";

/** The group and (for a replica's pod) the replica of a broker pod's name; undefined for any other name. */
export function brokerPodOf(brokerPrefix: string, podName: string): { group: number; replica?: number } | undefined {
    const match = new RegExp(`^${brokerPrefix}-(\\d+)-(?:master|replica-(\\d+))-0$`).exec(podName);
    if (!match) return undefined;
    return { group: Number(match[1]), ...(match[2] !== undefined ? { replica: Number(match[2]) } : {}) };
}

/** With fixed roles a replica's pod is never master, so it cannot name the scale source. */
export function checkScaleSourceRules(args: { broker?: { name?: string; scalePodName?: string }; controller?: { mode?: string } }, ctx: z.RefinementCtx) {
    const { name, scalePodName } = args.broker ?? {};
    if (name === undefined || scalePodName === undefined || (args.controller?.mode ?? "none") !== "none") return;
    if (brokerPodOf(name, scalePodName)?.replica === undefined) return;
    ctx.addIssue({
        code: "custom",
        path: ["broker", "scalePodName"],
        message: `must be the master pod of an existing group, ${name}-<group>-master-0: with controller.mode none ${scalePodName} is a replica's pod, never its group's master`,
    });
}
