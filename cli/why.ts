// `fleetscope why`: whether a pod or workload is profiled and, if not, why and what to do, as a
// pure function of objects the command fetched.

import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import {
  type NamespaceLike,
  namespaceExclusion,
  OPT_IN_LABEL,
  policiesForPod,
  selectsNamespace,
} from "../core/match/policies.ts";
import {
  ANNOTATION_EVENT_FALLBACK,
  ANNOTATION_INJECTED_CONTAINERS,
  ANNOTATION_SKIPPED_CONTAINERS,
  LABEL_INJECT,
} from "../core/names.ts";
import { own } from "../core/own.ts";
import type { CoveragePolicy } from "../operator/coverage/classify.ts";
import { classifyPod, ineligibility } from "../operator/coverage/classify.ts";
import { countPods } from "../operator/coverage/compute.ts";
import type { Prediction } from "../operator/coverage/predict.ts";
import { applyPrediction } from "../operator/coverage/predicted.ts";
import { describeReason } from "../operator/coverage/reasons.ts";
import type { PodCoverage, PodMeta } from "../operator/coverage/types.ts";
import { parseRecord } from "../operator/rollout/record.ts";

export type ExplainPolicy = CoveragePolicy & { spec: { rollout?: { strategy?: string } } };

export interface Explanation {
  subject: string;
  profiled: boolean;
  verdict: string;
  /** Label and text, printed as aligned rows. */
  details: [string, string][];
}

export interface WhyContext {
  namespace: NamespaceLike | undefined;
  policies: readonly ExplainPolicy[];
  operatorNamespace: string;
}

interface Resolved {
  policy?: ExplainPolicy;
  notSelected?: Explanation["details"];
}

/** The policy that decides for a pod, or why none does. */
function resolvePolicy(ctx: WhyContext, pod: PodMeta): Resolved {
  const ns = ctx.namespace;
  if (!ns) return { notSelected: [["reason", `namespace ${pod.namespace} not found`]] };
  const excluded = namespaceExclusion(ns, ctx.operatorNamespace);
  if (excluded)
    return {
      notSelected: [["reason", `namespace ${pod.namespace} is never profiled (${excluded})`]],
    };
  const selecting = ctx.policies.filter((p) => selectsNamespace(p, ns, ctx.operatorNamespace));
  if (selecting.length === 0) {
    const labels = Object.entries(ns.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    return {
      notSelected: [
        [
          "reason",
          `no ProfilingPolicy selects namespace ${pod.namespace} (labels: ${labels.join(", ") || "none"})`,
        ],
        [
          "fix",
          `kubectl label namespace ${pod.namespace} ${OPT_IN_LABEL}=enabled, or widen a policy's spec.selector.namespaceSelector`,
        ],
      ],
    };
  }
  const winner = policiesForPod([...ctx.policies], ns, pod.labels, ctx.operatorNamespace)[0];
  if (!winner) {
    return {
      notSelected: [
        [
          "reason",
          `the podSelector of ${selecting.map((p) => p.metadata.name).join(", ")} does not match the pod's labels`,
        ],
      ],
    };
  }
  return { policy: winner };
}

function policyLine(p: ExplainPolicy): [string, string] {
  return [
    "policy",
    `${p.metadata.name} (generation ${p.metadata.generation ?? 0}, agent ${p.spec.agent.version})`,
  ];
}

/** What brings the agent to a workload that only needs a restart. */
function restartHint(p: ExplainPolicy, kind: string, namespace: string, name: string): string {
  if (p.spec.dryRun) return `the policy is a dry run: set spec.dryRun: false on ${p.metadata.name}`;
  if (kind === "Pod") return "recreate the pod; the webhook injects it on creation";
  if (
    p.spec.rollout?.strategy === "Rolling" &&
    ["Deployment", "StatefulSet", "DaemonSet"].includes(kind)
  )
    return `the rollout restarts it: fleetscope rollout status ${p.metadata.name}`;
  if (["Deployment", "StatefulSet", "DaemonSet"].includes(kind))
    return `kubectl rollout restart ${kind.toLowerCase()}/${name} -n ${namespace}`;
  return `restart its pods; ${kind} is not restarted by the operator`;
}

const FIXES: Record<string, string> = {
  OptedOut: `remove the label ${LABEL_INJECT}=false from the pod template (a rollout's rollback sets it)`,
  NoTargetContainer:
    "name the containers in spec.selector.containers (detect: Names) if they run a JVM that is not recognised",
  WindowsPod: "none: the profiler runs on Linux only",
  JavaOptionsUnmergeable:
    "set JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS by value (not valueFrom/envFrom) in the pod template",
  Java8OptionsUnmergeable:
    "set JAVA_TOOL_OPTIONS by value (not valueFrom/envFrom): Java 8 reads no other options variable",
};

/** The coverage of a pod, corrected by its workload's prediction when there is one. */
const classify = (p: ExplainPolicy, pod: PodMeta, prediction: Prediction | undefined) =>
  applyPrediction(classifyPod(p, pod), prediction && (() => prediction));

function podDetails(p: ExplainPolicy, pod: PodMeta, c: PodCoverage): Explanation["details"] {
  const out: Explanation["details"] = [policyLine(p)];
  const a = pod.annotations ?? {};
  if (c.state === "injected") {
    out.push(["containers", a[ANNOTATION_INJECTED_CONTAINERS] ?? "(not recorded)"]);
    if (a[ANNOTATION_EVENT_FALLBACK]) out.push(["note", a[ANNOTATION_EVENT_FALLBACK]]);
  } else {
    out.push(["reason", `${c.reason}: ${c.message ?? describeReason(c.reason ?? "")}`]);
    const fix =
      c.state === "skipped" && c.reason !== "DryRun"
        ? own(FIXES, c.reason ?? "")
        : restartHint(p, c.workload.kind, pod.namespace, c.workload.name);
    if (fix) out.push(["fix", fix]);
  }
  if (a[ANNOTATION_SKIPPED_CONTAINERS]) out.push(["skipped", a[ANNOTATION_SKIPPED_CONTAINERS]]);
  return out;
}

const VERDICTS: Record<PodCoverage["state"], string> = {
  injected: "profiled",
  outdated: "profiled with an older configuration",
  pending: "not profiled yet",
  skipped: "not profiled",
};

/** `prediction`: what the webhook would do to a new pod of the pod's workload (its template). */
export function explainPod(ctx: WhyContext, pod: PodMeta, prediction?: Prediction): Explanation {
  const subject = `pod ${pod.namespace}/${pod.name}`;
  const { policy, notSelected } = resolvePolicy(ctx, pod);
  if (!policy)
    return { subject, profiled: false, verdict: "not profiled", details: notSelected ?? [] };
  const out = ineligibility(policy, pod, ctx.namespace!, ctx.policies, ctx.operatorNamespace);
  if (out) return { subject, profiled: false, verdict: "not counted", details: [["reason", out]] };
  const c = classify(policy, pod, prediction);
  return {
    subject: `${subject} (${c.workload.kind} ${c.workload.name})`,
    profiled: c.state === "injected" || c.state === "outdated",
    verdict: VERDICTS[c.state],
    details: podDetails(policy, pod, c),
  };
}

export interface WorkloadInfo {
  kind: string;
  namespace: string;
  name: string;
  annotations?: Record<string, string>;
  uid?: string;
  template?: V1PodTemplateSpec;
}

/**
 * A workload is explained by its pods, plus the record the rollout left on it and, given the
 * prediction for its template, whether a restart would bring the agent at all.
 */
export function explainWorkload(
  ctx: WhyContext,
  w: WorkloadInfo,
  pods: readonly PodMeta[],
  prediction?: Prediction,
): Explanation {
  const subject = `${w.kind} ${w.namespace}/${w.name}`;
  const record = parseRecord(w.annotations);
  const recordLine: [string, string][] = record
    ? [
        [
          "rollout",
          `${record.phase} for ${record.policy}/${record.revision} since ${Number.isNaN(record.time) ? "?" : new Date(record.time).toISOString()}${record.reason ? ` (${record.reason})` : ""}`,
        ],
      ]
    : [];
  const first = pods[0];
  if (!first)
    return {
      subject,
      profiled: false,
      verdict: "no pods",
      details: [
        ["reason", "the workload runs no pods; they are injected when it scales up"],
        ...recordLine,
      ],
    };
  const { policy, notSelected } = resolvePolicy(ctx, first);
  if (!policy)
    return {
      subject,
      profiled: false,
      verdict: "not profiled",
      details: [...(notSelected ?? []), ...recordLine],
    };
  const counted = pods.filter(
    (p) => !ineligibility(policy, p, ctx.namespace!, ctx.policies, ctx.operatorNamespace),
  );
  const states = counted.map((p) => classify(policy, p, prediction));
  const n = countPods(states);
  const summary = (["injected", "outdated", "pending", "skipped"] as const)
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${s}`)
    .join(", ");
  const details: Explanation["details"] = [policyLine(policy), ["pods", summary || "none counted"]];
  const reasons = new Map<string, number>();
  for (const s of states) if (s.reason) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  for (const [reason, count] of [...reasons].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const predicted = states.find((s) => s.reason === reason && s.predicted);
    details.push([
      "reason",
      `${reason} (${count} ${count === 1 ? "pod" : "pods"}): ${predicted?.message ?? describeReason(reason)}`,
    ]);
  }
  if (prediction?.outcome === "skip")
    details.push(["restart", "not restarted by the rollout: a new pod would not get the agent"]);
  const worst = (["pending", "outdated", "skipped"] as const).find((s) => n[s] > 0);
  if (worst === "pending" || worst === "outdated")
    details.push(["fix", restartHint(policy, w.kind, w.namespace, w.name)]);
  else if (worst === "skipped") {
    const fix = own(FIXES, states.find((s) => s.state === "skipped")?.reason ?? "");
    if (fix) details.push(["fix", fix]);
  }
  details.push(...recordLine);
  const profiled = n.total > 0 && n.injected === n.total;
  return {
    subject,
    profiled,
    verdict: profiled
      ? "profiled"
      : n.injected + n.outdated > 0
        ? "partly profiled"
        : "not profiled",
    details,
  };
}

export function formatExplanation(e: Explanation): string {
  const width = Math.max(0, ...e.details.map(([k]) => k.length)) + 1;
  return [
    `${e.subject}: ${e.verdict}`,
    ...e.details.map(([k, v]) => `  ${`${k}:`.padEnd(width)} ${v}`),
  ].join("\n");
}
