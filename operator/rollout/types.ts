// The contract of rollout planning: coverage per workload and facts about each workload object
// in, the next writes (merge patches with their events) and the status out.
import type { RolloutSpec, RolloutStatus } from "../../core/api/v1alpha1/types.ts";
import type { CoverageState } from "../coverage/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import type { MergePatch } from "./record.ts";

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

/** What the controller read from the workload object (and, while restarting, its pods). */
export interface WorkloadFacts {
  /** metadata.annotations, where the rollout record lives. */
  annotations?: Record<string, string>;
  /** workloadReadiness(...).ready: rolled out and available. */
  ready: boolean;
  /** workloadReadiness(...).restartable: false for OnDelete update strategies. */
  restartable: boolean;
  /** workloadReadiness(...).message, for the halt message. */
  readiness?: string;
  /** crashLooping(...) of its pods; only needed while the record says Restarting. */
  crashLooping: boolean;
  /** blockingCause(...) of its new pods while it restarts: which pod, container and state. */
  blocking?: string;
}

export interface RolloutWorkload extends WorkloadRef {
  /** From computeCoverage's workloads. */
  state: CoverageState;
  /** Absent when the workload object is not (yet) in the cache: it is left alone. */
  facts?: WorkloadFacts;
}

export interface RolloutPolicy {
  metadata: { name?: string; generation?: number };
  /** The injection revision: restarts are recorded per revision, not per generation. */
  status?: { revision?: string };
  spec: { dryRun?: boolean; rollout: RolloutSpec };
}

export interface RolloutInput {
  policy: RolloutPolicy;
  workloads: readonly RolloutWorkload[];
  now: Date;
}

export interface PlannedEvent {
  /** The policy, or the action's workload. */
  on: "policy" | "workload";
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface RolloutAction {
  /** Restart: start; MarkAvailable: finish; Fail: halt; Rollback: halt and remove the agent. */
  type: "Restart" | "MarkAvailable" | "Fail" | "Rollback";
  workload: WorkloadRef;
  /** A JSON merge patch (application/merge-patch+json) for the workload object. */
  patch: MergePatch;
  events: PlannedEvent[];
}

export interface RolloutPlan {
  status: RolloutStatus;
  /** The RolloutComplete condition. */
  condition: ConditionInput;
  /** In order; each is one PATCH of one workload, then its events. */
  actions: RolloutAction[];
  /** When to look again though nothing changes: a health deadline or the canary pause's end. */
  requeueAfterMs?: number;
}
