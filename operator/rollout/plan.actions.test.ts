// What each action of a plan writes on its workload (one merge patch, record included) and which
// Events follow it.
import { expect } from "chai";
import { planRollout } from "./plan.ts";
import { BLOCKING, NOW, rolling, workload } from "./testing.ts";
import type { RolloutAction, RolloutInput } from "./types.ts";

/** One step's only action, and what it must carry. */
interface Write {
  name: string;
  policy: RolloutInput["policy"];
  workloads: RolloutInput["workloads"];
  type: RolloutAction["type"];
  patch?: RolloutAction["patch"];
  annotations?: Record<string, string | null>;
  /** Each Event as `on type reason`. */
  events?: string[];
  /** Messages among its Events. */
  tells?: string[];
}

const writes: Write[] = [
  {
    name: "a restart: the record and the template annotation in one patch, then its Events",
    policy: rolling(),
    workloads: [workload("a")],
    type: "Restart",
    patch: {
      metadata: {
        annotations: {
          "fleetscope.io/rollout": "shop/r5",
          "fleetscope.io/rollout-phase": "Restarting",
          "fleetscope.io/rollout-time": NOW.toISOString(),
          "fleetscope.io/rollout-reason": null,
        },
      },
      spec: {
        template: {
          metadata: { annotations: { "fleetscope.io/restartedAt": NOW.toISOString() } },
        },
      },
    },
    events: ["workload Normal ProfilingRestart", "policy Normal WorkloadRestarted"],
  },
  {
    name: "a retry: a restart whose record says it was retried",
    policy: rolling(),
    workloads: [workload("a", { record: "Restarting@1", state: "pending" })],
    type: "Restart",
    annotations: {
      "fleetscope.io/rollout-phase": "Restarting",
      "fleetscope.io/rollout-reason": "Retried: pods admitted without the agent",
    },
    events: ["workload Normal ProfilingRestartRetried"],
  },
  {
    name: "a finished restart: the record moves to Available",
    policy: rolling(),
    workloads: [workload("a", { record: "Restarting@2", state: "injected" })],
    type: "MarkAvailable",
    annotations: { "fleetscope.io/rollout-phase": "Available" },
    events: ["workload Normal ProfilingRestartComplete", "policy Normal WorkloadAvailable"],
  },
  {
    name: "a rollback: the template is labelled out of injection and restarted",
    policy: rolling(),
    workloads: [workload("slow", { record: "Restarting@6", facts: { ready: false } })],
    type: "Rollback",
    annotations: { "fleetscope.io/rollout-phase": "RolledBack" },
    events: ["policy Warning RolloutHalted", "workload Warning ProfilingRolledBack"],
  },
  {
    name: "a failure without rollback: only the record, with Warnings about both",
    policy: rolling({ rollbackOnFailure: false }),
    workloads: [
      workload("crashy", { record: "Restarting@1", facts: { ready: false, crashLooping: true } }),
    ],
    type: "Fail",
    annotations: {
      "fleetscope.io/rollout-phase": "Failed",
      "fleetscope.io/rollout-reason": "CrashLoop: its new pods are crash-looping",
    },
    events: ["policy Warning RolloutHalted", "workload Warning ProfilingRestartFailed"],
  },
  {
    name: "a halt on crash-loop names what blocks it in the policy's Event",
    policy: rolling(),
    workloads: [
      workload("slow", {
        record: "Restarting@1",
        facts: { ready: false, crashLooping: true, blocking: BLOCKING },
      }),
    ],
    type: "Rollback",
    tells: [`Deployment/shop/slow: CrashLoop: ${BLOCKING}`],
  },
];

describe("planRollout: what each action writes and records", () => {
  for (const w of writes) {
    it(w.name, () => {
      const p = planRollout({ policy: w.policy, workloads: w.workloads, now: NOW });
      expect(p.actions).to.have.length(1);
      const a = p.actions[0]!;
      expect(a.type).to.equal(w.type);
      if (w.patch) expect(a.patch).to.deep.equal(w.patch);
      if (w.annotations) expect(a.patch.metadata?.annotations).to.include(w.annotations);
      if (w.type === "Fail") expect(a.patch.spec).to.equal(undefined);
      if (w.type === "Rollback")
        expect(a.patch.spec?.template?.metadata?.labels).to.deep.equal({
          "fleetscope.io/inject": "false",
        });
      if (w.events)
        expect(a.events.map((e) => `${e.on} ${e.type} ${e.reason}`)).to.deep.equal(w.events);
      for (const message of w.tells ?? [])
        expect(a.events.map((e) => e.message)).to.include(message);
    });
  }
});
