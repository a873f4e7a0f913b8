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
