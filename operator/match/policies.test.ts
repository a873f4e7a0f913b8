// Policy matching: namespace exclusions, pod selectors, precedence and conflicts.
import { expect } from "chai";
import {
  namespaceConflicts,
  namespaceExclusion,
  type PolicyLike,
  policiesForPod,
  selectsNamespace,
} from "./policies.ts";

const ns = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });
const optedIn = (name: string, extra: Record<string, string> = {}) =>
  ns(name, { "fleetscope.io/profiling": "enabled", ...extra });
const policy = (name: string, spec: PolicyLike["spec"] = {}): PolicyLike => ({
  metadata: { name },
  spec,
});

describe("namespace selection", () => {
  const cases = [
    { name: "opted-in namespace, default selector", ns: optedIn("shop"), selected: true },
    { name: "namespace without the opt-in label", ns: ns("shop"), selected: false },
    { name: "kube-system is never selected", ns: optedIn("kube-system"), selected: false },
    { name: "any kube-* namespace is never selected", ns: optedIn("kube-extra"), selected: false },
    {
      name: "the operator's namespace is never selected",
      ns: optedIn("fleetscope"),
      selected: false,
    },
    {
      name: "a namespace that opts out wins over any selector",
      ns: optedIn("shop", { "fleetscope.io/inject": "false" }),
      selected: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(selectsNamespace(policy("p"), c.ns, "fleetscope")).to.equal(c.selected);
    });
  }

  it("names the exclusion", () => {
    expect(namespaceExclusion(optedIn("kube-system"), "fleetscope")).to.equal("system-namespace");
    expect(namespaceExclusion(optedIn("shop"), "fleetscope")).to.equal(undefined);
  });

  it("a custom namespaceSelector replaces the default opt-in label", () => {
    const p = policy("p", { selector: { namespaceSelector: { matchLabels: { team: "pay" } } } });
    expect(selectsNamespace(p, ns("pay", { team: "pay" }), "fleetscope")).to.equal(true);
    expect(selectsNamespace(p, optedIn("shop"), "fleetscope")).to.equal(false);
  });
});

describe("policiesForPod", () => {
  const broad = policy("broad", { priority: 0 });
  const urgent = policy("urgent", {
    priority: 10,
    selector: { podSelector: { matchLabels: { tier: "web" } } },
  });
  const alpha = policy("alpha", { priority: 0 });

  it("highest priority first, ties by name", () => {
    const order = policiesForPod(
      [broad, urgent, alpha],
      optedIn("shop"),
      { tier: "web" },
      "fleetscope",
    );
    expect(order.map((p) => p.metadata.name)).to.deep.equal(["urgent", "alpha", "broad"]);
  });

  it("a podSelector that does not match leaves the policy out", () => {
    const order = policiesForPod([broad, urgent], optedIn("shop"), { tier: "db" }, "fleetscope");
    expect(order.map((p) => p.metadata.name)).to.deep.equal(["broad"]);
  });
});

describe("namespaceConflicts", () => {
  it("reports where a policy always loses to a namespace-wide one of higher precedence", () => {
    const conflicts = namespaceConflicts(
      [policy("a", { priority: 5 }), policy("b"), policy("c", { selector: { podSelector: {} } })],
      [optedIn("shop"), ns("other")],
      "fleetscope",
    );
    expect(Object.fromEntries(conflicts)).to.deep.equal({
      b: [{ namespace: "shop", winner: "a" }],
      c: [{ namespace: "shop", winner: "a" }],
    });
  });
});
