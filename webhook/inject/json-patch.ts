// RFC 6902 JSON Patch: computing one by diffing two JSON documents, and applying one.
// The mutation edits a copy of the pod and the patch is the difference, so the edit code never
// has to reason about JSON Pointers or array index shifts.

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
    return ka.length === kb.length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

function definedKeys(o: Record<string, Json>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** The operations that turn `from` into `to`, applied in order. */
export function diff(from: Json, to: Json): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  diffValue("", from, to, ops);
  return ops;
}

function diffValue(path: string, a: Json, b: Json, ops: JsonPatchOp[]): void {
  if (jsonEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of definedKeys(a)) {
      if (b[k] === undefined) ops.push({ op: "remove", path: `${path}/${escapePointer(k)}` });
    }
    for (const k of definedKeys(b)) {
      const p = `${path}/${escapePointer(k)}`;
      if (a[k] === undefined) ops.push({ op: "add", path: p, value: b[k] });
      else diffValue(p, a[k], b[k], ops);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffArray(path, a, b, ops);
    return;
  }
  ops.push({ op: "replace", path, value: b });
}

/**
 * Identity of an array element: Kubernetes lists of objects are keyed by `name` (env vars,
 * volumes, containers), so an edited env var is patched in place rather than removed and re-added.
 */
function identity(v: Json): string {
  if (isObject(v) && typeof v.name === "string") return `name:${v.name}`;
  return `json:${JSON.stringify(v)}`;
}

const MAX_LCS_CELLS = 1_000_000;

function diffArray(path: string, a: Json[], b: Json[], ops: JsonPatchOp[]): void {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_LCS_CELLS) {
    ops.push({ op: "replace", path, value: b });
    return;
  }
  const ka = a.map(identity);
  const kb = b.map(identity);
  // lcs[i][j]: length of the longest common subsequence of ka[i..] and kb[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        ka[i] === kb[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  // `at` is the index in the document as patched so far: earlier ops shift later elements.
  let i = 0;
  let j = 0;
  let at = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) {
      diffValue(`${path}/${at}`, a[i], b[j], ops);
      i++;
      j++;
      at++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ op: "add", path: `${path}/${at}`, value: b[j] });
      j++;
      at++;
    } else {
      ops.push({ op: "remove", path: `${path}/${at}` });
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
      if (op.op !== "add" && !(last in parent)) throw new Error(`no such member: ${op.path}`);
      if (op.op === "remove") delete parent[last];
      else parent[last] = structuredClone(op.value);
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
  if (isObject(parent) && token in parent) return parent[token];
  throw new Error(`path does not resolve: ${path}`);
}

function arrayIndex(token: string, path: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`bad array index in ${path}`);
  return Number(token);
}
