// Waiting until a StatefulSet's pods run its current spec and are Ready, read from its status the
// way `kubectl rollout status` reads it. The kubernetes provider (4.25) can report an update done
// from the status of the previous generation, before the controller has begun the rollout; the
// broker rolling order depends on this wait instead, which trusts the status only once the
// controller has observed the generation the update produced.
import { Clock, ProgressLog, realClock } from "../progressLog";
import { apiServerRefusal } from "../../connect/refusal";

export interface StatefulSetState {
    generation?: number;
    replicas?: number;
    updateStrategy?: string;
    status?: {
        observedGeneration?: number;
        replicas?: number;
        readyReplicas?: number;
        updatedReplicas?: number;
        currentRevision?: string;
        updateRevision?: string;
    };
}

/** Undefined once the rollout of `generation` is complete; otherwise what it is waiting for. */
export function rolloutPending(state: StatefulSetState, generation: number): string | undefined {
    const status = state.status ?? {};
    const replicas = state.replicas ?? 1;
    if ((status.observedGeneration ?? 0) < generation) return `the controller to take up generation ${generation}`;
    if (state.updateStrategy !== "OnDelete" && (status.updatedReplicas ?? 0) < replicas) return `pods to restart with the new spec (${status.updatedReplicas ?? 0}/${replicas} updated)`;
    if (state.updateStrategy !== "OnDelete" && status.currentRevision !== status.updateRevision) return "the new revision to become current";
    if ((status.readyReplicas ?? 0) < replicas || (status.replicas ?? 0) !== replicas) return `pods to be Ready (${status.readyReplicas ?? 0}/${replicas} Ready)`;
    return undefined;
}

export interface RolloutWaitOptions {
    timeoutMs: number;
    pollIntervalMs?: number;
    progressIntervalMs?: number;
    clock?: Clock;
}

/** Polls `read` until the rollout of `generation` is complete; throws on timeout saying what it waited for. */
export async function waitForRollout(
    read: () => Promise<StatefulSetState>,
    what: string,
    generation: number,
    log: ProgressLog,
    options: RolloutWaitOptions,
): Promise<number> {
    const clock = options.clock ?? realClock;
    const started = clock.now();
    let nextProgress = started + 2000;
    for (;;) {
        const pending = await read().then((state) => rolloutPending(state, generation), (err: unknown) => {
            if (!isConnectionFailure(err)) throw err;
            return `the API server to answer (${(err as Error).message})`;
        });
        const elapsed = clock.now() - started;
        if (pending === undefined) {
            if (elapsed >= 2000) log.info(`${what}: rolled out and Ready after ${(elapsed / 1000).toFixed(1)} s`);
            return elapsed;
        }
        if (elapsed >= options.timeoutMs) {
            throw new Error(`${what}: not rolled out after ${Math.round(elapsed / 1000)} s, waiting for ${pending}. The StatefulSets after it in the rolling order were left as they were; look at its pods (kubectl describe pod) and run pulumi up again`);
        }
        if (clock.now() >= nextProgress) {
            log.info(`${what}: waiting for ${pending} (${(elapsed / 1000).toFixed(0)} s)`);
            nextProgress = clock.now() + (options.progressIntervalMs ?? 5000);
        }
        await clock.sleep(options.pollIntervalMs ?? 1000);
    }
}

/**
 * A read that got no answer (a reset or refused connection, a hang-up): a wait polls on through it,
 * as a restarting API server comes back; an answer that refuses (403, 404) ends the wait at once,
 * as does a TLS certificate this machine does not trust (ERR_TLS_CERT_ALTNAME_INVALID looks like a
 * socket error code but will not heal).
 */
function isConnectionFailure(err: unknown): boolean {
    if (apiServerRefusal(err)) return false;
    const code = (err as { code?: unknown } | undefined)?.code;
    return (typeof code === "string" && /^E[A-Z_]+$/.test(code)) || /socket hang up|ECONNRESET|ECONNREFUSED/.test(String((err as Error | undefined)?.message));
}
