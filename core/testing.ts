// Test support for own-key lookups: the keys Object.prototype answers for, and maps holding them.

/**
 * Keys Object.prototype answers for. As label, annotation or env var names they are plain data
 * (`__proto__` is a valid env var name the API server passes on), so every map lookup of user
 * data is tested with them.
 */
export const PROTOTYPE_KEYS = [
  "valueOf",
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
] as const;

/**
 * A plain object with these own keys, as JSON.parse builds it: an object literal would turn a
 * `__proto__` key into the object's prototype instead.
 */
export function dict<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  return Object.fromEntries(entries);
}
