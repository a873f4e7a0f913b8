// A small hand-made flame graph of the checkout demo for unit tests of the pure renderers:
// total 100: GC thread 15; Thread.run 85 -> handle (self 5) -> computeHash 60 (self 10) -> leaf 50
//                                                          -> toHex 20
import type { FlameGraph } from "./query.ts";

export function checkoutFlameGraph(leaf = "java/security/MessageDigest.getInstance"): FlameGraph {
  return {
    names: [
      "total",
      "GCTaskThread::run",
      "java/lang/Thread.run",
      "com/shop/App.handle",
      "com/shop/App.computeHash",
      "com/shop/App.toHex",
      leaf,
    ],
    levels: [
      [0, 100, 0, 0],
      [0, 15, 15, 1, 0, 85, 0, 2],
      [15, 85, 5, 3],
      [15, 60, 10, 4, 0, 20, 20, 5],
      [15, 50, 50, 6],
    ],
    total: 100,
    maxSelf: 50,
  };
}

/** Thread.run -> handle -> {computeHash, toHex} with the given self values; zero frames left out. */
export function hashAndHex(hash: number, hex: number): FlameGraph {
  const total = hash + hex;
  return {
    names: [
      "total",
      "java/lang/Thread.run",
      "com/shop/App.handle",
      "com/shop/App.computeHash",
      "com/shop/App.toHex",
    ],
    levels: [
      [0, total, 0, 0],
      [0, total, 0, 1],
      [0, total, 0, 2],
      [...(hash > 0 ? [0, hash, hash, 3] : []), ...(hex > 0 ? [0, hex, hex, 4] : [])],
    ],
    total,
    maxSelf: Math.max(hash, hex),
  };
}
