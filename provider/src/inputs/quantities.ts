// Kubernetes resource quantities ("500m", "2Gi", "1e3") parsed to numbers, so rules such as
// "requests must not exceed limits" and "the heap must fit in the memory limit" can be checked.
import { z } from "zod";

const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const suffixMultipliers: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** The numeric value of a quantity (bytes for memory, cores for cpu), or undefined when malformed. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text.trim());
    if (!match || text.trim() !== text) {
        return undefined;
    }
    const [, mantissa, exponent, suffix] = match;
    const base = Number(mantissa);
    if (exponent) {
        return base * 10 ** Number(exponent.slice(1));
    }
    return suffix ? base * suffixMultipliers[suffix] : base;
}

/** A non-negative quantity written as a string, as Kubernetes expects it. */
export const quantitySchema = z.string({ error: "must be a quantity string such as \"500m\" or \"2Gi\"" }).check((ctx) => {
    const value = parseQuantity(ctx.value);
    if (value === undefined) {
        ctx.issues.push({
            code: "custom",
            input: ctx.value,
            message: `"${ctx.value}" is not a Kubernetes quantity (examples: "250m", "1", "512Mi", "2Gi")`,
        });
    } else if (value < 0) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `"${ctx.value}" must not be negative` });
    }
});

const jvmSizePattern = /^(\d+)([kKmMgGtT])?$/;
const jvmMultipliers: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * A JVM memory size in bytes: JVM notation as in -Xmx ("512m", "2g") or a Kubernetes quantity
 * ("512Mi", "2Gi"). "512m" means megabytes here, never Kubernetes' millibytes.
 */
export function parseMemorySize(text: string): number | undefined {
    const jvm = jvmSizePattern.exec(text);
    if (jvm) {
        return Number(jvm[1]) * (jvm[2] ? jvmMultipliers[jvm[2].toLowerCase()] : 1);
    }
    return parseQuantity(text);
}

/** A JVM memory size of at least `minimumBytes`. */
export function memorySizeSchema(minimumBytes: number) {
    return z.string({ error: "must be a size string such as \"512m\", \"2g\" or \"2Gi\"" }).superRefine((value, ctx) => {
        const bytes = parseMemorySize(value);
        if (bytes === undefined) {
            ctx.addIssue({ code: "custom", message: `"${value}" is not a memory size (JVM notation "512m", "2g", or a quantity "512Mi", "2Gi")` });
        } else if (bytes < minimumBytes) {
            ctx.addIssue({ code: "custom", message: `"${value}" is below the minimum of ${minimumBytes / MiB}m` });
        }
    });
}
