// The canary gate of a Rolling rollout. The canaries are the first `count` workloads restarted
// for a revision: until there are that many, only canaries start; then nothing starts until all
// are available and have stayed so for the pause, which is measured from the records, so it
// survives operator restarts.
import { parseOperatorDuration } from "../../core/api/v1alpha1/common.ts";
import type { RolloutSpec } from "../../core/api/v1alpha1/types.ts";
import type { RolloutRecord } from "./record.ts";
import type { WorkloadRef } from "./types.ts";
import { byStart, ref } from "./workload-ref.ts";

/** Why the canary gate lets fewer workloads start than maxConcurrent would. */
export type CanaryWait =
  | { gate: "Wave"; started: number; count: number }
  | { gate: "Canaries"; restarting: WorkloadRef[] }
  /** Until, in milliseconds since the epoch. */
  | { gate: "Pause"; until: number };

export interface CanaryGate {
  /** At most this many may start now; absent when the gate is open. */
  limit?: number;
  wait?: CanaryWait;
}

/** `tracked`: every workload with a record of this revision, as this step leaves it. */
export function canaryGate(
  tracked: readonly { w: WorkloadRef; record: RolloutRecord }[],
  canary: NonNullable<RolloutSpec["canary"]>,
  now: number,
): CanaryGate {
  const { count } = canary;
  const pauseMs = parseOperatorDuration(canary.pause);
  const started = [...tracked].sort(byStart);
  if (started.length < count)
    return {
      limit: count - started.length,
      wait: { gate: "Wave", started: started.length, count },
    };
  const canaries = started.slice(0, count);
  const restarting = canaries.filter((c) => c.record.phase === "Restarting");
  if (restarting.length)
    return { limit: 0, wait: { gate: "Canaries", restarting: restarting.map((c) => ref(c.w)) } };
  const end = Math.max(...canaries.map((c) => c.record.time)) + pauseMs;
  if (now < end) return { limit: 0, wait: { gate: "Pause", until: end } };
  return {};
}
