import { expect } from "chai";
import { computeCoverage } from "../operator/coverage/compute.ts";
import { loadFixture } from "../operator/coverage/testing.ts";
import { statusTable } from "./status.ts";

const fx = loadFixture("mixed-namespace.yaml");
const shop = fx.policies.find((p) => p.metadata.name === "shop")!;
const coverage = computeCoverage(shop, { ...fx, operatorNamespace: "fleetscope" }).status;

describe("fleetscope status", () => {
  it("one row per policy: coverage, strategy, rollout phase and progress, halts", () => {
    expect(
      statusTable([
        {
          metadata: { name: "shop" },
          spec: { rollout: { strategy: "Rolling", maxConcurrent: 5, paused: true } },
          status: { coverage, rollout: { phase: "Paused", inFlight: 2, done: 1, total: 4 } },
        },
        {
          metadata: { name: "billing" },
          spec: { rollout: { strategy: "Rolling", maxConcurrent: 1 } },
          status: {
            coverage,
            rollout: {
              phase: "Halted",
              inFlight: 0,
              done: 3,
              total: 4,
              halted: { workload: "Deployment/billing/ledger", reason: "HealthTimeout" },
            },
          },
        },
        { metadata: { name: "payments" }, spec: { rollout: { strategy: "OnRestart" } } },
      ]),
    ).to.equal(
      [
        "POLICY     WORKLOADS   PODS   COVERAGE           STRATEGY             ROLLOUT   PROGRESS                NOTE",
        "billing    3/10        5/12   5/12 (41%)         Rolling/1            Halted    3/4 done, 0 in flight   halted at Deployment/billing/ledger (HealthTimeout)",
        "payments   -           -      not computed yet   OnRestart            -         -",
        "shop       3/10        5/12   5/12 (41%)         Rolling/5 (paused)   Paused    1/4 done, 2 in flight",
      ].join("\n"),
    );
  });

  it("says so when there are no policies", () => {
    expect(statusTable([])).to.equal("No ProfilingPolicies found.");
  });
});
