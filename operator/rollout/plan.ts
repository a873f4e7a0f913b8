// Rollout planning as a pure function: given coverage, the records on the workloads and the
// time, which workloads to restart, finish, fail or roll back next, and where the rollout stands.
import { parseOperatorDuration } from "../../core/api/v1alpha1/common.ts";
import { compare } from "../coverage/compute.ts";
import {
  parseRecord,
  phasePatch,
  type RolloutRecord,
  restartPatch,
  rollbackPatch,
} from "./record.ts";
import type {
  RolloutAction,
  RolloutInput,
  RolloutPlan,
  RolloutWorkload,
  WorkloadRef,
} from "./types.ts";

export const workloadName = (w: WorkloadRef) => `${w.kind}/${w.namespace}/${w.name}`;

const byNamespaceThenName = (a: WorkloadRef, b: WorkloadRef) =>
  compare(a.namespace, b.namespace) || compare(a.name, b.name) || compare(a.kind, b.kind);

const needsAgent = (w: RolloutWorkload) => w.state === "pending" || w.state === "outdated";

/** At most this many workloads are named in a message. */
const LIST_LIMIT = 5;
const list = (ws: readonly WorkloadRef[]) =>
  ws.slice(0, LIST_LIMIT).map(workloadName).join(", ") +
  (ws.length > LIST_LIMIT ? ` and ${ws.length - LIST_LIMIT} more` : "");

export function planRollout(input: RolloutInput): RolloutPlan {
  const { policy } = input;
  const r = policy.spec.rollout;
  const waiting = [...input.workloads].filter(needsAgent).sort(byNamespaceThenName);
  if (r.strategy === "OnRestart" || policy.spec.dryRun) {
    const why = policy.spec.dryRun ? "DryRun" : "OnRestart";
    return {
      status: {
        phase: waiting.length ? "Pending" : "Complete",
        inFlight: 0,
        done: 0,
        total: waiting.length,
      },
      condition: waiting.length
        ? {
            type: "RolloutComplete",
            status: "False",
            reason: why,
            message: `${waiting.length} workloads get the agent when they next restart${policy.spec.dryRun ? " (dry run: nothing is restarted)" : ""}: ${list(waiting)}`,
          }
        : complete(),
      actions: [],
    };
  }
  return new RollingPlanner(input).plan();
}

function complete() {
  return {
    type: "RolloutComplete" as const,
    status: "True" as const,
    reason: "Complete",
    message: "Every selected workload runs the current agent configuration.",
  };
}

interface Tracked {
  w: RolloutWorkload;
  record: RolloutRecord;
}

/** A restart whose pods came up without the agent is retried once, marked by this reason. */
const RETRIED = "Retried";
/** Caches see new pods' stamps a moment after the rollout: wait this long before judging. */
const RETRY_AFTER_MS = 15_000;

class RollingPlanner {
  private readonly input: RolloutInput;
  private readonly policyName: string;
  /** The injection revision restarts are for: a change of the rollout alone restarts nothing. */
  private readonly revision: string;
  private readonly now: number;
  private readonly actions: RolloutAction[] = [];
  private readonly deadlines: number[] = [];

  constructor(input: RolloutInput) {
    this.input = input;
    this.policyName = input.policy.metadata.name ?? "";
    this.revision = input.policy.status?.revision ?? `g${input.policy.metadata.generation ?? 0}`;
    this.now = input.now.getTime();
  }

  plan(): RolloutPlan {
    const r = this.input.policy.spec.rollout;
    const inScope = this.input.workloads
      .filter((w) => (r.workloadKinds as readonly string[]).includes(w.kind))
      .sort(byNamespaceThenName);
    const tracked: Tracked[] = [];
    const untracked: RolloutWorkload[] = [];
    for (const w of inScope) {
      const record = parseRecord(w.facts?.annotations);
      if (record && record.policy === this.policyName && record.revision === this.revision)
        tracked.push({ w, record });
      else untracked.push(w);
    }
    // Every record of this revision, whatever its phase, keeps its workload from a second restart.
    const candidates = untracked.filter(needsAgent);
    const unrestartable = candidates.filter((w) => w.facts && !w.facts.restartable);
    const restartable = candidates.filter((w) => w.facts?.restartable);

    const inFlight = tracked.filter((t) => t.record.phase === "Restarting");
    const stillInFlight = inFlight.filter((t) => !this.checkHealth(t));
    const failed = tracked
      .filter((t) => t.record.phase === "Failed" || t.record.phase === "RolledBack")
      .sort((a, b) => a.record.time - b.record.time || byNamespaceThenName(a.w, b.w));
    const halted = failed[0];

    let started = 0;
    let canaryWait: string | undefined;
    if (!halted && !r.paused) {
      let slots = r.maxConcurrent - stillInFlight.length;
      if (r.canary) {
        const gate = this.canaryGate(
          tracked,
          r.canary.count,
          parseOperatorDuration(r.canary.pause),
        );
        if (gate.limit !== undefined) slots = Math.min(slots, gate.limit);
        canaryWait = gate.wait;
      }
      for (const w of restartable.filter((x) => x.facts?.ready).slice(0, Math.max(0, slots))) {
        this.restart(w, tracked.length + started + 1, tracked.length + candidates.length);
        started++;
      }
    }

    const done = tracked.filter((t) => t.record.phase === "Available").length;
    const total = tracked.length + candidates.length;
    const flying = stillInFlight.length + started;
    const remaining = restartable.length - started;
    const status = { inFlight: flying, done, total };
    const requeue = this.deadlines.length
      ? Math.max(0, Math.min(...this.deadlines) - this.now)
      : undefined;
    const withRequeue = (p: Omit<RolloutPlan, "actions">): RolloutPlan => ({
      ...p,
      actions: this.actions,
      ...(requeue === undefined ? {} : { requeueAfterMs: requeue }),
    });

    if (halted) {
      const what = workloadName(halted.w);
      const reason = (halted.record.reason ?? "Failed").split(":")[0]!;
      const message = `${what}: ${halted.record.reason ?? "failed"}${halted.record.phase === "RolledBack" ? " (rolled back: excluded from injection and restarted)" : ""}`;
      return withRequeue({
        status: { phase: "Halted", ...status, halted: { reason, workload: what, message } },
        condition: {
          type: "RolloutComplete",
          status: "False",
          reason: "Halted",
          message: `Rollout halted at ${message}. Fix the cause, then run: fleetscope rollout resume ${this.policyName}`,
        },
      });
    }
    const unknown = candidates.filter((w) => !w.facts);
    const notRestartable = unrestartable.length
      ? `${unrestartable.length} not restartable (updateStrategy OnDelete): ${list(unrestartable)}`
      : "";
    if (flying === 0 && remaining === 0 && unknown.length === 0) {
      return withRequeue({
        status: { phase: "Complete", ...status },
        condition: notRestartable
          ? {
              type: "RolloutComplete",
              status: "False",
              reason: "NotRestartable",
              message: `${done}/${total} restarted; ${notRestartable}; restart them by hand`,
            }
          : complete(),
      });
    }
    const blocked = stillInFlight.find((t) => t.w.facts?.blocking);
    const progress = [
      `${done}/${total} restarted, ${flying} in flight`,
      blocked ? `${workloadName(blocked.w)} not available yet: ${blocked.w.facts!.blocking}` : "",
      canaryWait ?? "",
      notRestartable,
      unknown.length ? `not in the cache yet: ${list(unknown)}` : "",
      restartable.some((w) => !w.facts?.ready)
        ? "waiting for workloads to be available before restarting them"
        : "",
    ]
      .filter(Boolean)
      .join("; ");
    if (r.paused) {
      return withRequeue({
        status: { phase: "Paused", ...status },
        condition: {
          type: "RolloutComplete",
          status: "False",
          reason: "Paused",
          message: `Paused: ${progress}`,
        },
      });
    }
    return withRequeue({
      status: { phase: "Progressing", ...status },
      condition: {
        type: "RolloutComplete",
        status: "False",
        reason: "Progressing",
        message: progress,
      },
    });
  }

  /** Settles one restart in flight; true when it is no longer in flight. */
  private checkHealth(t: Tracked): boolean {
    const { w, record } = t;
    const facts = w.facts!;
    // Available is not enough: its new pods must carry the agent. Until the pod cache has seen
    // them stamped, keep waiting; past the health timeout, a rolled-out workload without the
    // agent halts the rollout (the webhook did not reach its pods).
    const carriesAgent = w.state !== "pending" && w.state !== "outdated";
    if (
      facts.ready &&
      !carriesAgent &&
      !record.reason?.startsWith(RETRIED) &&
      this.now - record.time >= RETRY_AFTER_MS
    ) {
      // Rolled out without the agent: its pods were admitted while no webhook answered (an
      // operator failover in the middle of the restart). One more restart, then the gate as usual.
      t.record = {
        ...record,
        time: this.now,
        reason: `${RETRIED}: pods admitted without the agent`,
      };
      this.act(
        "Restart",
        w,
        restartPatch(this.policyName, this.revision, this.input.now, t.record.reason),
        [
          {
            on: "workload",
            type: "Normal",
            reason: "ProfilingRestartRetried",
            message: "Restarted once more: its pods came up without the agent",
          },
        ],
      );
      return false;
    }
    if (facts.ready && carriesAgent) {
      t.record = { ...record, phase: "Available", time: this.now };
      this.act(
        "MarkAvailable",
        w,
        phasePatch(this.policyName, this.revision, "Available", this.input.now),
        [
          {
            on: "workload",
            type: "Normal",
            reason: "ProfilingRestartComplete",
            message: `Available again with the Pyroscope agent of policy ${this.policyName}`,
          },
          {
            on: "policy",
            type: "Normal",
            reason: "WorkloadAvailable",
            message: `${workloadName(w)} is available with the agent`,
          },
        ],
      );
      return true;
    }
    const timeout = parseOperatorDuration(this.input.policy.spec.rollout.healthTimeout);
    let why: string | undefined;
    if (facts.crashLooping)
      why = `CrashLoop: ${facts.blocking ?? "its new pods are crash-looping"}`;
    else if (!(this.now - record.time < timeout))
      why = facts.ready
        ? `NotInjected: rolled out, but its pods do not carry the agent ${this.input.policy.spec.rollout.healthTimeout} after the restart (is the webhook reachable?)`
        : `HealthTimeout: not available ${this.input.policy.spec.rollout.healthTimeout} after the restart (${[facts.readiness ?? "not ready", facts.blocking].filter(Boolean).join("; ")})`;
    if (!why) {
      this.deadlines.push(record.time + timeout);
      return false;
    }
    const rollback = this.input.policy.spec.rollout.rollbackOnFailure;
    t.record = {
      ...record,
      phase: rollback ? "RolledBack" : "Failed",
      time: this.now,
      reason: why,
    };
    const events = [
      {
        on: "policy" as const,
        type: "Warning" as const,
        reason: "RolloutHalted",
        message: `${workloadName(w)}: ${why}`,
      },
      rollback
        ? {
            on: "workload" as const,
            type: "Warning" as const,
            reason: "ProfilingRolledBack",
            message: `${why}; labelled fleetscope.io/inject=false and restarted without the agent`,
          }
        : {
            on: "workload" as const,
            type: "Warning" as const,
            reason: "ProfilingRestartFailed",
            message: why,
          },
    ];
    if (rollback)
      this.act(
        "Rollback",
        w,
        rollbackPatch(this.policyName, this.revision, this.input.now, why),
        events,
      );
    else
      this.act(
        "Fail",
        w,
        phasePatch(this.policyName, this.revision, "Failed", this.input.now, why),
        events,
      );
    return true;
  }

  /**
   * The canaries are the first `count` workloads restarted for this revision. Until there are
   * that many, only canaries start; then nothing starts until all are available and have stayed
   * so for the pause, which is measured from the records, so it survives operator restarts.
   */
  private canaryGate(
    tracked: readonly Tracked[],
    count: number,
    pauseMs: number,
  ): { limit?: number; wait?: string } {
    const byStart = [...tracked].sort(
      (a, b) => a.record.time - b.record.time || byNamespaceThenName(a.w, b.w),
    );
    if (byStart.length < count)
      return {
        limit: count - byStart.length,
        wait: `canary wave: ${byStart.length}/${count} started`,
      };
    const canaries = byStart.slice(0, count);
    const pending = canaries.filter((c) => c.record.phase === "Restarting");
    if (pending.length)
      return { limit: 0, wait: `waiting for canaries: ${list(pending.map((c) => c.w))}` };
    const end = Math.max(...canaries.map((c) => c.record.time)) + pauseMs;
    if (this.now < end) {
      this.deadlines.push(end);
      return {
        limit: 0,
        wait: `canaries healthy; the rest follows at ${new Date(end).toISOString()}`,
      };
    }
    return {};
  }

  private restart(w: RolloutWorkload, n: number, total: number): void {
    this.deadlines.push(
      this.now + parseOperatorDuration(this.input.policy.spec.rollout.healthTimeout),
    );
    this.act("Restart", w, restartPatch(this.policyName, this.revision, this.input.now), [
      {
        on: "workload",
        type: "Normal",
        reason: "ProfilingRestart",
        message: `Restarted by ProfilingPolicy ${this.policyName} (revision ${this.revision}) to add the Pyroscope agent`,
      },
      {
        on: "policy",
        type: "Normal",
        reason: "WorkloadRestarted",
        message: `Restarted ${workloadName(w)} (${n}/${total})`,
      },
    ]);
  }

  private act(
    type: RolloutAction["type"],
    w: WorkloadRef,
    patch: RolloutAction["patch"],
    events: RolloutAction["events"],
  ): void {
    this.actions.push({
      type,
      workload: { kind: w.kind, namespace: w.namespace, name: w.name },
      patch,
      events,
    });
  }
}
