// Policy matching: namespace exclusions, pod selectors, precedence and conflicts.
import { expect } from "chai";
import fc from "fast-check";
import { PROPERTY_TIMEOUT_MS, propertyParams } from "../property-params.ts";
import { PROTOTYPE_KEYS } from "../testing.ts";
import { matchesSelector } from "./label-selector.ts";
import {
  byPrecedence,
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

  it("is every policy selecting the namespace and the pod, sorted by precedence", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    const labels = fc.dictionary(
      fc.constantFrom("tier", "team", "fleetscope.io/profiling", ...PROTOTYPE_KEYS),
      fc.constantFrom("web", "db", "enabled"),
      { maxKeys: 3 },
    );
    const selector = fc.option(fc.record({ matchLabels: labels }), { nil: undefined });
    const policyArb = fc.record({
      name: fc.constantFrom("a", "b", "c", "d", ""),
      priority: fc.option(fc.integer({ min: -2, max: 2 }), { nil: undefined }),
      namespaceSelector: selector,
      podSelector: selector,
    });
    fc.assert(
      fc.property(
        fc.array(policyArb, { maxLength: 12 }),
        fc.constantFrom("shop", "kube-system", "fleetscope"),
        labels,
        labels,
        (specs, nsName, nsLabels, podLabels) => {
          const policies = specs.map((s) =>
            policy(s.name, {
              priority: s.priority,
              selector: { namespaceSelector: s.namespaceSelector, podSelector: s.podSelector },
            }),
          );
          const namespace = ns(nsName, nsLabels);
          const expected = policies
            .filter(
              (p) =>
                selectsNamespace(p, namespace, "fleetscope") &&
                (p.spec?.selector?.podSelector === undefined ||
                  matchesSelector(p.spec.selector.podSelector, podLabels)),
            )
            .sort(byPrecedence);
          const got = policiesForPod(policies, namespace, podLabels, "fleetscope");
          expect(got.length).to.equal(expected.length);
          for (const [i, p] of got.entries()) expect(p).to.equal(expected[i]);
        },
      ),
      propertyParams(2000),
    );
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
