// Table tests of the plain-text tables: kubectl's layout, the profile tables' figures, mixed
// alignment, and sections that share one set of widths.
import { expect } from "chai";
import { FIGURES, type TableLayout, table, tableLines } from "./table.ts";

describe("table", () => {
  const header = ["Name", "Self", "Function"];
  const rows = [
    ["checkout", "60 ns", "com/shop/App.computeHash"],
    ["db", "5 ns", ""],
  ];
  const layouts: { what: string; layout?: TableLayout; want: string[] }[] = [
    {
      what: "by default as kubectl prints: left-aligned, three spaces apart, no trailing spaces",
      want: [
        "Name       Self    Function",
        "checkout   60 ns   com/shop/App.computeHash",
        "db         5 ns",
      ],
    },
    {
      what: "the profile tables' figures: right-aligned, two spaces apart, the last column as is",
      layout: FIGURES,
      want: [
        "    Name   Self  Function",
        "checkout  60 ns  com/shop/App.computeHash",
        "      db   5 ns",
      ],
    },
    {
      what: "an alignment per column",
      layout: { gap: 2, align: ["left", "right"] },
      want: [
        "Name       Self  Function",
        "checkout  60 ns  com/shop/App.computeHash",
        "db         5 ns",
      ],
    },
  ];
  for (const { what, layout, want } of layouts) {
    it(what, () => {
      expect(table(header, rows, layout).split("\n")).to.deep.equal(want);
    });
  }
});

describe("tableLines", () => {
  it("sizes every section's lines to all rows, so sections printed apart line up", () => {
    const header = ["Δ", "Function"];
    const grew = ["+90.00 ms", "computeHash"];
    const shrank = ["-1 ms", "toHex"];
    const line = tableLines([header, grew, shrank], FIGURES);
    expect([line(header), line(grew), "", line(header), line(shrank)]).to.deep.equal([
      "        Δ  Function",
      "+90.00 ms  computeHash",
      "",
      "        Δ  Function",
      "    -1 ms  toHex",
    ]);
  });
});
