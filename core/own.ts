// Objects that hold user data (labels, annotations, env, Secret and ConfigMap keys, JSON
// documents) read and written as maps: only own properties count, so a key such as
// `constructor`, `valueOf` or `__proto__` is data like any other, never Object.prototype.

type Dict<V> = Readonly<Record<string, V>>;

/** `obj[key]` when `obj` has `key` as its own property, else undefined. */
export function own<V>(obj: Dict<V> | null | undefined, key: string): V | undefined {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Whether `obj` has `key` as its own property (what `key in obj` means for a map). */
export function hasOwn(obj: object | null | undefined, key: string): boolean {
  return obj != null && Object.hasOwn(obj, key);
}

/**
 * `obj[key] = value` as a data property, even for `__proto__`, whose plain assignment would
 * replace the object's prototype instead of adding a key.
 */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}
