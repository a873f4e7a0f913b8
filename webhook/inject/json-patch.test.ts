import { expect } from "chai";
import fc from "fast-check";
import { PROPERTY_TIMEOUT_MS, propertyParams } from "../../core/property-params.ts";
import { dict, PROTOTYPE_KEYS } from "../../core/testing.ts";
import { applyPatch, diff, type JsonPatchOp } from "./json-patch.ts";

/** Every counterexample the diff property has found, checked first on every run. */
const DIFF_COUNTEREXAMPLES: [unknown, unknown][] = [
  // seed -1687965506, path "404:66": the removal of a member named valueOf was not emitted.
  [{ valueOf: null }, {}],
];

describe("diff", () => {
  const rows: [string, unknown, unknown, JsonPatchOp[]][] = [
    ["equal documents", { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, []],
    ["added member", { a: 1 }, { a: 1, b: 2 }, [{ op: "add", path: "/b", value: 2 }]],
    ["removed member", { a: 1, b: 2 }, { a: 1 }, [{ op: "remove", path: "/b" }]],
    ["changed scalar", { a: 1 }, { a: 2 }, [{ op: "replace", path: "/a", value: 2 }]],
    [
      "keys with / and ~ are escaped",
      { labels: {} },
      { labels: { "fleetscope.io/injected": "true", "a~b": "x" } },
      [
        { op: "add", path: "/labels/fleetscope.io~1injected", value: "true" },
        { op: "add", path: "/labels/a~0b", value: "x" },
      ],
    ],
    [
      "prepended named elements are added at the front, not rewritten in place",
      { env: [{ name: "A", value: "1" }] },
      {
        env: [
          { name: "X", value: "x" },
          { name: "A", value: "1" },
        ],
      },
      [{ op: "add", path: "/env/0", value: { name: "X", value: "x" } }],
    ],
    [
      "a changed named element is patched where it now sits",
      { env: [{ name: "A" }, { name: "J", value: "-Xmx1g" }] },
      { env: [{ name: "P" }, { name: "A" }, { name: "J", value: "-Xmx1g -javaagent:x" }] },
      [
        { op: "add", path: "/env/0", value: { name: "P" } },
        { op: "replace", path: "/env/2/value", value: "-Xmx1g -javaagent:x" },
      ],
    ],
    ["members holding undefined count as absent", { a: 1, b: undefined }, { a: 1 }, []],
    [
      "type change is a replace",
      { a: [1] },
      { a: { b: 1 } },
      [{ op: "replace", path: "/a", value: { b: 1 } }],
    ],
  ];
  for (const [what, from, to, ops] of rows) {
    it(what, () => {
      expect(diff(from, to)).to.deep.equal(ops);
      const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));
      expect(roundTrip(applyPatch(from, ops))).to.deep.equal(roundTrip(to));
    });
  }

  it("applying the diff of any two JSON documents gives the second", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    // Keys from a small set, so that both documents often share them, and with the names
    // Object.prototype answers for: unbiased strings found the valueOf bug in 1 of 10 runs of
    // 1,000; these find it within 654 runs for each of 1,000 seeds (ADR 0016).
    const key = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("a", "b", "name", "a/b", "~", ...PROTOTYPE_KEYS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    );
    const json = fc.anything({
      key,
      maxDepth: 3,
      maxKeys: 4,
      values: [
        fc.constant(null),
        fc.boolean(),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom("", "x", "y"),
      ],
    });
    const named = fc.array(
      fc.record({ name: fc.constantFrom("a", "b", "c", "d"), v: fc.integer({ max: 3 }) }),
      { maxLength: 6 },
    );
    const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));
    fc.assert(
      fc.property(fc.oneof(json, named), fc.oneof(json, named), (a, b) => {
        const from = { doc: a };
        const to = { doc: b };
        expect(roundTrip(applyPatch(from, diff(from, to)))).to.deep.equal(roundTrip(to));
      }),
      propertyParams(2000, DIFF_COUNTEREXAMPLES),
    );
  });
});

describe("diff and applyPatch: members named like Object.prototype's are data", () => {
  const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));
  for (const key of PROTOTYPE_KEYS) {
    // `labels` with or without the member, as the API server's JSON would have it.
    const doc = (value?: string | null) =>
      dict([
        [
          "labels",
          dict<unknown>(
            value === undefined
              ? [["a", "1"]]
              : [
                  ["a", "1"],
                  [key, value],
                ],
          ),
        ],
      ]);
    const path = `/labels/${key}`;
    const rows: [string, unknown, unknown, JsonPatchOp[]][] = [
      ["removed", doc(null), doc(), [{ op: "remove", path }]],
      ["removed (a string)", doc("x"), doc(), [{ op: "remove", path }]],
      ["added", doc(), doc("x"), [{ op: "add", path, value: "x" }]],
      ["changed", doc("x"), doc("y"), [{ op: "replace", path, value: "y" }]],
      ["unchanged", doc("x"), doc("x"), []],
    ];
    for (const [what, from, to, ops] of rows) {
      it(`${key}: ${what}`, () => {
        expect(diff(from, to)).to.deep.equal(ops);
        const patched = applyPatch(from, ops);
        expect(Object.keys((patched as { labels: object }).labels)).to.deep.equal(
          Object.keys((to as { labels: object }).labels),
        );
        expect(roundTrip(patched)).to.deep.equal(roundTrip(to));
      });
    }
    it(`${key}: remove or replace of an absent member is refused`, () => {
      expect(() => applyPatch(doc(), [{ op: "remove", path }])).to.throw(/no such member/);
      expect(() => applyPatch(doc(), [{ op: "replace", path, value: "x" }])).to.throw(
        /no such member/,
      );
    });
    it(`${key}: a path through an absent member does not resolve`, () => {
      try {
        expect(() =>
          applyPatch(doc(), [{ op: "add", path: `${path}/polluted`, value: 1 }]),
        ).to.throw(/does not resolve/);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      } finally {
        delete (Object.prototype as Record<string, unknown>).polluted;
      }
    });
  }
});

describe("applyPatch", () => {
  it("does not modify its input", () => {
    const doc = { a: [1, 2] };
    applyPatch(doc, [{ op: "add", path: "/a/-", value: 3 }]);
    expect(doc).to.deep.equal({ a: [1, 2] });
  });
  const bad: [string, JsonPatchOp][] = [
    ["missing parent", { op: "add", path: "/x/y", value: 1 }],
    ["index past the end", { op: "add", path: "/a/5", value: 1 }],
    ["replace of a missing member", { op: "replace", path: "/b", value: 1 }],
    ["remove past the end", { op: "remove", path: "/a/2" }],
    ["non-numeric index", { op: "add", path: "/a/01", value: 1 }],
  ];
  for (const [what, op] of bad) {
    it(`rejects ${what}`, () => expect(() => applyPatch({ a: [1, 2] }, [op])).to.throw());
  }
});
