// Table tests of the share comparison: ranking by change of share, and its table.
import { expect } from "chai";
import { checkoutFlameGraph, hashAndHex as profile } from "./fixtures.ts";
import type { FlameGraph } from "./query.ts";
import { points, renderShareTable, shareDiff } from "./shares.ts";

describe("shareDiff", () => {
  const cases: {
    what: string;
    before: FlameGraph;
    after: FlameGraph;
    grew: [string, number, number][];
    shrank: string[];
  }[] = [
    {
      what: "a function several times slower takes a larger share; the other's share shrinks",
      before: profile(90, 10),
      after: profile(90, 60),
      grew: [["com/shop/App.toHex", 0.1, 0.4]],
      shrank: ["com/shop/App.computeHash"],
    },
    {
      what: "twice the load with the same code: no share changes",
      before: profile(90, 10),
      after: profile(180, 20),
      grew: [],
      shrank: [],
    },
    {
      what: "a function that is new after",
      before: profile(100, 0),
      after: profile(50, 50),
      grew: [["com/shop/App.toHex", 0, 0.5]],
      shrank: ["com/shop/App.computeHash"],
    },
    {
      what: "an empty before profile counts every share as new",
      before: { names: [], levels: [], total: 0, maxSelf: 0 },
      after: profile(75, 25),
      grew: [
        ["com/shop/App.computeHash", 0, 0.75],
        ["com/shop/App.toHex", 0, 0.25],
      ],
      shrank: [],
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const d = shareDiff(c.before, c.after);
      expect(d.grew.map((r) => [r.name, r.before, r.after])).to.deep.equal(c.grew);
      expect(d.shrank.map((r) => r.name)).to.deep.equal(c.shrank);
      for (const r of [...d.grew, ...d.shrank])
        expect(r.delta).to.be.closeTo(r.after - r.before, 1e-12);
    });
  }

  it("attributes library time to the own caller, as top does", () => {
    const d = shareDiff(profile(0, 100), checkoutFlameGraph());
    const hash = d.grew.find((r) => r.name === "com/shop/App.computeHash");
    // 10 self + 50 in MessageDigest under it, of 100.
    expect(hash?.after).to.equal(0.6);
    expect(d.grew.map((r) => r.name)).not.to.include("java/security/MessageDigest.getInstance");
  });

  it("ranks by growth in points, largest first, ties by name", () => {
    const d = shareDiff(profile(50, 50), profile(50, 50));
    expect(d.grew).to.deep.equal([]);
    const e = shareDiff(profile(80, 20), profile(20, 80));
    expect(e.grew[0]!.name).to.equal("com/shop/App.toHex");
    expect(points(e.grew[0]!.delta)).to.equal("+60.0 pp");
    expect(points(e.shrank[0]!.delta)).to.equal("-60.0 pp");
  });
});

describe("renderShareTable", () => {
  it("prints grew and shrank with shares before and after", () => {
    const text = renderShareTable(shareDiff(profile(90, 10), profile(90, 60)), {
      beforeLabel: "revision a",
      afterLabel: "revision b",
      beforeTotal: "1.00 s",
      afterTotal: "1.50 s",
    });
    expect(text.split("\n")).to.deep.equal([
      "Before: revision a, total 1.00 s",
      "After:  revision b, total 1.50 s",
      "",
      "Grew (share of the total):",
      "Before  After    Change  Function",
      " 10.0%  40.0%  +30.0 pp  com/shop/App.toHex",
      "",
      "Shrank (share of the total):",
      "Before  After    Change  Function",
      " 90.0%  60.0%  -30.0 pp  com/shop/App.computeHash",
      "",
    ]);
  });

  it("says when nothing changed", () => {
    const text = renderShareTable(shareDiff(profile(1, 1), profile(2, 2)), {
      beforeLabel: "a",
      afterLabel: "b",
      beforeTotal: "2",
      afterTotal: "4",
    });
    expect(text).to.contain("(nothing grew)");
    expect(text).to.contain("(nothing shrank)");
  });
});
