import { expect } from "chai";
import { selectPolicy } from "./policy-select.ts";

describe("selectPolicy", () => {
  const rows: [string, { name: string; priority?: number }[], string | undefined][] = [
    ["no candidates", [], undefined],
    ["one candidate", [{ name: "a" }], "a"],
    [
      "highest priority wins",
      [
        { name: "a", priority: 1 },
        { name: "b", priority: 10 },
      ],
      "b",
    ],
    ["missing priority counts as 0", [{ name: "a", priority: -1 }, { name: "b" }], "b"],
    [
      "ties go to the first name in code-unit order",
      [
        { name: "beta", priority: 5 },
        { name: "alpha", priority: 5 },
      ],
      "alpha",
    ],
    [
      "upper case sorts before lower case, whatever the locale",
      [{ name: "b" }, { name: "B" }],
      "B",
    ],
  ];
  for (const [what, candidates, want] of rows) {
    it(what, () => {
      expect(selectPolicy(candidates)?.name).to.equal(want);
      expect(selectPolicy([...candidates].reverse())?.name, "order-independent").to.equal(want);
    });
  }
});
