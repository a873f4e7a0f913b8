// `fleetscope status`: one row per policy with its coverage and where its rollout stands — the
// coverage table plus the rollout's strategy, progress and halt.
import type { ProfilingPolicyStatus } from "../core/api/v1alpha1/types.ts";
import { table } from "./table.ts";

export interface PolicyForStatus {
  metadata: { name?: string };
  spec?: { rollout?: { strategy?: string; paused?: boolean; maxConcurrent?: number } };
  status?: Pick<ProfilingPolicyStatus, "coverage" | "rollout">;
}

const byName = (a: PolicyForStatus, b: PolicyForStatus) =>
  (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;

function strategy(p: PolicyForStatus): string {
  const r = p.spec?.rollout;
  if (!r?.strategy) return "-";
  if (r.strategy !== "Rolling") return r.strategy;
  return `Rolling/${r.maxConcurrent ?? 1}${r.paused ? " (paused)" : ""}`;
}

export function statusTable(policies: readonly PolicyForStatus[]): string {
  if (policies.length === 0) return "No ProfilingPolicies found.";
  const rows = [...policies].sort(byName).map((p) => {
    const c = p.status?.coverage;
    const r = p.status?.rollout;
    return [
      p.metadata.name ?? "",
      c ? `${c.workloads.injected}/${c.workloads.eligible}` : "-",
      c ? `${c.pods.injected}/${c.pods.eligible}` : "-",
      c ? (c.summary ?? "") : "not computed yet",
      strategy(p),
      r?.phase ?? "-",
      r ? `${r.done}/${r.total} done, ${r.inFlight} in flight` : "-",
      r?.halted ? `halted at ${r.halted.workload} (${r.halted.reason})` : "",
    ];
  });
  return table(
    ["POLICY", "WORKLOADS", "PODS", "COVERAGE", "STRATEGY", "ROLLOUT", "PROGRESS", "NOTE"],
    rows,
  );
}
