// LabelSelector semantics, checked case by case against what the API server does.
import { expect } from "chai";
import { dict, PROTOTYPE_KEYS } from "../testing.ts";
import { type LabelSelector, matchesSelector, selectorToString } from "./label-selector.ts";

const team = { team: "shop", tier: "web" };

describe("matchesSelector", () => {
  const cases: {
    name: string;
    selector: LabelSelector | undefined;
    labels?: Record<string, string>;
    matches: boolean;
  }[] = [
    { name: "absent selector matches nothing", selector: undefined, labels: team, matches: false },
    { name: "empty selector matches everything", selector: {}, labels: team, matches: true },
    {
      name: "matchLabels equal",
      selector: { matchLabels: { team: "shop" } },
      labels: team,
      matches: true,
    },
    {
      name: "matchLabels differ",
      selector: { matchLabels: { team: "pay" } },
      labels: team,
      matches: false,
    },
    {
      name: "matchLabels on no labels",
      selector: { matchLabels: { team: "shop" } },
      matches: false,
    },
    {
      name: "In",
      selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] },
      labels: team,
      matches: true,
    },
    {
      name: "In, key absent",
      selector: { matchExpressions: [{ key: "x", operator: "In", values: ["a"] }] },
      labels: team,
      matches: false,
    },
    {
      name: "NotIn, key absent",
      selector: { matchExpressions: [{ key: "x", operator: "NotIn", values: ["a"] }] },
      labels: team,
      matches: true,
    },
    {
      name: "NotIn, value listed",
      selector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] },
      labels: team,
      matches: false,
    },
    {
      name: "Exists",
      selector: { matchExpressions: [{ key: "team", operator: "Exists" }] },
      labels: team,
      matches: true,
    },
    {
      name: "DoesNotExist",
      selector: { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] },
      labels: team,
      matches: false,
    },
    {
      name: "unknown operator matches nothing",
      selector: { matchExpressions: [{ key: "team", operator: "Gt", values: ["1"] }] },
      labels: team,
      matches: false,
    },
    {
      name: "all terms must hold",
      selector: {
        matchLabels: { team: "shop" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }],
      },
      labels: team,
      matches: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(matchesSelector(c.selector, c.labels)).to.equal(c.matches));
  }
});

describe("matchesSelector with keys named like Object.prototype members", () => {
  for (const key of PROTOTYPE_KEYS) {
    const has = dict([[key, "v"]]);
    const rows: [string, LabelSelector, Record<string, string>, boolean][] = [
      ["matchLabels, key absent", { matchLabels: dict([[key, "v"]]) }, {}, false],
      ["matchLabels, key present", { matchLabels: dict([[key, "v"]]) }, has, true],
      ["matchLabels, other value", { matchLabels: dict([[key, "w"]]) }, has, false],
      ["In, key absent", { matchExpressions: [{ key, operator: "In", values: ["v"] }] }, {}, false],
      [
        "In, key present",
        { matchExpressions: [{ key, operator: "In", values: ["v"] }] },
        has,
        true,
      ],
      [
        "NotIn, key absent",
        { matchExpressions: [{ key, operator: "NotIn", values: ["v"] }] },
        {},
        true,
      ],
      ["Exists, key absent", { matchExpressions: [{ key, operator: "Exists" }] }, {}, false],
      ["Exists, key present", { matchExpressions: [{ key, operator: "Exists" }] }, has, true],
      [
        "DoesNotExist, key absent",
        { matchExpressions: [{ key, operator: "DoesNotExist" }] },
        {},
        true,
      ],
      [
        "DoesNotExist, key present",
        { matchExpressions: [{ key, operator: "DoesNotExist" }] },
        has,
        false,
      ],
    ];
    for (const [what, selector, labels, matches] of rows) {
      it(`${key}: ${what}`, () => expect(matchesSelector(selector, labels)).to.equal(matches));
    }
  }
});

describe("selectorToString", () => {
  it("renders the API's selector syntax", () => {
    expect(
      selectorToString({
        matchLabels: { a: "1" },
        matchExpressions: [
          { key: "b", operator: "In", values: ["x", "y"] },
          { key: "c", operator: "NotIn", values: ["z"] },
          { key: "d", operator: "Exists" },
          { key: "e", operator: "DoesNotExist" },
        ],
      }),
    ).to.equal("a=1,b in (x,y),c notin (z),d,!e");
  });
});
