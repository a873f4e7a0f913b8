// Table tests of the regressions core: the verdict per workload, the sample minimum, the order
// and the table.
import { expect } from "chai";
import { hashAndHex } from "./fixtures.ts";
import type { FlameGraph } from "./query.ts";
import {
  MIN_SAMPLES,
  type RegressionRow,
  type RevisionProfiles,
  regressionRow,
  renderRegressionsTable,
  sampleCount,
  shortProfileType,
  sortRegressions,
} from "./regressions.ts";

const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
const SAMPLE = 10_000_000; // 10 ms

/** handle -> {computeHash, toHex}, values in samples of 10 ms. */
const profile = (hash: number, hex: number) => hashAndHex(hash * SAMPLE, hex * SAMPLE);

const input = (name: string, before: FlameGraph, after: FlameGraph): RevisionProfiles => ({
  namespace: "shop",
  workload: name,
  kind: "Deployment",
  oldRevision: "7d9f8b6c4d",
  newRevision: "5c8d7f6b9",
  deployedAt: Date.UTC(2026, 11, 1, 13, 40, 12),
  profileTypeId: CPU,
  unit: "nanoseconds",
  before,
  after,
});

describe("sampleCount", () => {
  const cases: [number, string, number][] = [
    [5_000_000_000, "nanoseconds", 500],
    [5_009_999_999, "nanoseconds", 500],
    [512 * 1024 * 10, "bytes", 10],
    [42, "count", 42],
  ];
  for (const [total, unit, want] of cases)
    it(`${total} ${unit} = ${want} samples`, () => expect(sampleCount(total, unit)).to.equal(want));
});

describe("regressionRow", () => {
  it("names the function whose share grew most, with both shares in percent", () => {
    const row = regressionRow(input("checkout", profile(900, 100), profile(900, 600)));
    expect(row).to.deep.include({
      function: "com/shop/App.toHex",
      beforePercent: 10,
      afterPercent: 40,
      growth: 30,
      samples: { before: 1000, after: 1500 },
      deployedAt: "2026-12-01T13:40:12.000Z",
    });
    expect(row.note).to.equal(undefined);
  });

  const short: [string, FlameGraph, FlameGraph, string][] = [
    [
      "before",
      profile(100, 10),
      profile(900, 600),
      `too few samples: before 110 (minimum ${MIN_SAMPLES} per revision)`,
    ],
    [
      "both",
      profile(0, 0),
      profile(1, 1),
      `too few samples: before 0, after 2 (minimum ${MIN_SAMPLES} per revision)`,
    ],
  ];
  for (const [what, before, after, note] of short) {
    it(`gives no verdict with too few samples ${what}`, () => {
      const row = regressionRow(input("checkout", before, after));
      expect(row.note).to.equal(note);
      expect(row.function).to.equal(undefined);
      expect(row.growth).to.equal(undefined);
    });
  }

  it("honours a lower minimum", () => {
    const row = regressionRow(input("checkout", profile(100, 10), profile(90, 60)), {
      minSamples: 100,
    });
    expect(row.function).to.equal("com/shop/App.toHex");
  });

  it("says so when no function grew", () => {
    expect(regressionRow(input("c", profile(900, 100), profile(1800, 200))).note).to.equal(
      "no function grew",
    );
  });
});

describe("sortRegressions and the table", () => {
  const rows: RegressionRow[] = [
    regressionRow(input("cart", profile(900, 100), profile(900, 150))),
    regressionRow(input("quiet", profile(1, 1), profile(1, 1))),
    regressionRow(input("checkout", profile(900, 100), profile(900, 600))),
    regressionRow(input("alpha", profile(1, 1), profile(1, 1))),
  ];

  it("puts the largest growth first and workloads without a verdict last, by name", () => {
    expect(sortRegressions(rows).map((r) => r.workload)).to.deep.equal([
      "checkout",
      "cart",
      "alpha",
      "quiet",
    ]);
  });

  it("renders one line per workload", () => {
    const lines = renderRegressionsTable(sortRegressions(rows), "24h").split("\n");
    const tooFew = "(too few samples: before 2, after 2 (minimum 500 per revision))";
    expect(lines).to.deep.equal([
      "Workload       Revisions              Deployed           Type  Before  After    Change  Function",
      "shop/checkout  7d9f8b6c4d..5c8d7f6b9  2026-12-01 13:40Z  cpu    10.0%  40.0%  +30.0 pp  com/shop/App.toHex",
      "shop/cart      7d9f8b6c4d..5c8d7f6b9  2026-12-01 13:40Z  cpu    10.0%  14.3%   +4.3 pp  com/shop/App.toHex",
      `shop/alpha     7d9f8b6c4d..5c8d7f6b9  2026-12-01 13:40Z  cpu        -      -         -  ${tooFew}`,
      `shop/quiet     7d9f8b6c4d..5c8d7f6b9  2026-12-01 13:40Z  cpu        -      -         -  ${tooFew}`,
      "",
    ]);
  });

  it("says when nothing changed in the window", () => {
    expect(renderRegressionsTable([], "24h")).to.equal(
      "no profiled workload got a new revision in the last 24h\n",
    );
  });

  it("shortens profile type IDs", () => {
    expect(shortProfileType(CPU)).to.equal("cpu");
    expect(shortProfileType("memory:alloc_in_new_tlab_bytes:bytes:space:bytes")).to.equal(
      "memory:alloc_in_new_tlab_bytes",
    );
  });
});
