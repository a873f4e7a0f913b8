// The rollout's memory lives on each workload, as annotations written in the same patch as the
// restart: an operator that restarts reads back where it stopped, and nothing is done twice.
import { LABEL_INJECT } from "../../core/names.ts";

/** `<policy>/<revision>` that last restarted the workload (the policy's injection revision). */
export const ANNOTATION_ROLLOUT = "fleetscope.io/rollout";
export const ANNOTATION_ROLLOUT_PHASE = "fleetscope.io/rollout-phase";
/** RFC 3339 time the phase was entered: the restart, or when the workload became available. */
export const ANNOTATION_ROLLOUT_TIME = "fleetscope.io/rollout-time";
/** Why it failed, e.g. `HealthTimeout: ...`; only on Failed and RolledBack. */
export const ANNOTATION_ROLLOUT_REASON = "fleetscope.io/rollout-reason";
/** On the pod template; changing it rolls the pods, as `kubectl rollout restart` does. */
export const ANNOTATION_RESTARTED_AT = "fleetscope.io/restartedAt";

/**
 * Restarting: waiting for the workload to roll and become available.
 * Available: done. Failed: halted the rollout. RolledBack: halted it, and was excluded from
 * injection and restarted. Acknowledged: a halt a person has looked at and let pass.
 */
export const recordPhases = [
  "Restarting",
  "Available",
  "Failed",
  "RolledBack",
  "Acknowledged",
] as const;
export type RecordPhase = (typeof recordPhases)[number];

export interface RolloutRecord {
  policy: string;
  /** The policy's injection revision the restart was for. */
  revision: string;
  phase: RecordPhase;
  /** Milliseconds since the epoch; NaN when unreadable. */
  time: number;
  reason?: string;
}

/** The record on a workload, or undefined when there is none or it cannot be read. */
export function parseRecord(
  annotations: Record<string, string> | undefined,
): RolloutRecord | undefined {
  const value = annotations?.[ANNOTATION_ROLLOUT];
  const phase = annotations?.[ANNOTATION_ROLLOUT_PHASE] as RecordPhase | undefined;
  if (!value || !phase || !recordPhases.includes(phase)) return undefined;
  // Policy names are DNS subdomains and never hold a slash.
  const slash = value.lastIndexOf("/");
  const revision = value.slice(slash + 1);
  if (slash <= 0 || revision === "") return undefined;
  const reason = annotations?.[ANNOTATION_ROLLOUT_REASON];
  return {
    policy: value.slice(0, slash),
    revision,
    phase,
    time: Date.parse(annotations?.[ANNOTATION_ROLLOUT_TIME] ?? ""),
    ...(reason ? { reason } : {}),
  };
}

export interface MergePatch {
  metadata?: { annotations?: Record<string, string | null> };
  spec?: {
    template?: {
      metadata?: {
        annotations?: Record<string, string>;
        labels?: Record<string, string>;
      };
    };
  };
}

const recordAnnotations = (
  policy: string,
  revision: string,
  phase: RecordPhase,
  now: Date,
  reason: string | null = null,
) => ({
  [ANNOTATION_ROLLOUT]: `${policy}/${revision}`,
  [ANNOTATION_ROLLOUT_PHASE]: phase,
  [ANNOTATION_ROLLOUT_TIME]: now.toISOString(),
  [ANNOTATION_ROLLOUT_REASON]: reason,
});

/** Restart and record in one write, so a crash between them cannot restart twice. */
export function restartPatch(
  policy: string,
  revision: string,
  now: Date,
  reason?: string,
): MergePatch {
  return {
    metadata: { annotations: recordAnnotations(policy, revision, "Restarting", now, reason) },
    spec: {
      template: { metadata: { annotations: { [ANNOTATION_RESTARTED_AT]: now.toISOString() } } },
    },
  };
}

export function phasePatch(
  policy: string,
  revision: string,
  phase: Exclude<RecordPhase, "Restarting" | "RolledBack">,
  now: Date,
  reason?: string,
): MergePatch {
  return { metadata: { annotations: recordAnnotations(policy, revision, phase, now, reason) } };
}

/**
 * The webhook's objectSelector skips pods labelled inject=false, so labelling the template and
 * restarting brings back pods without the agent; the label stays until a person removes it.
 */
export function rollbackPatch(
  policy: string,
  revision: string,
  now: Date,
  reason: string,
): MergePatch {
  return {
    metadata: { annotations: recordAnnotations(policy, revision, "RolledBack", now, reason) },
    spec: {
      template: {
        metadata: {
          labels: { [LABEL_INJECT]: "false" },
          annotations: { [ANNOTATION_RESTARTED_AT]: now.toISOString() },
        },
      },
    },
  };
}
