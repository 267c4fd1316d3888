// Polls a probe once a second until it gives a value: a thrown error counts as "not yet", and the
// last one is named when the time is up.
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (err) {
            last = err;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${(last as Error)?.message})`);
}
