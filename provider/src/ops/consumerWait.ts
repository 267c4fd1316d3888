// Waiting until consumer groups have consumed every message of a topic on some brokers
// (lag 0 on every queue), logging what is left while it waits.
import type { BrokerRef, TransferAdmin } from "./transferAdmin";
import { Clock, ProgressLog } from "./progressLog";

export interface ConsumerWaitOptions {
    timeoutMs: number;
    /** How often lag is asked for. */
    pollIntervalMs?: number;
    /** How often a progress line is logged while lag remains. */
    logIntervalMs?: number;
}

/** Resolves with the time waited once every group's lag is 0; throws naming the groups left behind. */
export async function waitForConsumers(
    admin: TransferAdmin,
    brokers: BrokerRef[],
    groups: string[],
    topic: string,
    log: ProgressLog,
    clock: Clock,
    options: ConsumerWaitOptions,
): Promise<number> {
    const began = clock.now();
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    const logIntervalMs = options.logIntervalMs ?? 5000;
    let lastLogAt = -Infinity;
    for (;;) {
        const lags = await lagByGroup(admin, brokers, groups, topic);
        const behind = Object.entries(lags).filter(([, lag]) => lag > 0);
        const waited = clock.now() - began;
        if (behind.length === 0) {
            log.info(`topic ${topic}: every consumer group (${groups.length}) has consumed every message on the source after ${seconds(waited)}`);
            return waited;
        }
        const summary = behind.map(([group, lag]) => `${group} ${lag}`).join(", ");
        if (waited >= options.timeoutMs) {
            throw new Error(
                `consumer groups did not consume every message of topic ${topic} on the source within ${seconds(options.timeoutMs)}; messages left: ${summary}`,
            );
        }
        if (clock.now() - lastLogAt >= logIntervalMs) {
            const total = behind.reduce((sum, [, lag]) => sum + lag, 0);
            log.info(`topic ${topic}: waiting for consumers on the source, ${total} messages left (${summary}), ${seconds(waited)} of ${seconds(options.timeoutMs)}`);
            lastLogAt = clock.now();
        }
        await clock.sleep(Math.min(pollIntervalMs, Math.max(1, options.timeoutMs - waited)));
    }
}

async function lagByGroup(admin: TransferAdmin, brokers: BrokerRef[], groups: string[], topic: string): Promise<Record<string, number>> {
    const lags = await Promise.all(groups.map((group) => admin.lag(brokers, group, topic)));
    return Object.fromEntries(groups.map((group, i) => [group, lags[i]]));
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}
