import { expect } from "chai";
import { computeCoverage, summary } from "./compute.ts";
import { loadFixture } from "./testing.ts";

const fx = loadFixture("mixed-namespace.yaml");
const shop = fx.policies.find((p) => p.metadata.name === "shop")!;
const result = computeCoverage(shop, { ...fx, operatorNamespace: "fleetscope" });

describe("computeCoverage of a mixed namespace", () => {
  const rows: [pod: string, state: string | undefined, reason?: string][] = [
    ["checkout-6d4f9-a", "injected"],
    ["checkout-6d4f9-b", "injected"],
    ["checkout-6d4f9-c", undefined], // being deleted
    ["cart-7c8b-a", "outdated", "OlderGeneration"],
    ["search-5b5b-a", "outdated", "OlderAgentVersion"],
    ["legacy-84c-a", "pending", "PredatesPolicy"],
    ["late-9f-a", "pending", "NotSeenByWebhook"],
    ["ledger-0", "skipped", "OptedOut"],
    ["log-shipper-x2x9z", "skipped", "NoTargetContainer"],
    ["pricing-66d-a", "skipped", "JavaOptionsUnmergeable"],
    ["vault-client-1a-a", "injected"], // Pod Security only changed the profiler event
    ["debug", "injected"],
    ["report-28512345-q7x", "injected"],
    ["payments-api-3f-a", undefined], // the payments policy outranks shop
    ["elsewhere", undefined], // namespace not selected
    ["coredns-1-a", undefined], // system namespace
  ];
  for (const [name, state, reason] of rows) {
    it(`${name}: ${state ?? "not counted"}${reason ? ` (${reason})` : ""}`, () => {
      const pod = result.pods.find((p) => p.name === name);
      expect(pod?.state).to.equal(state);
      expect(pod?.reason).to.equal(reason);
    });
  }

  it("counts pods so that eligible = injected + outdated + skipped", () => {
    expect(result.status.pods).to.deep.equal({
      eligible: 12,
      injected: 5,
      outdated: 2,
      skipped: 5,
    });
    expect(result.status.summary).to.equal("5/12 (41%)");
    expect(result.status.namespaces).to.equal(1);
  });

  it("names every pod without the agent in skippedReasons, sorted", () => {
    expect(result.status.skippedReasons).to.deep.equal({
      JavaOptionsUnmergeable: 1,
      NoTargetContainer: 1,
      NotSeenByWebhook: 1,
      OptedOut: 1,
      PredatesPolicy: 1,
    });
  });

  it("groups pods into workloads, leaving out the CronJob's", () => {
    expect(result.workloads.map((w) => `${w.kind}/${w.name}=${w.state}`)).to.deep.equal([
      "Deployment/cart=outdated",
      "Deployment/checkout=injected",
      "Pod/debug=injected",
      "Deployment/late=pending",
      "StatefulSet/ledger=skipped",
      "Deployment/legacy=pending",
      "DaemonSet/log-shipper=skipped",
      "Deployment/pricing=skipped",
      "Deployment/search=outdated",
      "Deployment/vault-client=injected",
    ]);
    expect(result.status.workloads).to.deep.equal({
      eligible: 10,
      injected: 3,
      outdated: 2,
      skipped: 5,
    });
    expect(result.workloads.find((w) => w.name === "checkout")?.pods).to.deep.equal({
      total: 2,
      injected: 2,
      outdated: 0,
      pending: 0,
      skipped: 0,
    });
  });

  it("gives a workload the worst state of its pods", () => {
    const mixed = computeCoverage(shop, {
      ...fx,
      operatorNamespace: "fleetscope",
      pods: fx.pods
        .filter((p) => p.name.startsWith("checkout") || p.name === "legacy-84c-a")
        .map((p) =>
          p.name === "legacy-84c-a"
            ? {
                ...p,
                ownerReferences: [
                  {
                    apiVersion: "apps/v1",
                    kind: "ReplicaSet",
                    name: "checkout-6d4f9",
                    uid: "u",
                    controller: true,
                  },
                ],
                labels: { "pod-template-hash": "6d4f9" },
              }
            : p,
        ),
    });
    expect(mixed.workloads).to.have.length(1);
    expect(mixed.workloads[0]).to.include({
      name: "checkout",
      state: "pending",
      reason: "PredatesPolicy",
    });
  });

  it("counts finished pods nowhere when a full pod tells their phase", () => {
    const done = computeCoverage(shop, {
      ...fx,
      operatorNamespace: "fleetscope",
      pods: fx.pods.map((p) =>
        p.name === "report-28512345-q7x" ? { ...p, phase: "Succeeded" } : p,
      ),
    });
    expect(done.status.pods.eligible).to.equal(11);
  });

  it("reports nothing for a policy that selects no namespace", () => {
    const none = computeCoverage(shop, { ...fx, operatorNamespace: "fleetscope", namespaces: [] });
    expect(none.status).to.deep.equal({
      summary: "0/0",
      namespaces: 0,
      workloads: { eligible: 0, injected: 0, outdated: 0, skipped: 0 },
      pods: { eligible: 0, injected: 0, outdated: 0, skipped: 0 },
    });
  });
});

describe("summary", () => {
  for (const [injected, eligible, text] of [
    [0, 0, "0/0"],
    [45, 50, "45/50 (90%)"],
    [199, 200, "199/200 (99%)"],
    [3, 3, "3/3 (100%)"],
  ] as const) {
    it(text, () => expect(summary(injected, eligible)).to.equal(text));
  }
});
