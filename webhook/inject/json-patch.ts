// RFC 6902 JSON Patch: computing one by diffing two JSON documents, and applying one.
// The mutation edits a copy of the pod and the patch is the difference, so the edit code never
// has to reason about JSON Pointers or array index shifts. Members are looked up as own
// properties only: a member named `valueOf` or `__proto__` is data, not Object.prototype.
import { hasOwn, own, setOwn } from "../../core/own.ts";

export type JsonPatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 6901: `~` and `/` in a key must be escaped, e.g. in `fleetscope.io/injected`. */
export function escapePointer(key: string): string {
  if (!key.includes("~") && !key.includes("/")) return key;
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function unescapePointer(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Deep equality for JSON values; keys holding undefined count as absent, as in JSON. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = definedKeys(a);
    const kb = definedKeys(b);
    return ka.length === kb.length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function definedKeys(o: Record<string, Json>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** The operations that turn `from` into `to`, applied in order. */
export function diff(from: Json, to: Json): JsonPatchOp[] {
  const d: Differ = { ops: [], at: [] };
  diffValue(d, from, to);
  return d.ops;
}

// Equal values give no operations. Objects and arrays are descended into without comparing them
// whole first: each value is compared once, where the two documents differ or at a leaf, and a
// subtree both documents share (the same reference) is not looked into at all. The JSON Pointer
// of the current position is kept as a stack of escaped tokens and joined only for an operation.
interface Differ {
  ops: JsonPatchOp[];
  at: (string | number)[];
}

function pointer(d: Differ, last?: string | number): string {
  let p = "";
  for (const t of d.at) p += `/${t}`;
  return last === undefined ? p : `${p}/${last}`;
}

function diffValue(d: Differ, a: Json, b: Json): void {
  if (a === b) return;
  if (isObject(a) && isObject(b)) {
    diffObject(d, a, b);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffArray(d, a, b);
    return;
  }
  d.ops.push({ op: "replace", path: pointer(d), value: b });
}

/** Descends into `a[key]` and `b[key]` with `key` on the pointer stack. */
function diffAt(d: Differ, key: string | number, a: Json, b: Json): void {
  d.at.push(key);
  diffValue(d, a, b);
  d.at.pop();
}

function diffObject(d: Differ, a: Record<string, Json>, b: Record<string, Json>): void {
  for (const k of Object.keys(a)) {
    if (a[k] !== undefined && own(b, k) === undefined) {
      d.ops.push({ op: "remove", path: pointer(d, escapePointer(k)) });
    }
  }
  for (const k of Object.keys(b)) {
    const bv = b[k];
    if (bv === undefined) continue;
    const av = own(a, k);
    if (av === bv) continue;
    if (av === undefined) d.ops.push({ op: "add", path: pointer(d, escapePointer(k)), value: bv });
    else diffAt(d, escapePointer(k), av, bv);
  }
}

/**
 * Identity of an array element: Kubernetes lists of objects are keyed by `name` (env vars,
 * volumes, containers), so an edited env var is patched in place rather than removed and re-added.
 */
function identity(v: Json): string {
  if (isObject(v) && typeof v.name === "string") return `name:${v.name}`;
  return `json:${JSON.stringify(v)}`;
}

/** `identity(x) === identity(y)`, without building the strings where the answer is plain. */
function sameIdentity(x: Json, y: Json): boolean {
  if (x === y) return true;
  // Two different strings, or a string and anything else, never have the same JSON text.
  if (typeof x === "string" || typeof y === "string") return false;
  const xNamed = isObject(x) && typeof x.name === "string";
  const yNamed = isObject(y) && typeof y.name === "string";
  if (xNamed || yNamed) return xNamed && yNamed && x.name === y.name;
  return identity(x) === identity(y);
}

const MAX_LCS_CELLS = 1_000_000;

function diffArray(d: Differ, a: Json[], b: Json[]): void {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_LCS_CELLS) {
    if (!jsonEqual(a, b)) d.ops.push({ op: "replace", path: pointer(d), value: b });
    return;
  }
  if (n === m) {
    // The same identities in the same places: the alignment below would pair every element
    // with the one at its own index, so pair them directly and skip the table.
    let aligned = true;
    for (let i = 0; i < n && aligned; i++) aligned = sameIdentity(a[i], b[i]);
    if (aligned) {
      for (let i = 0; i < n; i++) {
        if (a[i] !== b[i]) diffAt(d, i, a[i], b[i]);
      }
      return;
    }
    // Equal but for the order of keys inside an element identified by its JSON text.
    if (jsonEqual(a, b)) return;
  }
  const ka = a.map(identity);
  const kb = b.map(identity);
  // lcs[i * w + j]: length of the longest common subsequence of ka[i..] and kb[j..].
  const w = m + 1;
  const lcs = new Int32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] =
        ka[i] === kb[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  // `at` is the index in the document as patched so far: earlier ops shift later elements.
  let i = 0;
  let j = 0;
  let at = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) {
      if (a[i] !== b[j]) diffAt(d, at, a[i], b[j]);
      i++;
      j++;
      at++;
    } else if (j < m && (i >= n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
      d.ops.push({ op: "add", path: pointer(d, at), value: b[j] });
      j++;
      at++;
    } else {
      d.ops.push({ op: "remove", path: pointer(d, at) });
      i++;
    }
  }
}

/** Applies add, replace and remove to a deep copy of `doc`; throws on a path that does not resolve. */
export function applyPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  let root: Json = structuredClone(doc);
  for (const op of ops) {
    if (op.path === "") {
      if (op.op === "remove") throw new Error("cannot remove the document root");
      root = structuredClone(op.value);
      continue;
    }
    const tokens = op.path.split("/").slice(1).map(unescapePointer);
    const last = tokens.pop()!;
    let parent: Json = root;
    for (const t of tokens) {
      parent = child(parent, t, op.path);
    }
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : arrayIndex(last, op.path);
      const limit = op.op === "add" ? parent.length : parent.length - 1;
      if (index > limit) throw new Error(`index out of range: ${op.path}`);
      if (op.op === "add") parent.splice(index, 0, structuredClone(op.value));
      else if (op.op === "replace") parent[index] = structuredClone(op.value);
      else parent.splice(index, 1);
    } else if (isObject(parent)) {
      if (op.op !== "add" && !hasOwn(parent, last)) throw new Error(`no such member: ${op.path}`);
      if (op.op === "remove") delete parent[last];
      else setOwn(parent, last, structuredClone(op.value));
    } else {
      throw new Error(`parent is not a container: ${op.path}`);
    }
  }
  return root as T;
}

function child(parent: Json, token: string, path: string): Json {
  if (Array.isArray(parent)) {
    const v = parent[arrayIndex(token, path)];
    if (v === undefined) throw new Error(`index out of range: ${path}`);
    return v;
  }
  if (isObject(parent) && hasOwn(parent, token)) return parent[token];
  throw new Error(`path does not resolve: ${path}`);
}

function arrayIndex(token: string, path: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`bad array index in ${path}`);
  return Number(token);
}
