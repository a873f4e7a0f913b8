import { expect } from "chai";
import { Registry } from "prom-client";
import type { CoverageStatus } from "../../core/api/v1alpha1/types.ts";
import { coverageMetrics } from "./metrics.ts";

const status = (reasons: Record<string, number>): CoverageStatus => ({
  namespaces: 2,
  workloads: { eligible: 3, injected: 1, outdated: 1, skipped: 1 },
  pods: { eligible: 6, injected: 3, outdated: 1, skipped: 2 },
  skippedReasons: reasons,
});

describe("coverageMetrics", () => {
  it("drops the series of a reason that went away, and all of a forgotten policy", async () => {
    const registry = new Registry();
    const m = coverageMetrics(registry);
    m.update("shop", status({ OptedOut: 1, PredatesPolicy: 1 }));
    m.update("shop", status({ OptedOut: 2 }));
    let text = await registry.metrics();
    expect(text).to.include('fleetscope_coverage_skipped_pods{policy="shop",reason="OptedOut"} 2');
    expect(text).not.to.include("PredatesPolicy");
    expect(text).to.include('fleetscope_coverage_pods{policy="shop",state="injected"} 3');
    m.forget("shop");
    text = await registry.metrics();
    expect(text).not.to.include('policy="shop"');
  });
});
