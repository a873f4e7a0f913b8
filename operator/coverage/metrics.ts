// Coverage as Prometheus gauges per policy; series of reasons that went away are removed so a
// dashboard never shows a stale count.
import { Gauge, type Registry } from "prom-client";
import type { CoverageStatus } from "../../core/api/v1alpha1/types.ts";

export interface CoverageMetrics {
  update(policy: string, coverage: CoverageStatus): void;
  /** For a deleted policy. */
  forget(policy: string): void;
}

const STATES = ["eligible", "injected", "outdated", "skipped"] as const;

export function coverageMetrics(registry: Registry): CoverageMetrics {
  const pods = new Gauge({
    name: "fleetscope_coverage_pods",
    help: "Pods a policy selects, by state (eligible, injected, outdated, skipped).",
    labelNames: ["policy", "state"],
    registers: [registry],
  });
  const workloads = new Gauge({
    name: "fleetscope_coverage_workloads",
    help: "Workloads a policy selects, by state (eligible, injected, outdated, skipped).",
    labelNames: ["policy", "state"],
    registers: [registry],
  });
  const skipped = new Gauge({
    name: "fleetscope_coverage_skipped_pods",
    help: "Selected pods without the agent, by reason.",
    labelNames: ["policy", "reason"],
    registers: [registry],
  });
  const namespaces = new Gauge({
    name: "fleetscope_coverage_namespaces",
    help: "Namespaces a policy selects.",
    labelNames: ["policy"],
    registers: [registry],
  });
  const reasonsSeen = new Map<string, Set<string>>();

  const forgetReasons = (policy: string, keep: ReadonlySet<string>) => {
    for (const reason of reasonsSeen.get(policy) ?? []) {
      if (!keep.has(reason)) skipped.remove({ policy, reason });
    }
  };

  return {
    update(policy, coverage) {
      for (const state of STATES) {
        pods.set({ policy, state }, coverage.pods[state]);
        workloads.set({ policy, state }, coverage.workloads[state]);
      }
      namespaces.set({ policy }, coverage.namespaces);
      const reasons = coverage.skippedReasons ?? {};
      const now = new Set(Object.keys(reasons));
      forgetReasons(policy, now);
      for (const [reason, n] of Object.entries(reasons)) skipped.set({ policy, reason }, n);
      reasonsSeen.set(policy, now);
    },
    forget(policy) {
      for (const state of STATES) {
        pods.remove({ policy, state });
        workloads.remove({ policy, state });
      }
      namespaces.remove({ policy });
      forgetReasons(policy, new Set());
      reasonsSeen.delete(policy);
    },
  };
}
