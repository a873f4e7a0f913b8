import { expect } from "chai";
import { parseRecord } from "./record.ts";

describe("parseRecord", () => {
  const a = (rollout?: string, phase?: string, time = "2025-06-10T12:00:00Z") => ({
    ...(rollout === undefined ? {} : { "fleetscope.io/rollout": rollout }),
    ...(phase === undefined ? {} : { "fleetscope.io/rollout-phase": phase }),
    "fleetscope.io/rollout-time": time,
  });
  const rows: [string, Record<string, string> | undefined, object | undefined][] = [
    ["no annotations", undefined, undefined],
    [
      "a complete record",
      a("shop/5f3a9c01d2", "Available"),
      {
        policy: "shop",
        revision: "5f3a9c01d2",
        phase: "Available",
        time: Date.parse("2025-06-10T12:00:00Z"),
      },
    ],
    [
      "a dotted policy name",
      a("team.shop/12", "Restarting"),
      { policy: "team.shop", revision: "12" },
    ],
    ["no phase", a("shop/5"), undefined],
    ["an unknown phase", a("shop/5", "Exploded"), undefined],
    ["no revision", a("shop", "Available"), undefined],
    ["an empty revision", a("shop/", "Available"), undefined],
  ];
  for (const [what, annotations, expected] of rows) {
    it(what, () => {
      const r = parseRecord(annotations);
      if (expected === undefined) expect(r).to.equal(undefined);
      else expect(r).to.include(expected);
    });
  }

  it("an unreadable time is NaN, which the health gate treats as timed out", () => {
    expect(parseRecord(a("shop/5", "Restarting", "yesterday"))?.time).to.be.NaN;
  });
});
