// Flame graphs for unit tests of the pure renderers, written as call trees and encoded as
// Pyroscope encodes them, and the checkout demo's shapes built from them.
import type { FlameGraph } from "./query.ts";

/** A function in a call tree: its own value and the functions it calls. */
export interface Call {
  name: string;
  self?: number;
  calls?: Call[];
}

const totalOf = (c: Call): number =>
  (c.self ?? 0) + (c.calls ?? []).reduce((sum, k) => sum + totalOf(k), 0);

/**
 * The flame graph of the call trees under "total": level by level, each node as [x delta from
 * the previous node's end, total, self, name index], children starting where their parent does.
 */
export function flameGraph(roots: Call[]): FlameGraph {
  const names: string[] = [];
  const nameIndex = (name: string) => {
    if (!names.includes(name)) names.push(name);
    return names.indexOf(name);
  };
  const levels: number[][] = [];
  let maxSelf = 0;
  let level = [{ call: { name: "total", calls: roots } as Call, x: 0 }];
  while (level.length > 0) {
    const values: number[] = [];
    const next: typeof level = [];
    let end = 0;
    for (const { call, x } of level) {
      const total = totalOf(call);
      const self = call.self ?? 0;
      values.push(x - end, total, self, nameIndex(call.name));
      end = x + total;
      maxSelf = Math.max(maxSelf, self);
      let childX = x;
      for (const child of call.calls ?? []) {
        next.push({ call: child, x: childX });
        childX += totalOf(child);
      }
    }
    levels.push(values);
    level = next;
  }
  return { names, levels, total: levels[0]![1]!, maxSelf };
}

/**
 * The checkout demo, total 100: the GC thread 15; Thread.run 85 -> handle (self 5) ->
 * computeHash 60 (self 10) -> `leaf` 50, and handle -> toHex 20.
 */
export function checkoutFlameGraph(leaf = "java/security/MessageDigest.getInstance"): FlameGraph {
  return flameGraph([
    { name: "GCTaskThread::run", self: 15 },
    {
      name: "java/lang/Thread.run",
      calls: [
        {
          name: "com/shop/App.handle",
          self: 5,
          calls: [
            { name: "com/shop/App.computeHash", self: 10, calls: [{ name: leaf, self: 50 }] },
            { name: "com/shop/App.toHex", self: 20 },
          ],
        },
      ],
    },
  ]);
}

/** Thread.run -> handle -> {computeHash, toHex} with the given self values; zero frames left out. */
export function hashAndHex(hash: number, hex: number): FlameGraph {
  const calls = [
    ...(hash > 0 ? [{ name: "com/shop/App.computeHash", self: hash }] : []),
    ...(hex > 0 ? [{ name: "com/shop/App.toHex", self: hex }] : []),
  ];
  return flameGraph([
    { name: "java/lang/Thread.run", calls: [{ name: "com/shop/App.handle", calls }] },
  ]);
}
