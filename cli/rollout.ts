// `fleetscope rollout status|pause|resume`: the rollout status as text, and the patches the
// pause and resume commands send.
import type { ProfilingPolicyStatus } from "../core/api/v1alpha1/types.ts";
import { ANNOTATION_ROLLOUT_PHASE, type MergePatch } from "../operator/rollout/record.ts";
import type { WorkloadRef } from "../operator/rollout/types.ts";

export interface PolicyForRollout {
  metadata: { name?: string };
  spec: { rollout: { strategy: string; paused: boolean; maxConcurrent: number } };
  status?: Pick<ProfilingPolicyStatus, "rollout" | "conditions">;
}

export function rolloutStatusText(p: PolicyForRollout): string {
  const r = p.status?.rollout;
  const cond = p.status?.conditions?.find((c) => c.type === "RolloutComplete");
  const lines = [
    `policy:    ${p.metadata.name}`,
    `strategy:  ${p.spec.rollout.strategy}${p.spec.rollout.strategy === "Rolling" ? ` (maxConcurrent ${p.spec.rollout.maxConcurrent})` : ""}${p.spec.rollout.paused ? ", paused" : ""}`,
  ];
  if (!r) return [...lines, "phase:     not reported yet"].join("\n");
  lines.push(
    `phase:     ${r.phase}`,
    `progress:  ${r.done}/${r.total} done, ${r.inFlight} in flight`,
  );
  if (r.halted) {
    lines.push(`halted at: ${r.halted.workload} (${r.halted.reason})`);
    if (r.halted.message) lines.push(`           ${r.halted.message}`);
    lines.push(`resume:    fleetscope rollout resume ${p.metadata.name}`);
  }
  if (cond) lines.push(`condition: RolloutComplete=${cond.status} ${cond.reason}: ${cond.message}`);
  return lines.join("\n");
}

export function pausePatch(paused: boolean) {
  return { spec: { rollout: { paused } } };
}

/** The halted workload, parsed from `Kind/namespace/name`. */
export function haltedWorkload(p: PolicyForRollout): WorkloadRef | undefined {
  const ref = p.status?.rollout?.halted?.workload;
  const [kind, namespace, name] = ref?.split("/") ?? [];
  return kind && namespace && name ? { kind, namespace, name } : undefined;
}

/**
 * Resuming a halted rollout marks the failure acknowledged rather than erasing it: the workload
 * keeps its record, so it is not restarted again for this generation.
 */
export const acknowledgePatch: MergePatch = {
  metadata: { annotations: { [ANNOTATION_ROLLOUT_PHASE]: "Acknowledged" } },
};
