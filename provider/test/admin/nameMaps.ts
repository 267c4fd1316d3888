// Expected values for maps the admin client returns: null-prototype objects, so that a topic or
// group named __proto__ or constructor is an ordinary key. Strict deep-equality checks the prototype too.

/** A null-prototype object with these entries. */
export function nameMap<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** The value as the fastjson parser returns it: every object within has a null prototype. */
export function parsedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(parsedJson);
  if (value === null || typeof value !== "object") return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = parsedJson(v);
  return out;
}
