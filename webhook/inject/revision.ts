// Which pod label names the workload revision a pod was made from, read from the pod's own
// labels at admission: its value reaches the agent through the Downward API, so admission needs
// no API call and the value is the one the controller wrote.
import type { V1Pod } from "@kubernetes/client-node";

/**
 * The controllers' revision labels, first match wins: ReplicaSets (and so Deployments) stamp
 * `pod-template-hash` into their template; StatefulSet and DaemonSet controllers set
 * `controller-revision-hash` on every pod they create.
 */
export const REVISION_POD_LABELS = ["pod-template-hash", "controller-revision-hash"] as const;

/**
 * The pod label holding its revision, or undefined for a pod with none (bare pods, Jobs).
 * A label value is at most 63 of `[A-Za-z0-9_.-]`, so it never holds what the agent's label
 * parser drops (`{ } , =` or a space) and can be passed through as it is.
 */
export function revisionLabelKey(pod: V1Pod): string | undefined {
  const labels = pod.metadata?.labels;
  if (!labels) return undefined;
  return REVISION_POD_LABELS.find(
    (k) => Object.hasOwn(labels, k) && typeof labels[k] === "string" && labels[k] !== "",
  );
}
