// Builders for rollout tests: a policy from a partial rollout spec with the API's defaults, and
// workloads described by what matters to the planner.
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { RolloutSpec } from "../../core/api/v1alpha1/types.ts";
import type { CoverageState } from "../coverage/types.ts";
import type { RolloutPolicy, RolloutWorkload, WorkloadFacts } from "./types.ts";

export const NOW = new Date("2025-06-10T12:00:00Z");
export const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

export function policy(
  rollout: Partial<RolloutSpec>,
  extra: { dryRun?: boolean } = {},
): RolloutPolicy {
  const spec = withDefaults({ rollout: rollout as never });
  return {
    metadata: { name: "shop", generation: 5 },
    spec: { rollout: spec.rollout, ...extra },
    status: { revision: "r5" },
  };
}

export const rolling = (rollout: Partial<RolloutSpec> = {}) =>
  policy({ strategy: "Rolling", ...rollout });

/** What blocks a restart's new pods, as blockingCause words it. */
export const BLOCKING =
  "pod slow-7d-a container app is in CrashLoopBackOff after 4 restarts; last exit code 1 (Error): no main manifest attribute";

export interface Described {
  kind?: string;
  namespace?: string;
  state?: CoverageState;
  /** `phase@minutes ago` of a record for shop/r5, e.g. `Restarting@2`. */
  record?: string;
  /** A record of another revision. */
  recordRevision?: string;
  reason?: string;
  facts?: Partial<WorkloadFacts> | null;
}

export function workload(name: string, d: Described = {}): RolloutWorkload {
  const annotations: Record<string, string> = {};
  if (d.record) {
    const [phase, ago] = d.record.split("@");
    annotations["fleetscope.io/rollout"] = `shop/${d.recordRevision ?? "r5"}`;
    annotations["fleetscope.io/rollout-phase"] = phase!;
    annotations["fleetscope.io/rollout-time"] = minutesAgo(Number(ago ?? 0));
    if (d.reason) annotations["fleetscope.io/rollout-reason"] = d.reason;
  }
  const w: RolloutWorkload = {
    kind: d.kind ?? "Deployment",
    namespace: d.namespace ?? "shop",
    name,
    state: d.state ?? "pending",
  };
  if (d.facts !== null) {
    w.facts = { annotations, ready: true, restartable: true, crashLooping: false, ...d.facts };
  }
  return w;
}
