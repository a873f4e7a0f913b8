// Rollout planning as a pure function: given coverage, the records on the workloads and the
// time, which workloads to restart, finish, fail or roll back next, and where the rollout stands.
// The decisions come from the state machine (rolling.ts), the words from wording.ts.
import { needsAgent } from "./health.ts";
import { phasePatch, restartPatch, rollbackPatch } from "./record.ts";
import { restartRevision, stepRolling, type Transition } from "./rolling.ts";
import type { RolloutAction, RolloutInput, RolloutPlan } from "./types.ts";
import {
  haltedStatus,
  haltReason,
  onRestartCondition,
  RETRY_REASON,
  rollingCondition,
  transitionEvents,
} from "./wording.ts";
import { byNamespaceThenName } from "./workload-ref.ts";

export function planRollout(input: RolloutInput): RolloutPlan {
  const { policy } = input;
  if (policy.spec.rollout.strategy === "OnRestart" || policy.spec.dryRun) {
    const waiting = [...input.workloads].filter(needsAgent).sort(byNamespaceThenName);
    return {
      status: {
        phase: waiting.length ? "Pending" : "Complete",
        inFlight: 0,
        done: 0,
        total: waiting.length,
      },
      condition: onRestartCondition(policy.spec.dryRun ? "DryRun" : "OnRestart", waiting),
      actions: [],
    };
  }
  const step = stepRolling(input);
  const words = { name: policy.metadata.name ?? "", revision: restartRevision(policy) };
  const { verdict } = step;
  return {
    status: {
      phase: verdict.phase,
      ...step.counts,
      ...(verdict.phase === "Halted" ? { halted: haltedStatus(verdict.halt) } : {}),
    },
    condition: rollingCondition(step, words.name),
    actions: step.transitions.map((t) => {
      const { type, patch } = write(t, words, input.now);
      return { type, workload: t.workload, patch, events: transitionEvents(t, words) };
    }),
    ...(step.requeueAfterMs === undefined ? {} : { requeueAfterMs: step.requeueAfterMs }),
  };
}

/** The one PATCH of a transition: the record, with the restart or the rollback it makes. */
function write(
  t: Transition,
  { name: policy, revision }: { name: string; revision: string },
  now: Date,
): Pick<RolloutAction, "type" | "patch"> {
  switch (t.type) {
    case "Restart":
      return { type: "Restart", patch: restartPatch(policy, revision, now) };
    case "Retry":
      return { type: "Restart", patch: restartPatch(policy, revision, now, RETRY_REASON) };
    case "MarkAvailable":
      return { type: "MarkAvailable", patch: phasePatch(policy, revision, "Available", now) };
    case "Halt": {
      const why = haltReason(t.cause);
      return t.rollback
        ? { type: "Rollback", patch: rollbackPatch(policy, revision, now, why) }
        : { type: "Fail", patch: phasePatch(policy, revision, "Failed", now, why) };
    }
  }
}
