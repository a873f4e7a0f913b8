// One pod against one policy, from the stamps the webhook leaves in its metadata: whether it is
// the policy's at all, and if so whether it runs the current agent and, if not, why.

import type { LabelSelector } from "../../core/match/label-selector.ts";
import {
  type NamespaceLike,
  namespaceExclusion,
  policiesForPod,
} from "../../core/match/policies.ts";
import {
  ANNOTATION_POLICY,
  ANNOTATION_SKIP_REASON,
  LABEL_AGENT_VERSION,
  LABEL_DRY_RUN,
  LABEL_INJECT,
  LABEL_INJECTED,
  LABEL_POLICY,
  LABEL_POLICY_GENERATION,
  LABEL_POLICY_REVISION,
  LABEL_SKIP_REASON,
} from "../../core/names.ts";
import { owningWorkload } from "../../webhook/inject/app-name.ts";
import { kubeLabelValue } from "../../webhook/inject/sanitize.ts";
import { camelReason, describeReason } from "./reasons.ts";
import type { PodCoverage, PodMeta } from "./types.ts";

/** The slice of a ProfilingPolicy coverage reads. */
export interface CoveragePolicy {
  metadata: { name?: string; generation?: number; creationTimestamp?: string };
  spec: {
    priority?: number;
    dryRun?: boolean;
    agent: { version: string };
    selector?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector };
  };
  /** The injection revision (a hash of what pods receive), when known. */
  status?: { revision?: string };
}

/** Kubelet's mirror of a static pod: the webhook's edit never reaches the running pod. */
const MIRROR_POD = "kubernetes.io/config.mirror";

/**
 * Why the pod is not this policy's to cover, or undefined when it is. Pods on their way out
 * and finished pods are not counted: they will never run the agent and need nothing.
 */
export function ineligibility(
  policy: CoveragePolicy,
  pod: PodMeta,
  ns: NamespaceLike,
  policies: readonly CoveragePolicy[],
  operatorNamespace: string,
): string | undefined {
  if (pod.deletionTimestamp) return "the pod is being deleted";
  if (pod.phase === "Succeeded" || pod.phase === "Failed") return `the pod has ${pod.phase}`;
  if (pod.annotations?.[MIRROR_POD] !== undefined) return "static pods cannot be injected";
  const excluded = namespaceExclusion(ns, operatorNamespace);
  if (excluded) return `namespace ${pod.namespace} can never be selected (${excluded})`;
  const all = policies.some((p) => p.metadata.name === policy.metadata.name)
    ? policies
    : [...policies, policy];
  const winner = policiesForPod([...all], ns, pod.labels, operatorNamespace)[0];
  if (!winner) return `policy ${policy.metadata.name} does not select the pod`;
  if (winner.metadata.name !== policy.metadata.name)
    return `policy ${winner.metadata.name} takes precedence`;
  return undefined;
}

/** The state of a pod this policy selects. */
export function classifyPod(policy: CoveragePolicy, pod: PodMeta): PodCoverage {
  const labels = pod.labels ?? {};
  const annotations = pod.annotations ?? {};
  const workload = owningWorkload({
    metadata: { name: pod.name, labels, ownerReferences: pod.ownerReferences ?? [] },
  });
  const base = { namespace: pod.namespace, name: pod.name, workload };
  const pending = (reason: string): PodCoverage => ({
    ...base,
    state: "pending",
    reason,
    message: describeReason(reason),
  });

  // The webhook's objectSelector keeps such pods away from it, so they carry no stamp of ours.
  if (labels[LABEL_INJECT] === "false") {
    return { ...base, state: "skipped", reason: "OptedOut", message: describeReason("OptedOut") };
  }
  if (labels[LABEL_INJECTED] === "true") {
    const outdated = outdatedReason(policy, labels, annotations);
    return outdated
      ? { ...base, state: "outdated", reason: outdated, message: describeReason(outdated) }
      : { ...base, state: "injected" };
  }
  if (labels[LABEL_DRY_RUN] !== undefined) {
    return policy.spec.dryRun
      ? { ...base, state: "skipped", reason: "DryRun", message: describeReason("DryRun") }
      : pending("CreatedInDryRun");
  }
  const code = labels[LABEL_SKIP_REASON];
  if (code) {
    const reason = camelReason(code);
    return {
      ...base,
      state: "skipped",
      reason,
      message: annotations[ANNOTATION_SKIP_REASON] ?? describeReason(reason),
    };
  }
  return pending(predates(policy, pod) ? "PredatesPolicy" : "NotSeenByWebhook");
}

function outdatedReason(
  policy: CoveragePolicy,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): string | undefined {
  const name = policy.metadata.name ?? "";
  const stamped = annotations[ANNOTATION_POLICY] ?? labels[LABEL_POLICY];
  if (stamped !== name && stamped !== kubeLabelValue(name)) return "OtherPolicy";
  // By revision where both sides have one: only a change of what pods receive outdates them,
  // not a change of the rollout, the priority or Pyroscope's replicas.
  const revision = policy.status?.revision;
  const stampedRevision = labels[LABEL_POLICY_REVISION];
  if (revision && stampedRevision) {
    if (stampedRevision !== revision) return "OlderConfiguration";
  } else if (Number(labels[LABEL_POLICY_GENERATION] ?? 0) < (policy.metadata.generation ?? 0)) {
    // A newer generation than ours only means our copy of the policy is stale: not outdated.
    return "OlderGeneration";
  }
  if (labels[LABEL_AGENT_VERSION] !== kubeLabelValue(policy.spec.agent.version))
    return "OlderAgentVersion";
  return undefined;
}

function predates(policy: CoveragePolicy, pod: PodMeta): boolean {
  const policyTime = Date.parse(policy.metadata.creationTimestamp ?? "");
  const podTime = Date.parse(pod.creationTimestamp ?? "");
  // Timestamps have second resolution: a pod created in the policy's second may predate it.
  return Number.isNaN(policyTime) || Number.isNaN(podTime) || podTime <= policyTime;
}
