// The PodDisruptionBudget of the name servers and of each broker group: on by default, at most one
// pod unavailable, so a voluntary eviction (a node drain) never takes two name servers, or a
// master and its replica, at once. nameServer.podDisruptionBudget and broker.podDisruptionBudget.
import { z } from "zod";

/** maxUnavailable when neither it nor minAvailable is set. */
export const defaultMaxUnavailable = 1;

function podCount(field: string) {
    const rule = `${field} must be a whole number from 0 to 100`;
    return z.int({ error: rule }).min(0, { error: rule }).max(100, { error: rule });
}

export const podDisruptionBudgetSchema = z.strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    maxUnavailable: podCount("maxUnavailable").optional(),
    minAvailable: podCount("minAvailable").optional(),
}).superRefine((budget, ctx) => {
    if (budget.maxUnavailable !== undefined && budget.minAvailable !== undefined) {
        ctx.addIssue({ code: "custom", path: ["minAvailable"], message: "set maxUnavailable or minAvailable, not both: a PodDisruptionBudget takes one of them" });
    }
}).prefault({});

export type PodDisruptionBudgetSpec = z.output<typeof podDisruptionBudgetSchema>;
