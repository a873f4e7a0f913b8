// Unit tests for the before/after comparison of profiles: deltas, scaling, ranking and the table.
import { expect } from "chai";
import {
  diffProfiles,
  diffTop,
  formatChange,
  formatDelta,
  type ProfileDiff,
  renderDiffTable,
} from "./diff.ts";
import { flameGraph } from "./fixtures.ts";

/** Thread.run -> handle -> {computeHash (self 2) -> digest, toHex}, with the given self values. */
const profile = (digest: number, toHex: number, handleSelf: number) =>
  flameGraph([
    {
      name: "java/lang/Thread.run",
      calls: [
        {
          name: "com/shop/App.handle",
          self: handleSelf,
          calls: [
            {
              name: "com/shop/App.computeHash",
              self: 2,
              calls: [{ name: "java/security/MessageDigest.digest", self: digest }],
            },
            { name: "com/shop/App.toHex", self: toHex },
          ],
        },
      ],
    },
  ]);

describe("diffTop", () => {
  it("subtracts per function, counts missing ones as zero and sorts by growth", () => {
    const rows = diffTop(
      [
        { name: "a", self: 10, total: 20 },
        { name: "gone", self: 5, total: 5 },
      ],
      [
        { name: "a", self: 4, total: 30 },
        { name: "new", self: 7, total: 7 },
      ],
    );
    expect(rows.map((r) => [r.name, r.selfDelta, r.totalDelta])).to.deep.equal([
      ["new", 7, 7],
      ["gone", -5, -5],
      ["a", -6, 10],
    ]);
    expect(rows[0]!.before).to.deep.equal({ self: 0, total: 0 });
  });

  it("scales the before values", () => {
    const [row] = diffTop(
      [{ name: "a", self: 10, total: 20 }],
      [{ name: "a", self: 30, total: 40 }],
      2,
    );
    expect(row).to.deep.include({ selfDelta: 10, totalDelta: 0, before: { self: 20, total: 40 } });
  });
});

describe("diffProfiles", () => {
  const before = profile(10, 20, 5); // total 37
  const after = profile(100, 20, 5); // total 127

  it("attributes library time to own code and ranks what grew first", () => {
    const d = diffProfiles(before, after);
    expect(d.grew.map((r) => r.name)).to.deep.equal([
      "com/shop/App.computeHash",
      "com/shop/App.handle", // self unchanged, total grew
    ]);
    expect(d.grew[0]).to.deep.include({
      before: { self: 12, total: 12 },
      after: { self: 102, total: 102 },
      selfDelta: 90,
    });
    expect(d.shrank).to.deep.equal([]);
    expect(d.beforeTotal).to.equal(37);
    expect(d.afterTotal).to.equal(127);
  });

  it("lists every frame with --all, and what shrank in reverse", () => {
    const d = diffProfiles(after, before, { allFrames: true });
    expect(d.grew).to.deep.equal([]);
    expect(d.shrank.map((r) => [r.name, r.selfDelta])).to.deep.equal([
      ["java/security/MessageDigest.digest", -90],
      ["com/shop/App.computeHash", 0],
      ["com/shop/App.handle", 0],
      ["java/lang/Thread.run", 0],
    ]);
  });

  it("scales the before range to the after range's length", () => {
    const d = diffProfiles(before, before, { beforeMs: 60_000, afterMs: 120_000 });
    expect(d.scale).to.equal(2);
    expect(d.beforeTotal).to.equal(74);
    expect(d.shrank[0]).to.deep.include({ name: "com/shop/App.toHex", selfDelta: -20 });
    expect(d.shrank[1]).to.deep.include({ name: "com/shop/App.computeHash", selfDelta: -12 });
  });
});

describe("diff formatting", () => {
  it("formats changes and deltas with signs", () => {
    expect(formatChange(10, 15)).to.equal("+50.0%");
    expect(formatChange(10, 5)).to.equal("-50.0%");
    expect(formatChange(0, 5)).to.equal("new");
    expect(formatChange(5, 0)).to.equal("gone");
    expect(formatChange(3, 3)).to.equal("±0%");
    expect(formatDelta(1_500_000_000, "nanoseconds")).to.equal("+1.50 s");
    expect(formatDelta(-2048, "bytes")).to.equal("-2.00 KiB");
    expect(formatDelta(0, "count")).to.equal("0");
  });

  it("renders the grew and shrank tables", () => {
    const d: ProfileDiff = diffProfiles(profile(10e6, 20e6, 5e6), profile(100e6, 10e6, 5e6));
    const text = renderDiffTable(d, { unit: "nanoseconds", beforeLabel: "A", afterLabel: "B" });
    expect(text.split("\n")).to.deep.equal([
      "Before (A): total 35.00 ms",
      "After (B): total 115.00 ms (+228.6%)",
      "",
      "Grew:",
      "Self before  Self after     Δ self       Δ%          Share    Δ total  Function",
      "   10.00 ms   100.00 ms  +90.00 ms  +900.0%  28.6% → 87.0%  +90.00 ms  com/shop/App.computeHash",
      "    5.00 ms     5.00 ms          0      ±0%   14.3% → 4.3%  +80.00 ms  com/shop/App.handle",
      "",
      "Shrank:",
      "Self before  Self after     Δ self       Δ%          Share    Δ total  Function",
      "   20.00 ms    10.00 ms  -10.00 ms   -50.0%   57.1% → 8.7%  -10.00 ms  com/shop/App.toHex",
      "",
    ]);
  });

  it("says when nothing moved", () => {
    const same = profile(1, 1, 1);
    const text = renderDiffTable(diffProfiles(same, same), { unit: "count" });
    expect(text).to.contain("(nothing grew)");
    expect(text).to.contain("(nothing shrank)");
  });
});
