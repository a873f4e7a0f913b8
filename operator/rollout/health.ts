// The health gate of one restart in flight: whether it stays Restarting, becomes Available,
// is restarted once more, or halts the rollout, and why, as reason codes and facts (worded in
// wording.ts), so the gate is judged without its messages.
import { parseOperatorDuration } from "../../core/api/v1alpha1/common.ts";
import type { RolloutRecord } from "./record.ts";
import type { RolloutWorkload, WorkloadFacts } from "./types.ts";

/** A restart whose pods came up without the agent is retried once, marked by this reason. */
export const RETRIED = "Retried";
/** Caches see new pods' stamps a moment after the rollout: wait this long before judging. */
export const RETRY_AFTER_MS = 15_000;

/** Pods of the workload still lack the current agent: a restart would bring it. */
export const needsAgent = (w: RolloutWorkload) => w.state === "pending" || w.state === "outdated";

/** Why a restart halts the rollout; the code leads the reason kept in the workload's record. */
export type HaltCause =
  | { code: "CrashLoop"; blocking?: string }
  /** Rolled out, but its pods still lack the agent: the webhook did not reach them. */
  | { code: "NotInjected"; healthTimeout: string }
  | { code: "HealthTimeout"; healthTimeout: string; readiness?: string; blocking?: string };

export type Settlement =
  /** Still in flight; judged again by the deadline at the latest. */
  | { outcome: "Waiting"; deadline: number }
  /** Still in flight: its pods came up without the agent, so it is restarted once more. */
  | { outcome: "Retry" }
  | { outcome: "Available" }
  | { outcome: "Halt"; cause: HaltCause };

/** A workload restarted for the current revision: itself, with its facts, and its record. */
export interface Restarted {
  w: RolloutWorkload & { facts: WorkloadFacts };
  record: RolloutRecord;
}

export interface Gate {
  now: number;
  /** spec.rollout.healthTimeout, as written. */
  healthTimeout: string;
}

/**
 * Settles a restart whose record says Restarting. Available is not enough: its new pods must
 * carry the agent. Until the pod cache has seen them stamped, it keeps waiting; past the health
 * timeout, a rolled-out workload without the agent halts the rollout.
 */
export function settle({ w, record }: Restarted, gate: Gate): Settlement {
  if (missedByWebhook(w, record, gate.now)) return { outcome: "Retry" };
  if (w.facts.ready && !needsAgent(w)) return { outcome: "Available" };
  const timeoutMs = parseOperatorDuration(gate.healthTimeout);
  const cause = haltCause(w.facts, timedOut(record, gate.now, timeoutMs), gate.healthTimeout);
  if (cause) return { outcome: "Halt", cause };
  return { outcome: "Waiting", deadline: record.time + timeoutMs };
}

/**
 * Rolled out without the agent, and not retried yet: its pods were admitted while no webhook
 * answered (an operator failover in the middle of the restart). Judged only once the caches
 * had time to see the new pods' stamps.
 */
function missedByWebhook(w: Restarted["w"], record: RolloutRecord, now: number): boolean {
  return (
    w.facts.ready &&
    needsAgent(w) &&
    !record.reason?.startsWith(RETRIED) &&
    now - record.time >= RETRY_AFTER_MS
  );
}

/** An unreadable record time (NaN) counts as timed out. */
const timedOut = (record: RolloutRecord, now: number, timeoutMs: number) =>
  !(now - record.time < timeoutMs);

/** Crash-looping halts at once; anything else only once the health timeout has passed. */
function haltCause(
  facts: WorkloadFacts,
  timedOut: boolean,
  healthTimeout: string,
): HaltCause | undefined {
  const blocking = facts.blocking === undefined ? {} : { blocking: facts.blocking };
  if (facts.crashLooping) return { code: "CrashLoop", ...blocking };
  if (!timedOut) return undefined;
  if (facts.ready) return { code: "NotInjected", healthTimeout };
  const readiness = facts.readiness === undefined ? {} : { readiness: facts.readiness };
  return { code: "HealthTimeout", healthTimeout, ...readiness, ...blocking };
}
