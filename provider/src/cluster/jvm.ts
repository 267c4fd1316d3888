// JVM heap flags for JAVA_OPT_EXT. The start scripts of the image hard-code large heaps
// (broker -Xmx8g -Xmn4g, name server and proxy -Xmx4g -Xmn2g); JAVA_OPT_EXT comes last on the java command
// line, so these flags win. Without an explicit heap the size follows the memory limit the way the
// operator's BROKER_MEM default does: max(min(limit/2, cap), min(limit/4, ceiling)).
import * as pulumi from "@pulumi/pulumi";
import { GiB, MiB, parseMemorySize } from "../inputs/quantities";
import { derive } from "./derive";
import { memoryOf } from "../inputs/kube";

export interface JvmMemory {
    heap?: string;
    youngGeneration?: string;
}

interface HeapRule {
    halfCap: number;
    quarterCeiling: number;
    withoutLimit: number;
}

export const brokerHeapRule: HeapRule = { halfCap: 1 * GiB, quarterCeiling: 8 * GiB, withoutLimit: 1 * GiB };
export const nameServerHeapRule: HeapRule = { halfCap: 512 * MiB, quarterCeiling: 4 * GiB, withoutLimit: 512 * MiB };
export const proxyHeapRule: HeapRule = { halfCap: 1 * GiB, quarterCeiling: 4 * GiB, withoutLimit: 512 * MiB };

export function defaultHeapBytes(memoryBytes: number | undefined, rule: HeapRule): number {
    if (memoryBytes === undefined) {
        return rule.withoutLimit;
    }
    return Math.max(Math.min(memoryBytes / 2, rule.halfCap), Math.min(memoryBytes / 4, rule.quarterCeiling));
}

function mebibytes(bytes: number): number {
    return Math.max(1, Math.floor(bytes / MiB));
}

type Resources = { limits?: Record<string, string>; requests?: Record<string, string> };

export function jvmOptions(
    jvm: pulumi.Input<JvmMemory | undefined> | { [K in keyof JvmMemory]: pulumi.Input<JvmMemory[K]> },
    resources: pulumi.Input<Resources | undefined> | object | undefined,
    rule: HeapRule,
): pulumi.Input<string> {
    return derive([jvm, resources] as const, ([memory, limits]) => heapFlags(memory as JvmMemory | undefined, limits as Resources | undefined, rule));
}

function heapFlags(jvm: JvmMemory | undefined, resources: Resources | undefined, rule: HeapRule): string {
    const heap = jvm?.heap !== undefined ? parseMemorySize(jvm.heap)! : defaultHeapBytes(memoryOf(resources), rule);
    const young = jvm?.youngGeneration !== undefined ? parseMemorySize(jvm.youngGeneration)! : heap / 2;
    return `-Xms${mebibytes(heap)}m -Xmx${mebibytes(heap)}m -Xmn${mebibytes(young)}m`;
}
