// The admission pipeline end to end in memory: which requests are injected, skipped or audited.
import { expect } from "chai";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../core/api/v1alpha1/types.ts";
import { createAdmit } from "./admit.ts";
import { applyPatch, type JsonPatchOp } from "./inject/json-patch.ts";
import type { ProbedLevel } from "./inject/settings.ts";
import { settingsFromPolicy } from "./policy-settings.ts";
import type { AdmissionRequest } from "./server/admission-review.ts";

const policy = (name: string, spec: ProfilingPolicySpecInput = {}): ProfilingPolicy =>
  ({
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name, generation: 3 },
    spec: withDefaults(spec),
  }) as ProfilingPolicy;

const namespaces: Record<string, { metadata: { name: string; labels: Record<string, string> } }> = {
  shop: { metadata: { name: "shop", labels: { "fleetscope.io/profiling": "enabled" } } },
  "kube-system": {
    metadata: { name: "kube-system", labels: { "fleetscope.io/profiling": "enabled" } },
  },
};

const javaPod = {
  metadata: {
    generateName: "checkout-7d9f8b6c4d-",
    labels: { "app.kubernetes.io/name": "checkout" },
  },
  spec: { containers: [{ name: "app", image: "eclipse-temurin:21-jre" }] },
};

const request = (over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: "u1",
  kind: { group: "", version: "v1", kind: "Pod" },
  operation: "CREATE",
  namespace: "shop",
  object: javaPod,
  ...over,
});

function admitWith(policies: ProfilingPolicy[], probed: Record<string, ProbedLevel> = {}) {
  return createAdmit({
    policies: () => policies,
    namespace: (n) => namespaces[n],
    operatorNamespace: "fleetscope",
    probedLevel: (n) => (Object.hasOwn(probed, n) ? probed[n] : undefined),
    settingsFor: (p) =>
      settingsFromPolicy(p, {
        clusterName: "prod",
        serverAddress: "http://pyroscope.pyroscope.svc:4040",
      }),
  });
}

describe("admit", () => {
  const cases: {
    name: string;
    policies: ProfilingPolicy[];
    req: AdmissionRequest;
    result: string;
    reason: string;
  }[] = [
    {
      name: "a Java pod in an opted-in namespace is injected",
      policies: [policy("p")],
      req: request(),
      result: "injected",
      reason: "injected",
    },
    {
      name: "no policy: skipped",
      policies: [],
      req: request(),
      result: "skipped",
      reason: "no-policy",
    },
    {
      name: "kube-system is never injected",
      policies: [policy("p")],
      req: request({ namespace: "kube-system" }),
      result: "skipped",
      reason: "no-policy",
    },
    {
      name: "an unknown namespace is treated as unlabelled",
      policies: [policy("p")],
      req: request({ namespace: "new" }),
      result: "skipped",
      reason: "no-policy",
    },
    {
      name: "a dry-run policy audits only",
      policies: [policy("p", { dryRun: true })],
      req: request(),
      result: "dry-run",
      reason: "dry-run",
    },
    {
      name: "UPDATE is never patched",
      policies: [policy("p")],
      req: request({ operation: "UPDATE" }),
      result: "skipped",
      reason: "not-create",
    },
    {
      name: "another kind is ignored",
      policies: [policy("p")],
      req: request({ kind: { group: "apps", version: "v1", kind: "Deployment" } }),
      result: "skipped",
      reason: "not-a-pod",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = admitWith(c.policies)(c.req);
      expect([a.result, a.reason]).to.deep.equal([c.result, c.reason]);
      if (c.result === "skipped" && c.reason !== "no-policy") expect(a.patch).to.deep.equal([]);
    });
  }

  it("the winning policy is the one with the highest priority", () => {
    const a = admitWith([policy("low"), policy("high", { priority: 5 })])(request());
    const pod = applyPatch(structuredClone(javaPod), a.patch as JsonPatchOp[]);
    expect(pod.metadata.labels).to.include({ "fleetscope.io/policy": "high" });
  });

  it("{cluster} in the application name becomes the configured cluster name", () => {
    const a = admitWith([policy("p", { agent: { applicationName: "{cluster}/{workload}" } })])(
      request(),
    );
    expect(JSON.stringify(a.patch)).to.include("-Dpyroscope.application.name=prod/checkout");
  });

  describe("SYS_PTRACE follows the namespace's probed Pod Security level", () => {
    const cpu = policy("p", { agent: { profiles: { cpu: { event: "cpu" } } } });
    const rows: [string, ProbedLevel | undefined, boolean, RegExp | undefined][] = [
      ["probed privileged: added", { kind: "known", level: "privileged" }, true, undefined],
      [
        "probed baseline (a cluster default): not added, reported as for a label",
        { kind: "known", level: "baseline" },
        false,
        /namespace shop enforces Pod Security level baseline, which forbids SYS_PTRACE/,
      ],
      ["not probed yet: not added", undefined, false, /not known \(not probed yet\)/],
      [
        "probe failed: not added",
        { kind: "unknown", why: "the dry run answered 500: etcd down" },
        false,
        /not known \(the dry run answered 500: etcd down\)/,
      ],
    ];
    for (const [name, probed, added, why] of rows) {
      it(name, () => {
        const a = admitWith([cpu], probed ? { shop: probed } : {})(request());
        expect(a.result).to.equal("injected");
        const pod = applyPatch(structuredClone(javaPod), a.patch as JsonPatchOp[]) as {
          metadata: { annotations?: Record<string, string> };
          spec: { containers: { securityContext?: { capabilities?: { add?: string[] } } }[] };
        };
        const caps = pod.spec.containers[0]?.securityContext?.capabilities?.add ?? [];
        expect(caps.includes("SYS_PTRACE")).to.equal(added);
        const fallback = pod.metadata.annotations?.["fleetscope.io/profiler-event-fallback"];
        if (why) {
          expect(fallback).to.match(why);
          expect(a.warnings?.join("\n")).to.match(/SYS_PTRACE not added/);
        } else {
          expect(fallback).to.equal(undefined);
        }
      });
    }
  });
});
