// Where an operation reports progress. The resource wires it to the engine's log, so `pulumi up`
// shows what a long step is waiting for; tests collect the lines.
export interface ProgressLog {
    info(message: string): void;
    warn(message: string): void;
    /** Resolves once every line written so far has been delivered. */
    flush?(): Promise<void>;
}

/** Time and waiting, replaceable so tests of long waits run in no time. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
