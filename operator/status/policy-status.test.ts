// Policy status from observations: conditions, readiness counts, idempotent transitions.
import { expect } from "chai";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../../core/api/v1alpha1/types.ts";
import { conditionStatus } from "./conditions.ts";
import { type PolicyObservation, policyStatus, statusChanged } from "./policy-status.ts";

const policy = (spec: ProfilingPolicySpecInput = {}): ProfilingPolicy =>
  ({ metadata: { name: "p", generation: 2 }, spec: withDefaults(spec) }) as ProfilingPolicy;

const observe = (over: Partial<PolicyObservation> = {}): PolicyObservation => ({
  policy: policy(),
  endpoints: {
    writeURL: "http://p-pyroscope.pyroscope.svc:4040",
    readURL: "http://p-pyroscope.pyroscope.svc:4040",
  },
  workloads: [
    { component: "all", kind: "StatefulSet", name: "p-pyroscope", replicas: 1, readyReplicas: 1 },
  ],
  webhookReady: true,
  selectedNamespaces: ["shop", "billing"],
  conflicts: [],
  now: new Date("2026-01-01T00:00:00Z"),
  ...over,
});

describe("PyroscopeReady's message", () => {
  const message = (o: PolicyObservation) =>
    policyStatus(o).conditions?.find((c) => c.type === "PyroscopeReady");

  it("names each component's blocking cause", () => {
    const c = message(
      observe({
        workloads: [
          {
            component: "monolithic",
            kind: "StatefulSet",
            name: "p-pyroscope",
            replicas: 1,
            readyReplicas: 0,
            blocking: "pod p-pyroscope-0 cannot be scheduled: 0/3 nodes are available",
          },
        ],
      }),
    );
    expect(c?.reason).to.equal("ComponentBlocked");
    expect(c?.message).to.equal(
      "monolithic (StatefulSet p-pyroscope, 0/1 ready): pod p-pyroscope-0 cannot be scheduled: 0/3 nodes are available.",
    );
  });

  it("without a known cause, says what it waits for", () => {
    const c = message(
      observe({
        workloads: [
          { component: "all", kind: "StatefulSet", name: "x", replicas: 1, readyReplicas: 0 },
        ],
      }),
    );
    expect(c).to.include({ reason: "ComponentsNotReady", message: "Waiting for all." });
  });
});

describe("policyStatus", () => {
  const cases: { name: string; o: PolicyObservation; expect: Record<string, string> }[] = [
    {
      name: "everything ready",
      o: observe(),
      expect: {
        Ready: "True",
        PyroscopeReady: "True",
        WebhookReady: "True",
        Conflict: "False",
        Degraded: "False",
      },
    },
    {
      name: "a workload not ready yet",
      o: observe({
        workloads: [
          { component: "all", kind: "StatefulSet", name: "x", replicas: 1, readyReplicas: 0 },
        ],
      }),
      expect: { Ready: "False", PyroscopeReady: "False" },
    },
    {
      name: "a workload not created yet",
      o: observe({ workloads: [{ component: "all", kind: "StatefulSet", name: "x" }] }),
      expect: { Ready: "False", PyroscopeReady: "False" },
    },
    {
      name: "external Pyroscope is ready without workloads",
      o: observe({
        policy: policy({ pyroscope: { mode: "External", external: { url: "https://p.example" } } }),
        workloads: [],
      }),
      expect: { Ready: "True", PyroscopeReady: "True" },
    },
    {
      name: "webhook not configured",
      o: observe({ webhookReady: false }),
      expect: { Ready: "False", WebhookReady: "False" },
    },
    {
      name: "outranked in a namespace",
      o: observe({ conflicts: [{ namespace: "shop", winner: "urgent" }] }),
      expect: { Conflict: "True", Ready: "True" },
    },
    {
      name: "apply failed",
      o: observe({ applyError: "forbidden" }),
      expect: { Degraded: "True", Ready: "False" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = policyStatus(c.o);
      for (const [type, status] of Object.entries(c.expect)) {
        expect(conditionStatus(s.conditions, type as never), type).to.equal(status);
      }
      expect(s.observedGeneration).to.equal(2);
      expect(s.conditions?.every((x) => x.observedGeneration === 2)).to.equal(true);
    });
  }

  describe("PyroscopeReady names the shared claim", () => {
    const cause = "shared claim pyroscope/shared is Pending, not Bound";
    const pyroscopeReady = (o: PolicyObservation) =>
      policyStatus(o).conditions?.find((c) => c.type === "PyroscopeReady");
    const cases: [string, Partial<PolicyObservation>, Record<string, string>][] = [
      [
        "components waiting for it",
        {
          sharedClaimCause: cause,
          workloads: [
            {
              component: "distributor",
              kind: "Deployment",
              name: "d",
              replicas: 2,
              readyReplicas: 0,
            },
            {
              component: "metastore",
              kind: "StatefulSet",
              name: "m",
              replicas: 3,
              readyReplicas: 3,
            },
          ],
        },
        {
          status: "False",
          reason: "SharedClaimNotReady",
          message: `${cause}. Waiting for distributor.`,
        },
      ],
      // ReadWriteOnce works while every pod happens to share one node; it is still named.
      [
        "every component ready anyway",
        {
          sharedClaimCause: "shared claim pyroscope/shared is bound to a volume with ReadWriteOnce",
        },
        {
          status: "False",
          reason: "SharedClaimNotReady",
          message: "shared claim pyroscope/shared is bound to a volume with ReadWriteOnce.",
        },
      ],
      [
        "no cause",
        {},
        { status: "True", reason: "ComponentsReady", message: "1/1 components ready." },
      ],
    ];
    for (const [what, over, want] of cases) {
      it(`${what}: ${want.reason}`, () => {
        expect(pyroscopeReady(observe(over))).to.deep.include(want);
        const ready = policyStatus(observe(over)).conditions?.find((c) => c.type === "Ready");
        expect(ready?.status).to.equal(want.status);
      });
    }
  });

  it("reports ready components and sorted namespaces", () => {
    const s = policyStatus(observe());
    expect(s.pyroscope?.readyComponents).to.equal("1/1");
    expect(s.selectedNamespaces).to.deep.equal(["billing", "shop"]);
  });

  it("keeps lastTransitionTime while a condition holds, and a second pass changes nothing", () => {
    const first = policyStatus(observe());
    const p = { ...policy(), status: first };
    const later = policyStatus(observe({ policy: p, now: new Date("2026-01-02T00:00:00Z") }));
    expect(later.conditions?.[0]?.lastTransitionTime).to.equal(
      first.conditions?.[0]?.lastTransitionTime,
    );
    expect(statusChanged(first, later)).to.equal(false);
    const flipped = policyStatus(
      observe({ policy: p, webhookReady: false, now: new Date("2026-01-02T00:00:00Z") }),
    );
    expect(statusChanged(first, flipped)).to.equal(true);
    const webhook = flipped.conditions?.find((c) => c.type === "WebhookReady");
    expect(webhook?.lastTransitionTime).to.equal("2026-01-02T00:00:00Z");
  });
});
