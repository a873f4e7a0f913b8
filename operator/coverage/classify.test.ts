import { expect } from "chai";
import { type CoveragePolicy, classifyPod, ineligibility } from "./classify.ts";
import type { PodMeta } from "./types.ts";

const policy: CoveragePolicy = {
  metadata: { name: "shop", generation: 5, creationTimestamp: "2025-06-01T00:00:00Z" },
  spec: { agent: { version: "2.1.2" } },
};
const dryRunPolicy: CoveragePolicy = { ...policy, spec: { ...policy.spec, dryRun: true } };

const injected = {
  "fleetscope.io/injected": "true",
  "fleetscope.io/policy": "shop",
  "fleetscope.io/policy-generation": "5",
  "fleetscope.io/agent-version": "2.1.2",
};
const pod = (labels: Record<string, string>, extra: Partial<PodMeta> = {}): PodMeta => ({
  namespace: "shop",
  name: "p",
  creationTimestamp: "2025-06-02T00:00:00Z",
  labels,
  ...extra,
});

describe("classifyPod", () => {
  const rows: [string, CoveragePolicy, PodMeta, string, string?][] = [
    ["current generation and version", policy, pod(injected), "injected"],
    [
      "a newer generation than the cached policy is not outdated",
      policy,
      pod({ ...injected, "fleetscope.io/policy-generation": "6" }),
      "injected",
    ],
    [
      "older generation",
      policy,
      pod({ ...injected, "fleetscope.io/policy-generation": "4" }),
      "outdated",
      "OlderGeneration",
    ],
    [
      "same revision after a generation that changed only the rollout: current",
      { ...policy, status: { revision: "aaaa" } },
      pod({
        ...injected,
        "fleetscope.io/policy-generation": "4",
        "fleetscope.io/policy-revision": "aaaa",
      }),
      "injected",
    ],
    [
      "another revision: the settings pods receive have changed",
      { ...policy, status: { revision: "bbbb" } },
      pod({ ...injected, "fleetscope.io/policy-revision": "aaaa" }),
      "outdated",
      "OlderConfiguration",
    ],
    [
      "other agent version",
      policy,
      pod({ ...injected, "fleetscope.io/agent-version": "2.0.0" }),
      "outdated",
      "OlderAgentVersion",
    ],
    [
      "injected by a policy that no longer wins",
      policy,
      pod({ ...injected, "fleetscope.io/policy": "old" }),
      "outdated",
      "OtherPolicy",
    ],
    [
      "the full name annotation wins over the shortened label",
      { ...policy, metadata: { ...policy.metadata, name: `${"a".repeat(70)}` } },
      pod(
        { ...injected, "fleetscope.io/policy": "a".repeat(63) },
        { annotations: { "fleetscope.io/policy": "a".repeat(70) } },
      ),
      "injected",
    ],
    [
      "opted out",
      policy,
      pod({ ...injected, "fleetscope.io/inject": "false" }),
      "skipped",
      "OptedOut",
    ],
    [
      "dry run",
      dryRunPolicy,
      pod({ "fleetscope.io/dry-run": "would-inject", "fleetscope.io/policy": "shop" }),
      "skipped",
      "DryRun",
    ],
    [
      "marked in a dry run that has since ended",
      policy,
      pod({ "fleetscope.io/dry-run": "would-inject", "fleetscope.io/policy": "shop" }),
      "pending",
      "CreatedInDryRun",
    ],
    [
      "a webhook skip code",
      policy,
      pod({ "fleetscope.io/skip-reason": "windows-pod" }),
      "skipped",
      "WindowsPod",
    ],
    [
      "no stamp, older than the policy",
      policy,
      pod({}, { creationTimestamp: "2025-05-31T23:59:59Z" }),
      "pending",
      "PredatesPolicy",
    ],
    [
      "no stamp, created in the policy's second",
      policy,
      pod({}, { creationTimestamp: "2025-06-01T00:00:00Z" }),
      "pending",
      "PredatesPolicy",
    ],
    ["no stamp, newer than the policy", policy, pod({}), "pending", "NotSeenByWebhook"],
  ];
  for (const [what, pol, p, state, reason] of rows) {
    it(what, () => {
      const c = classifyPod(pol, p);
      expect(c.state).to.equal(state);
      expect(c.reason).to.equal(reason);
    });
  }

  it("keeps the webhook's own message", () => {
    const c = classifyPod(
      policy,
      pod(
        { "fleetscope.io/skip-reason": "name-conflict" },
        { annotations: { "fleetscope.io/skip-reason": "the pod already uses fleetscope-agent" } },
      ),
    );
    expect(c.message).to.equal("the pod already uses fleetscope-agent");
  });
});

describe("ineligibility", () => {
  const ns = { metadata: { name: "shop", labels: { "fleetscope.io/profiling": "enabled" } } };
  const rows: [string, PodMeta, string | undefined][] = [
    ["a plain pod is eligible", pod({}), undefined],
    ["being deleted", pod({}, { deletionTimestamp: "2025-06-02T00:00:00Z" }), "being deleted"],
    ["finished", pod({}, { phase: "Failed" }), "has Failed"],
    [
      "a static pod's mirror",
      pod({}, { annotations: { "kubernetes.io/config.mirror": "x" } }),
      "static pods",
    ],
  ];
  for (const [what, p, why] of rows) {
    it(what, () => {
      const got = ineligibility(policy, p, ns, [policy], "fleetscope");
      if (why === undefined) expect(got).to.equal(undefined);
      else expect(got).to.include(why);
    });
  }

  it("names the policy that takes precedence", () => {
    const other = { ...policy, metadata: { name: "first" }, spec: { ...policy.spec, priority: 1 } };
    expect(ineligibility(policy, pod({}), ns, [policy, other], "fleetscope")).to.equal(
      "policy first takes precedence",
    );
  });

  it("the operator's own namespace is never selected", () => {
    const own = { metadata: { name: "fleetscope", labels: ns.metadata.labels } };
    expect(ineligibility(policy, pod({}), own, [policy], "fleetscope")).to.include(
      "operator-namespace",
    );
  });
});
