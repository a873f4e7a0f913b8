// The rollout's words: its Events, the RolloutComplete condition, the halt in its status and the
// reasons kept in workload records, from the reason codes and facts of the state machine.
import type { RolloutStatus } from "../../core/api/v1alpha1/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import type { CanaryWait } from "./canary.ts";
import { type HaltCause, RETRIED } from "./health.ts";
import type { Halt, Progress, RollingStep, Transition } from "./rolling.ts";
import type { PlannedEvent, WorkloadRef } from "./types.ts";

const workloadName = (w: WorkloadRef) => `${w.kind}/${w.namespace}/${w.name}`;

/** At most this many workloads are named in a message. */
const LIST_LIMIT = 5;
const list = (ws: readonly WorkloadRef[]) =>
  ws.slice(0, LIST_LIMIT).map(workloadName).join(", ") +
  (ws.length > LIST_LIMIT ? ` and ${ws.length - LIST_LIMIT} more` : "");

/** The reason a restart retried once keeps in its record: the health gate reads RETRIED back. */
export const RETRY_REASON = `${RETRIED}: pods admitted without the agent`;

/** The reason a halted restart keeps in its record, led by its code. */
export function haltReason(cause: HaltCause): string {
  switch (cause.code) {
    case "CrashLoop":
      return `CrashLoop: ${cause.blocking ?? "its new pods are crash-looping"}`;
    case "NotInjected":
      return `NotInjected: rolled out, but its pods do not carry the agent ${cause.healthTimeout} after the restart (is the webhook reachable?)`;
    case "HealthTimeout": {
      const why = [cause.readiness ?? "not ready", cause.blocking].filter(Boolean).join("; ");
      return `HealthTimeout: not available ${cause.healthTimeout} after the restart (${why})`;
    }
  }
}

/** The Events of one transition, about the workload or the policy, in the order recorded. */
export function transitionEvents(
  t: Transition,
  policy: { name: string; revision: string },
): PlannedEvent[] {
  const what = workloadName(t.workload);
  switch (t.type) {
    case "Restart":
      return [
        {
          on: "workload",
          type: "Normal",
          reason: "ProfilingRestart",
          message: `Restarted by ProfilingPolicy ${policy.name} (revision ${policy.revision}) to add the Pyroscope agent`,
        },
        {
          on: "policy",
          type: "Normal",
          reason: "WorkloadRestarted",
          message: `Restarted ${what} (${t.n}/${t.total})`,
        },
      ];
    case "Retry":
      return [
        {
          on: "workload",
          type: "Normal",
          reason: "ProfilingRestartRetried",
          message: "Restarted once more: its pods came up without the agent",
        },
      ];
    case "MarkAvailable":
      return [
        {
          on: "workload",
          type: "Normal",
          reason: "ProfilingRestartComplete",
          message: `Available again with the Pyroscope agent of policy ${policy.name}`,
        },
        {
          on: "policy",
          type: "Normal",
          reason: "WorkloadAvailable",
          message: `${what} is available with the agent`,
        },
      ];
    case "Halt": {
      const why = haltReason(t.cause);
      return [
        { on: "policy", type: "Warning", reason: "RolloutHalted", message: `${what}: ${why}` },
        t.rollback
          ? {
              on: "workload",
              type: "Warning",
              reason: "ProfilingRolledBack",
              message: `${why}; labelled fleetscope.io/inject=false and restarted without the agent`,
            }
          : { on: "workload", type: "Warning", reason: "ProfilingRestartFailed", message: why },
      ];
    }
  }
}

/** status.rollout.halted: the reason's code, the workload, and what happened to it. */
export function haltedStatus(h: Halt): NonNullable<RolloutStatus["halted"]> {
  const what = workloadName(h.workload);
  const reason = h.cause ? haltReason(h.cause) : h.recorded;
  return {
    reason: (reason ?? "Failed").split(":")[0]!,
    workload: what,
    message: `${what}: ${reason ?? "failed"}${h.rolledBack ? " (rolled back: excluded from injection and restarted)" : ""}`,
  };
}

const completeCondition = (): ConditionInput => ({
  type: "RolloutComplete",
  status: "True",
  reason: "Complete",
  message: "Every selected workload runs the current agent configuration.",
});

/** The condition while workloads wait for their next restart: OnRestart, or any dry run. */
export function onRestartCondition(
  why: "OnRestart" | "DryRun",
  waiting: readonly WorkloadRef[],
): ConditionInput {
  if (!waiting.length) return completeCondition();
  const dryRun = why === "DryRun" ? " (dry run: nothing is restarted)" : "";
  return {
    type: "RolloutComplete",
    status: "False",
    reason: why,
    message: `${waiting.length} workloads get the agent when they next restart${dryRun}: ${list(waiting)}`,
  };
}

/** The condition of a Rolling rollout, from where its step left it. */
export function rollingCondition(
  step: Pick<RollingStep, "counts" | "verdict">,
  policyName: string,
): ConditionInput {
  const { verdict, counts } = step;
  const not = (reason: string, message: string): ConditionInput => ({
    type: "RolloutComplete",
    status: "False",
    reason,
    message,
  });
  switch (verdict.phase) {
    case "Halted":
      return not(
        "Halted",
        `Rollout halted at ${haltedStatus(verdict.halt).message}. Fix the cause, then run: fleetscope rollout resume ${policyName}`,
      );
    case "Complete":
      return verdict.notRestartable.length
        ? not(
            "NotRestartable",
            `${counts.done}/${counts.total} restarted; ${notRestartable(verdict.notRestartable)}; restart them by hand`,
          )
        : completeCondition();
    case "Paused":
      return not("Paused", `Paused: ${progressMessage(counts, verdict.progress)}`);
    case "Progressing":
      return not("Progressing", progressMessage(counts, verdict.progress));
  }
}

const notRestartable = (ws: readonly WorkloadRef[]) =>
  ws.length ? `${ws.length} not restartable (updateStrategy OnDelete): ${list(ws)}` : "";

function progressMessage(counts: RollingStep["counts"], p: Progress): string {
  return [
    `${counts.done}/${counts.total} restarted, ${counts.inFlight} in flight`,
    p.blocked ? `${workloadName(p.blocked.workload)} not available yet: ${p.blocked.blocking}` : "",
    p.canary ? canaryMessage(p.canary) : "",
    notRestartable(p.notRestartable),
    p.unknown.length ? `not in the cache yet: ${list(p.unknown)}` : "",
    p.waitingForAvailable ? "waiting for workloads to be available before restarting them" : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export function canaryMessage(wait: CanaryWait): string {
  switch (wait.gate) {
    case "Wave":
      return `canary wave: ${wait.started}/${wait.count} started`;
    case "Canaries":
      return `waiting for canaries: ${list(wait.restarting)}`;
    case "Pause":
      return `canaries healthy; the rest follows at ${new Date(wait.until).toISOString()}`;
  }
}
