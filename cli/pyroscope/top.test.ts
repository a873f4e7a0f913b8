// Unit tests for flame graph decoding and the top-functions table, on hand-made flame graphs.
import { expect } from "chai";
import { checkoutFlameGraph } from "./fixtures.ts";
import type { FlameGraph } from "./query.ts";
import {
  flameNodes,
  formatValue,
  isLibraryFrame,
  renderTopTable,
  topFunctions,
  topOwnFunctions,
} from "./top.ts";

const fixture = checkoutFlameGraph();

// a -> a -> b: recursion must not count a's total twice
const recursive: FlameGraph = {
  names: ["total", "a", "b"],
  levels: [
    [0, 10, 0, 0],
    [0, 10, 2, 1],
    [0, 8, 3, 1],
    [0, 5, 5, 2],
  ],
  total: 10,
  maxSelf: 5,
};

describe("flameNodes", () => {
  it("decodes x deltas into absolute offsets and finds parents", () => {
    const nodes = flameNodes(fixture);
    const byName = (n: string) => nodes.find((x) => x.name === n)!;
    expect(nodes).to.have.length(7);
    expect(byName("java/lang/Thread.run")).to.include({ x: 15, total: 85, depth: 1 });
    expect(byName("com/shop/App.toHex")).to.include({ x: 75, self: 20, depth: 3 });
    const getInstance = byName("java/security/MessageDigest.getInstance");
    expect(nodes[getInstance.parent]!.name).to.equal("com/shop/App.computeHash");
    expect(nodes[byName("com/shop/App.toHex").parent]!.name).to.equal("com/shop/App.handle");
  });

  it("rejects a level that is not groups of four", () => {
    expect(() => flameNodes({ ...fixture, levels: [[0, 1, 0]] })).to.throw(/multiple of 4/);
  });

  it("rejects a node outside every parent", () => {
    const bad: FlameGraph = {
      ...fixture,
      levels: [
        [0, 10, 0, 0],
        [20, 5, 5, 1],
      ],
    };
    expect(() => flameNodes(bad)).to.throw(/no parent/);
  });
});

describe("topFunctions", () => {
  it("ranks by self, keeps totals per function and skips the root", () => {
    const rows = topFunctions(fixture);
    expect(rows.map((r) => r.name)).to.deep.equal([
      "java/security/MessageDigest.getInstance",
      "com/shop/App.toHex",
      "GCTaskThread::run",
      "com/shop/App.computeHash",
      "com/shop/App.handle",
      "java/lang/Thread.run",
    ]);
    expect(rows[3]).to.deep.equal({ name: "com/shop/App.computeHash", self: 10, total: 60 });
    expect(topFunctions(fixture, 2)).to.have.length(2);
  });

  it("does not count a recursive function's total twice", () => {
    expect(topFunctions(recursive)).to.deep.equal([
      { name: "a", self: 5, total: 10 },
      { name: "b", self: 5, total: 5 },
    ]);
  });
});

describe("topOwnFunctions", () => {
  it("charges library frames to the nearest own caller", () => {
    expect(topOwnFunctions(fixture)).to.deep.equal([
      { name: "com/shop/App.computeHash", self: 60, total: 60 },
      { name: "com/shop/App.toHex", self: 20, total: 20 },
      { name: "com/shop/App.handle", self: 5, total: 85 },
    ]);
  });

  it("takes a custom notion of own code", () => {
    const rows = topOwnFunctions(fixture, (n) => n.endsWith(".handle"));
    expect(rows).to.deep.equal([{ name: "com/shop/App.handle", self: 85, total: 85 }]);
  });
});

describe("isLibraryFrame", () => {
  it("treats JDK, agent and native frames as library code", () => {
    for (const n of [
      "java/lang/Thread.run",
      "jdk/internal/misc/Unsafe.park",
      "sun/security/provider/SHA2.implCompress0",
      "com/sun/net/httpserver/Filter$Chain.doFilter",
      "io/pyroscope/javaagent/impl/QueuedExporter.exportLoop",
      "thread_native_entry",
      "Compile::Optimize",
    ]) {
      expect(isLibraryFrame(n), n).to.equal(true);
    }
    expect(isLibraryFrame("com/shop/checkout/BatchProcessor.computeHash")).to.equal(false);
    expect(isLibraryFrame("com/shop/X$$Lambda$1/0x0000000800c0b.run")).to.equal(false);
  });
});

describe("formatValue", () => {
  it("scales time, bytes and counts", () => {
    expect(formatValue(1_500_000_000, "nanoseconds")).to.equal("1.50 s");
    expect(formatValue(2_500_000, "nanoseconds")).to.equal("2.50 ms");
    expect(formatValue(999, "nanoseconds")).to.equal("999 ns");
    expect(formatValue(3 * 1024 * 1024, "bytes")).to.equal("3.00 MiB");
    expect(formatValue(512, "bytes")).to.equal("512 B");
    expect(formatValue(1234, "count")).to.equal("1.23k");
    expect(formatValue(7, "count")).to.equal("7");
  });
});

describe("renderTopTable", () => {
  it("renders aligned columns with percentages of the total", () => {
    const text = renderTopTable(topOwnFunctions(fixture), {
      total: 100,
      unit: "nanoseconds",
      title: "CPU",
    });
    expect(text).to.equal(
      [
        "CPU (total 100 ns)",
        " Self  Self%  Total  Total%  Function",
        "60 ns  60.0%  60 ns   60.0%  com/shop/App.computeHash",
        "20 ns  20.0%  20 ns   20.0%  com/shop/App.toHex",
        " 5 ns   5.0%  85 ns   85.0%  com/shop/App.handle",
        "",
      ].join("\n"),
    );
    const pct = renderTopTable([{ name: "f", self: 25, total: 50 }], { total: 100, unit: "count" });
    expect(pct).to.equal("Self  Self%  Total  Total%  Function\n  25  25.0%     50   50.0%  f\n");
  });

  it("says so when there are no rows", () => {
    expect(renderTopTable([], { total: 0, unit: "bytes" })).to.match(/\(no samples\)\n$/);
  });
});
