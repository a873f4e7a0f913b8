// `fleetscope coverage`: the coverage the operator wrote into each policy's status, as a table,
// and per reason for a single policy.
import type { ProfilingPolicyStatus } from "../core/api/v1alpha1/types.ts";
import { describeReason } from "../operator/coverage/reasons.ts";
import { table } from "./table.ts";

export interface PolicyWithStatus {
  metadata: { name?: string };
  status?: Pick<ProfilingPolicyStatus, "coverage" | "rollout">;
}

const byName = (a: PolicyWithStatus, b: PolicyWithStatus) =>
  (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;

export function coverageTable(policies: readonly PolicyWithStatus[]): string {
  if (policies.length === 0) return "No ProfilingPolicies found.";
  const rows = [...policies].sort(byName).map((p) => {
    const c = p.status?.coverage;
    if (!c)
      return [
        p.metadata.name ?? "",
        "-",
        "-",
        "-",
        "-",
        "-",
        "not computed yet",
        p.status?.rollout?.phase ?? "-",
      ];
    return [
      p.metadata.name ?? "",
      String(c.namespaces),
      `${c.workloads.injected}/${c.workloads.eligible}`,
      `${c.pods.injected}/${c.pods.eligible}`,
      String(c.pods.outdated),
      String(c.pods.skipped),
      c.summary ?? "",
      p.status?.rollout?.phase ?? "-",
    ];
  });
  return table(
    ["POLICY", "NAMESPACES", "WORKLOADS", "PODS", "OUTDATED", "SKIPPED", "COVERAGE", "ROLLOUT"],
    rows,
  );
}

/** One policy: the table row, then each reason pods go without the current agent. */
export function coverageDetail(policy: PolicyWithStatus): string {
  const c = policy.status?.coverage;
  const parts = [coverageTable([policy])];
  if (!c) return parts[0]!;
  const reasons = Object.entries(c.skippedReasons ?? {}).sort(([, a], [, b]) => b - a);
  if (c.pods.outdated > 0) reasons.unshift(["Outdated", c.pods.outdated]);
  if (reasons.length > 0) {
    parts.push(
      "",
      table(
        ["REASON", "PODS", "MEANING"],
        reasons.map(([r, n]) => [
          r,
          String(n),
          r === "Outdated"
            ? "injected with an older generation, version or policy; a restart updates them"
            : describeReason(r),
        ]),
      ),
    );
  }
  return parts.join("\n");
}
