// The contract of coverage: pod metadata in (what a metadata-only watch yields), counts and a
// per-workload and per-pod account out. Nothing here needs a pod spec or a pod status.
import type { V1OwnerReference } from "@kubernetes/client-node";

/** The slice of a pod coverage reads; PartialObjectMetadata carries all of it except phase. */
export interface PodMeta {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  /** Only when a full pod was read; metadata-only watches cannot know it. */
  phase?: string;
}

/**
 * injected: runs the agent of the current policy generation and version.
 * outdated: runs the agent, but of an older generation, version or another policy.
 * pending: no agent because nothing injected it yet; a restart brings it.
 * skipped: left alone on purpose (opted out, dry run, or the webhook's recorded reason).
 */
export type CoverageState = "injected" | "outdated" | "pending" | "skipped";

export interface PodCoverage {
  namespace: string;
  name: string;
  state: CoverageState;
  /** CamelCase reason, absent for injected pods. */
  reason?: string;
  /** The webhook's own words when it recorded them, else a description of the reason. */
  message?: string;
  /** The reason is the webhook's predicted decision for the workload's template. */
  predicted?: boolean;
  workload: { kind: string; name: string };
}

export interface PodCounts {
  total: number;
  injected: number;
  outdated: number;
  pending: number;
  skipped: number;
}

export interface WorkloadCoverage {
  kind: string;
  namespace: string;
  name: string;
  /** The worst state of its pods: pending, then outdated, then injected, then skipped. */
  state: CoverageState;
  /** The most frequent reason among its pods in that state. */
  reason?: string;
  pods: PodCounts;
}
