// The namespace label the webhook requires: added where a policy selects, removed elsewhere.
import { expect } from "chai";
import { namespaceLabelPatch } from "./namespace-labels.ts";

const ns = (labels: Record<string, string>) => ({ metadata: { name: "shop", labels } });
const optIn = { "fleetscope.io/profiling": "enabled" };
const injected = { "fleetscope.io/injection": "enabled" };
const policy = { metadata: { name: "p" }, spec: {} };

describe("namespaceLabelPatch", () => {
  const cases = [
    {
      name: "selected, not yet labelled: add",
      labels: optIn,
      policies: [policy],
      patch: "enabled",
    },
    {
      name: "selected and labelled: nothing",
      labels: { ...optIn, ...injected },
      policies: [policy],
      patch: undefined,
    },
    {
      name: "labelled, no policy left: remove",
      labels: { ...optIn, ...injected },
      policies: [],
      patch: null,
    },
    {
      name: "labelled, opt-in label removed: remove",
      labels: injected,
      policies: [policy],
      patch: null,
    },
    { name: "neither: nothing", labels: {}, policies: [policy], patch: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const patch = namespaceLabelPatch(ns(c.labels), c.policies, "fleetscope");
      expect(patch?.metadata.labels["fleetscope.io/injection"]).to.equal(c.patch);
    });
  }
});
