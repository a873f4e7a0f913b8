import { expect } from "chai";
import { computeCoverage } from "../operator/coverage/compute.ts";
import { loadFixture } from "../operator/coverage/testing.ts";
import { coverageDetail, coverageTable } from "./coverage.ts";

const fx = loadFixture("mixed-namespace.yaml");
const shop = fx.policies.find((p) => p.metadata.name === "shop")!;
const coverage = computeCoverage(shop, { ...fx, operatorNamespace: "fleetscope" }).status;

describe("fleetscope coverage", () => {
  it("prints one row per policy, sorted, including those not computed yet", () => {
    expect(
      coverageTable([
        {
          metadata: { name: "shop" },
          status: { coverage, rollout: { phase: "Pending", inFlight: 0, done: 0, total: 4 } },
        },
        { metadata: { name: "payments" } },
      ]),
    ).to.equal(
      [
        "POLICY     NAMESPACES   WORKLOADS   PODS   OUTDATED   SKIPPED   COVERAGE           ROLLOUT",
        "payments   -            -           -      -          -         not computed yet   -",
        "shop       1            3/10        5/12   2          5         5/12 (41%)         Pending",
      ].join("\n"),
    );
  });

  it("explains each reason for one policy, most pods first", () => {
    const out = coverageDetail({ metadata: { name: "shop" }, status: { coverage } });
    expect(out.split("\n").slice(3)).to.deep.equal([
      "REASON                   PODS   MEANING",
      "Outdated                 2      injected with an older generation, version or policy; a restart updates them",
      "JavaOptionsUnmergeable   1      JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS are set with valueFrom or envFrom and cannot be merged",
      "NoTargetContainer        1      no container was recognised as Java (or named by the policy)",
      "NotSeenByWebhook         1      created after the policy but never seen by the webhook (the namespace was selected later, or the webhook was unavailable)",
      "OptedOut                 1      labelled fleetscope.io/inject=false",
      "PredatesPolicy           1      created before the policy existed; gets the agent when it restarts",
    ]);
  });

  it("says so when there are no policies", () => {
    expect(coverageTable([])).to.equal("No ProfilingPolicies found.");
  });
});
