// Maps keyed by names a user or a peer chose (topics, groups, brokers, clusters, header fields).
// They are null-prototype objects, so `__proto__`, `constructor` or `toString` is an ordinary key:
// never the prototype, never an inherited function where no entry exists.

/** A new empty name map. */
export function emptyObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A name map of these entries (what Object.fromEntries does, without a prototype). */
export function objectFromEntries<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyObject<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}
