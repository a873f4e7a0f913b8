import { expect } from "chai";
import {
  acknowledgePatch,
  haltedWorkload,
  type PolicyForRollout,
  pausePatch,
  rolloutStatusText,
} from "./rollout.ts";

const policy = (status?: PolicyForRollout["status"]): PolicyForRollout => ({
  metadata: { name: "shop" },
  spec: { rollout: { strategy: "Rolling", paused: false, maxConcurrent: 2 } },
  ...(status ? { status } : {}),
});

const halted = policy({
  rollout: {
    phase: "Halted",
    inFlight: 0,
    done: 3,
    total: 10,
    halted: {
      reason: "HealthTimeout",
      workload: "Deployment/shop/cart",
      message: "Deployment/shop/cart: HealthTimeout: not available 5m after the restart",
    },
  },
});

describe("fleetscope rollout", () => {
  it("status of a halted rollout names the workload and how to resume", () => {
    expect(rolloutStatusText(halted)).to.equal(
      [
        "policy:    shop",
        "strategy:  Rolling (maxConcurrent 2)",
        "phase:     Halted",
        "progress:  3/10 done, 0 in flight",
        "halted at: Deployment/shop/cart (HealthTimeout)",
        "           Deployment/shop/cart: HealthTimeout: not available 5m after the restart",
        "resume:    fleetscope rollout resume shop",
      ].join("\n"),
    );
  });

  it("status before the operator reported any", () => {
    expect(rolloutStatusText(policy())).to.include("phase:     not reported yet");
  });

  it("pause and resume patch only spec.rollout.paused", () => {
    expect(pausePatch(true)).to.deep.equal({ spec: { rollout: { paused: true } } });
  });

  it("resume acknowledges the halted workload's failure", () => {
    expect(haltedWorkload(halted)).to.deep.equal({
      kind: "Deployment",
      namespace: "shop",
      name: "cart",
    });
    expect(haltedWorkload(policy())).to.equal(undefined);
    expect(acknowledgePatch).to.deep.equal({
      metadata: { annotations: { "fleetscope.io/rollout-phase": "Acknowledged" } },
    });
  });
});
