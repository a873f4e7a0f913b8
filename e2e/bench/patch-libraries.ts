// The JSON Patch diff of the webhook side by side with maintained libraries (fast-json-patch's
// compare, rfc6902's createPatch): adapters, the mutation's real input pairs, and a check that
// every patch turns the pod into the edited pod (docs/adr/0017-json-patch-diff.md).
import fjp from "fast-json-patch";
import { createPatch } from "rfc6902";
import { dict, PROTOTYPE_KEYS } from "../../core/testing.ts";
import { applyPatch, diff, type JsonPatchOp } from "../../webhook/inject/json-patch.ts";

export type Differ = (from: object, to: object) => { op: string; path: string }[];

export const DIFFERS: readonly [name: string, differ: Differ][] = [
  ["ours (webhook/inject/json-patch.ts)", diff],
  ["fast-json-patch compare", (a, b) => fjp.compare(a, b)],
  ["rfc6902 createPatch", (a, b) => createPatch(a, b)],
];

/**
 * Applies a patch copying only the objects and arrays along the patched paths, so the result
 * shares every untouched subtree with `doc`: the edited copy mutate() diffs has that shape.
 */
export function applyShared<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  const copy = (v: unknown): unknown =>
    Array.isArray(v) ? [...v] : typeof v === "object" && v !== null ? { ...v } : v;
  let root = copy(doc) as Record<string, unknown>;
  for (const op of ops) {
    const value = op.op === "remove" ? undefined : op.value;
    const tokens = op.path
      .split("/")
      .slice(1)
      .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = tokens.pop();
    if (last === undefined) {
      root = structuredClone(value) as Record<string, unknown>;
      continue;
    }
    let parent: Record<string, unknown> | unknown[] = root;
    for (const t of tokens) {
      const at = parent as Record<string, unknown>;
      const child = copy(at[t]) as Record<string, unknown>;
      at[t] = child;
      parent = child;
    }
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (op.op === "add") parent.splice(i, 0, value);
      else if (op.op === "replace") parent[i] = value;
      else parent.splice(i, 1);
    } else if (op.op === "remove") {
      delete parent[last];
    } else {
      Object.defineProperty(parent, last, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return root as T;
}

const canonical = (v: unknown) => JSON.stringify(v);

/** Throws unless every differ's patch, applied, turns `from` into `to`. */
export function checkDiffers(from: object, to: object, what: string): void {
  for (const [name, differ] of DIFFERS) {
    const ops = differ(structuredClone(from), structuredClone(to)) as JsonPatchOp[];
    const supported = ops.every((o) => ["add", "remove", "replace"].includes(o.op));
    const got = supported
      ? applyPatch(from, ops)
      : fjp.applyPatch(structuredClone(from), ops as fjp.Operation[], true, true, false)
          .newDocument;
    if (canonical(got) !== canonical(JSON.parse(JSON.stringify(to)))) {
      throw new Error(`${name}: the patch of ${what} does not give the edited document`);
    }
  }
}

/** Documents with members named like Object.prototype's removed, added and changed. */
export function prototypeKeyPairs(): [string, object, object][] {
  return PROTOTYPE_KEYS.flatMap((key): [string, object, object][] => {
    const labels = (v?: string) =>
      dict(
        v === undefined
          ? [["a", "1"]]
          : [
              ["a", "1"],
              [key, v],
            ],
      );
    return [
      [`remove ${key}`, { labels: labels("x") }, { labels: labels() }],
      [`add ${key}`, { labels: labels() }, { labels: labels("x") }],
      [`change ${key}`, { labels: labels("x") }, { labels: labels("y") }],
    ];
  });
}
