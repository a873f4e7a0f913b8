// The watch rules the controllers share: which policy events count, which policies a
// namespace change concerns.
import { expect } from "chai";
import type { NamespaceLike } from "../../core/match/policies.ts";
import type { ChangeKind, KubeObject } from "../kube/informer.ts";
import { onlySpecChanges, policiesConcerned } from "./watches.ts";

describe("onlySpecChanges", () => {
  // One policy's events in order, with the generation the cache holds when each arrives.
  const story: { event: ChangeKind; generation?: number; passes: boolean; why: string }[] = [
    { event: "add", generation: 1, passes: true, why: "a new policy" },
    { event: "update", generation: 1, passes: false, why: "the operator wrote its status" },
    { event: "update", generation: 2, passes: true, why: "its spec was edited" },
    { event: "update", generation: 2, passes: false, why: "status again" },
    { event: "resync", generation: 2, passes: true, why: "a resync always counts" },
    { event: "delete", passes: true, why: "deleted" },
    { event: "update", generation: 2, passes: true, why: "seen anew after its delete" },
  ];
  it("passes on adds, deletes, resyncs and generation changes only", () => {
    const stored = new Map<string, KubeObject>();
    const passed: string[] = [];
    const handler = onlySpecChanges(
      (key) => stored.get(key),
      (key, kind) => passed.push(`${key} ${kind}`),
    );
    const got = story.map((step) => {
      if (step.generation === undefined) stored.delete("p");
      else stored.set("p", { metadata: { name: "p", generation: step.generation } });
      const before = passed.length;
      handler("p", step.event);
      return { why: step.why, passes: passed.length > before };
    });
    expect(got).to.deep.equal(story.map(({ why, passes }) => ({ why, passes })));
    expect(passed[0]).to.equal("p add");
  });

  it("keeps each policy's generation apart", () => {
    const stored = new Map<string, KubeObject>([
      ["a", { metadata: { generation: 1 } }],
      ["b", { metadata: { generation: 1 } }],
    ]);
    const passed: string[] = [];
    const handler = onlySpecChanges(
      (key) => stored.get(key),
      (key) => passed.push(key),
    );
    handler("a", "add");
    handler("b", "update");
    handler("a", "update");
    expect(passed).to.deep.equal(["a", "b"]);
  });
});

describe("policiesConcerned", () => {
  const optedIn = { metadata: { name: "shop", labels: { "fleetscope.io/profiling": "enabled" } } };
  const plain = { metadata: { name: "shop", labels: {} } };
  const policy = (name: string, listed: string[] = []) => ({
    metadata: { name },
    spec: {},
    status: { selectedNamespaces: listed },
  });
  const cases: {
    name: string;
    ns: NamespaceLike | undefined;
    policies: ReturnType<typeof policy>[];
    want: { policy: string; listed: boolean; selected: boolean }[];
  }[] = [
    {
      name: "newly opted in: selected, not yet listed",
      ns: optedIn,
      policies: [policy("p")],
      want: [{ policy: "p", listed: false, selected: true }],
    },
    {
      name: "still selected and listed",
      ns: optedIn,
      policies: [policy("p", ["shop"])],
      want: [{ policy: "p", listed: true, selected: true }],
    },
    {
      name: "opted out: listed, no longer selected",
      ns: plain,
      policies: [policy("p", ["shop"])],
      want: [{ policy: "p", listed: true, selected: false }],
    },
    {
      name: "deleted: only the policies that listed it",
      ns: undefined,
      policies: [policy("p", ["shop"]), policy("q", ["cart"])],
      want: [{ policy: "p", listed: true, selected: false }],
    },
    {
      name: "neither selected nor listed: no policy",
      ns: plain,
      policies: [policy("p", ["cart"])],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(policiesConcerned("shop", c.ns, c.policies, "fleetscope")).to.deep.equal(c.want);
    });
  }
});
