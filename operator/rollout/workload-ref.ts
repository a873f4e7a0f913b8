// Workload references as a rollout handles them: bare of everything else, and in the orders it
// works in (workloads by namespace then name, restarts by when they started).
import { compare } from "../coverage/compute.ts";
import type { RolloutRecord } from "./record.ts";
import type { WorkloadRef } from "./types.ts";

/** Only the kind, namespace and name: what actions and verdicts name. */
export const ref = (w: WorkloadRef): WorkloadRef => ({
  kind: w.kind,
  namespace: w.namespace,
  name: w.name,
});

export const byNamespaceThenName = (a: WorkloadRef, b: WorkloadRef) =>
  compare(a.namespace, b.namespace) || compare(a.name, b.name) || compare(a.kind, b.kind);

/** Restarts by the time in their records (NaN ties), then by workload. */
export const byStart = (
  a: { w: WorkloadRef; record: RolloutRecord },
  b: { w: WorkloadRef; record: RolloutRecord },
) => a.record.time - b.record.time || byNamespaceThenName(a.w, b.w);
