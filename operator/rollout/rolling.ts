// One step of a Rolling rollout, as a pure state machine: the restarts in flight are settled
// (health.ts), the next workloads restart within maxConcurrent and the canary gate (canary.ts),
// and the rollout's phase follows, all as reason codes and facts; plan.ts turns them into
// patches and words (wording.ts).
import { parseOperatorDuration } from "../../core/api/v1alpha1/common.ts";
import { type CanaryWait, canaryGate } from "./canary.ts";
import { type HaltCause, needsAgent, type Restarted, type Settlement, settle } from "./health.ts";
import { parseRecord } from "./record.ts";
import type { RolloutInput, RolloutPolicy, RolloutWorkload, WorkloadRef } from "./types.ts";
import { byNamespaceThenName, byStart, ref } from "./workload-ref.ts";

/** The injection revision restarts are for: a change of the rollout alone restarts nothing. */
export const restartRevision = (policy: RolloutPolicy) =>
  policy.status?.revision ?? `g${policy.metadata.generation ?? 0}`;

/** What happens to one workload in this step, in the order the writes are made. */
export type Transition =
  /** The n-th of total restarts of this revision. */
  | { type: "Restart"; workload: WorkloadRef; n: number; total: number }
  | { type: "Retry"; workload: WorkloadRef }
  | { type: "MarkAvailable"; workload: WorkloadRef }
  | { type: "Halt"; workload: WorkloadRef; cause: HaltCause; rollback: boolean };

/** The restart that halts the rollout: the earliest failure of this revision. */
export interface Halt {
  workload: WorkloadRef;
  rolledBack: boolean;
  /** Decided in this step; otherwise the reason is the one in the record. */
  cause?: HaltCause;
  recorded?: string;
}

export interface Progress {
  /** A restart in flight whose pods are stuck, and on what. */
  blocked?: { workload: WorkloadRef; blocking: string };
  canary?: CanaryWait;
  /** Workloads an OnDelete update strategy keeps from restarting. */
  notRestartable: WorkloadRef[];
  /** Workloads not in the cache yet. */
  unknown: WorkloadRef[];
  /** Some restartable workloads wait to become available (their own rollout) first. */
  waitingForAvailable: boolean;
}

export type Verdict =
  | { phase: "Halted"; halt: Halt }
  | { phase: "Complete"; notRestartable: WorkloadRef[] }
  | { phase: "Paused" | "Progressing"; progress: Progress };

export interface RollingStep {
  transitions: Transition[];
  counts: { inFlight: number; done: number; total: number };
  verdict: Verdict;
  /** Until the nearest health deadline or the canary pause's end, though nothing changes. */
  requeueAfterMs?: number;
}

interface Tracked extends Restarted {
  /** Why this step halted it. */
  cause?: HaltCause;
}

export function stepRolling(input: RolloutInput): RollingStep {
  const r = input.policy.spec.rollout;
  const now = input.now.getTime();
  const { tracked, candidates } = sortOut(input);
  const unrestartable = candidates.filter((w) => w.facts && !w.facts.restartable);
  const restartable = candidates.filter((w) => w.facts?.restartable);
  const transitions: Transition[] = [];
  const deadlines: number[] = [];

  // Settling moves a record on in this step already: the canary gate and the halt read it so.
  const stillInFlight: Tracked[] = [];
  for (const t of tracked.filter((t) => t.record.phase === "Restarting")) {
    const s = settle(t, { now, healthTimeout: r.healthTimeout });
    if (s.outcome === "Waiting") deadlines.push(s.deadline);
    else transitions.push(advance(t, s, now, r.rollbackOnFailure));
    if (s.outcome === "Waiting" || s.outcome === "Retry") stillInFlight.push(t);
  }
  const halted = tracked
    .filter((t) => t.record.phase === "Failed" || t.record.phase === "RolledBack")
    .sort(byStart)[0];

  let slots = 0;
  let canary: CanaryWait | undefined;
  if (!halted && !r.paused) {
    slots = r.maxConcurrent - stillInFlight.length;
    if (r.canary) {
      const gate = canaryGate(tracked, r.canary, now);
      if (gate.limit !== undefined) slots = Math.min(slots, gate.limit);
      if (gate.wait?.gate === "Pause") deadlines.push(gate.wait.until);
      canary = gate.wait;
    }
  }
  const starting = restartable.filter((w) => w.facts?.ready).slice(0, Math.max(0, slots));
  const total = tracked.length + candidates.length;
  starting.forEach((w, i) => {
    deadlines.push(now + parseOperatorDuration(r.healthTimeout));
    transitions.push({ type: "Restart", workload: ref(w), n: tracked.length + i + 1, total });
  });

  const counts = {
    inFlight: stillInFlight.length + starting.length,
    done: tracked.filter((t) => t.record.phase === "Available").length,
    total,
  };
  const step = (verdict: Verdict): RollingStep => ({
    transitions,
    counts,
    verdict,
    ...(deadlines.length ? { requeueAfterMs: Math.max(0, Math.min(...deadlines) - now) } : {}),
  });
  if (halted) return step({ phase: "Halted", halt: haltOf(halted) });
  const unknown = candidates.filter((w) => !w.facts).map(ref);
  const notRestartable = unrestartable.map(ref);
  if (counts.inFlight === 0 && restartable.length === starting.length && unknown.length === 0)
    return step({ phase: "Complete", notRestartable });
  const blocked = stillInFlight.find((t) => t.w.facts.blocking)?.w;
  return step({
    phase: r.paused ? "Paused" : "Progressing",
    progress: {
      ...(blocked?.facts.blocking
        ? { blocked: { workload: ref(blocked), blocking: blocked.facts.blocking } }
        : {}),
      ...(canary ? { canary } : {}),
      notRestartable,
      unknown,
      waitingForAvailable: restartable.some((w) => !w.facts?.ready),
    },
  });
}

/**
 * The workloads of the kinds the rollout restarts, by namespace then name: those with a record
 * of this revision, whatever its phase, which keeps them from a second restart, and the others
 * whose pods lack the agent, which a restart would bring.
 */
function sortOut(input: RolloutInput): { tracked: Tracked[]; candidates: RolloutWorkload[] } {
  const kinds = input.policy.spec.rollout.workloadKinds as readonly string[];
  const policyName = input.policy.metadata.name ?? "";
  const revision = restartRevision(input.policy);
  const tracked: Tracked[] = [];
  const candidates: RolloutWorkload[] = [];
  for (const w of input.workloads.filter((w) => kinds.includes(w.kind)).sort(byNamespaceThenName)) {
    const { facts } = w;
    const record = parseRecord(facts?.annotations);
    if (facts && record && record.policy === policyName && record.revision === revision)
      tracked.push({ w: { ...w, facts }, record });
    else if (needsAgent(w)) candidates.push(w);
  }
  return { tracked, candidates };
}

/**
 * Moves a settled restart's record on to the phase and time its patch writes (its reason is
 * worded apart), and names the transition.
 */
function advance(
  t: Tracked,
  s: Exclude<Settlement, { outcome: "Waiting" }>,
  now: number,
  rollback: boolean,
): Transition {
  const workload = ref(t.w);
  switch (s.outcome) {
    case "Retry":
      t.record = { ...t.record, time: now };
      return { type: "Retry", workload };
    case "Available":
      t.record = { ...t.record, phase: "Available", time: now };
      return { type: "MarkAvailable", workload };
    case "Halt":
      t.record = { ...t.record, phase: rollback ? "RolledBack" : "Failed", time: now };
      t.cause = s.cause;
      return { type: "Halt", workload, cause: s.cause, rollback };
  }
}

function haltOf(t: Tracked): Halt {
  const reason = t.cause
    ? { cause: t.cause }
    : t.record.reason === undefined
      ? {}
      : { recorded: t.record.reason };
  return { workload: ref(t.w), rolledBack: t.record.phase === "RolledBack", ...reason };
}
