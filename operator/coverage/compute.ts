// Coverage of one policy across the fleet, as a pure function of namespaces, policies and pod
// metadata, so that it can be recomputed on every watch event and tested from fixtures.
import type { CoverageStatus } from "../../core/api/v1alpha1/types.ts";
import { type NamespaceLike, selectsNamespace } from "../../core/match/policies.ts";
import { type CoveragePolicy, classifyPod, ineligibility } from "./classify.ts";
import { applyPrediction } from "./predicted.ts";
import type { PredictionLookup } from "./template-predictions.ts";
import type { CoverageState, PodCounts, PodCoverage, PodMeta, WorkloadCoverage } from "./types.ts";

export interface CoverageInput {
  namespaces: readonly NamespaceLike[];
  /** Every ProfilingPolicy, this one included or not: precedence decides which pods are ours. */
  policies: readonly CoveragePolicy[];
  /** Pods of the selected namespaces at least; others are ignored. */
  pods: readonly PodMeta[];
  operatorNamespace: string;
  /**
   * What the webhook would do to a new pod of a workload (from its template). Pods a restart
   * would not give the agent are skipped for the predicted reason, never pending.
   */
  predict?: PredictionLookup;
}

export interface CoverageResult {
  status: CoverageStatus;
  /** Sorted by namespace, name, kind. Jobs and CronJobs are not workloads here. */
  workloads: WorkloadCoverage[];
  /** Every eligible pod, sorted by namespace and name. */
  pods: PodCoverage[];
}

/** Their pods count; the Jobs themselves finish and are never restarted for the agent. */
const NOT_WORKLOADS = new Set(["Job", "CronJob"]);

/** Worst first: the state that decides what a workload needs. */
const WORKLOAD_STATE_ORDER: readonly CoverageState[] = [
  "pending",
  "outdated",
  "injected",
  "skipped",
];

export function computeCoverage(policy: CoveragePolicy, input: CoverageInput): CoverageResult {
  const selected = new Map<string, NamespaceLike>();
  for (const ns of input.namespaces) {
    if (selectsNamespace(policy, ns, input.operatorNamespace))
      selected.set(ns.metadata?.name ?? "", ns);
  }
  const pods: PodCoverage[] = [];
  for (const pod of input.pods) {
    const ns = selected.get(pod.namespace);
    if (!ns) continue;
    if (ineligibility(policy, pod, ns, input.policies, input.operatorNamespace)) continue;
    pods.push(applyPrediction(classifyPod(policy, pod), input.predict));
  }
  pods.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  const workloads = groupWorkloads(pods);
  return { status: coverageStatus(selected.size, pods, workloads), workloads, pods };
}

function groupWorkloads(pods: readonly PodCoverage[]): WorkloadCoverage[] {
  const groups = new Map<string, PodCoverage[]>();
  for (const p of pods) {
    if (NOT_WORKLOADS.has(p.workload.kind)) continue;
    const key = `${p.namespace}\0${p.workload.name}\0${p.workload.kind}`;
    const list = groups.get(key) ?? [];
    list.push(p);
    groups.set(key, list);
  }
  const out: WorkloadCoverage[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const counts = countPods(list);
    const state = WORKLOAD_STATE_ORDER.find((s) => counts[s] > 0)!;
    const reason = mostFrequent(list.filter((p) => p.state === state).map((p) => p.reason));
    out.push({
      kind: first.workload.kind,
      namespace: first.namespace,
      name: first.workload.name,
      state,
      ...(reason === undefined ? {} : { reason }),
      pods: counts,
    });
  }
  return out.sort(
    (a, b) =>
      compare(a.namespace, b.namespace) || compare(a.name, b.name) || compare(a.kind, b.kind),
  );
}

export function countPods(pods: readonly { state: CoverageState }[]): PodCounts {
  const counts: PodCounts = { total: 0, injected: 0, outdated: 0, pending: 0, skipped: 0 };
  for (const p of pods) {
    counts.total++;
    counts[p.state]++;
  }
  return counts;
}

/**
 * The API has no pending count: pending pods are reported as skipped, with their reason in
 * skippedReasons, so that eligible = injected + outdated + skipped and the reasons sum to
 * skipped. The rollout status says what a restart would change.
 */
function coverageStatus(
  namespaces: number,
  pods: readonly PodCoverage[],
  workloads: readonly WorkloadCoverage[],
): CoverageStatus {
  const p = countPods(pods);
  const w = countPods(workloads);
  const reasons = new Map<string, number>();
  for (const pod of pods) {
    if (pod.state === "pending" || pod.state === "skipped") {
      const r = pod.reason ?? "Unknown";
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
  }
  const sortedReasons = Object.fromEntries([...reasons].sort(([a], [b]) => compare(a, b)));
  return {
    summary: summary(p.injected, p.total),
    namespaces,
    workloads: {
      eligible: w.total,
      injected: w.injected,
      outdated: w.outdated,
      skipped: w.pending + w.skipped,
    },
    pods: {
      eligible: p.total,
      injected: p.injected,
      outdated: p.outdated,
      skipped: p.pending + p.skipped,
    },
    ...(Object.keys(sortedReasons).length > 0 ? { skippedReasons: sortedReasons } : {}),
  };
}

/** Rounded down, so 100% means every pod. */
export function summary(injected: number, eligible: number): string {
  if (eligible === 0) return "0/0";
  return `${injected}/${eligible} (${Math.floor((injected * 100) / eligible)}%)`;
}

function mostFrequent(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of [...counts].sort(([a], [b]) => compare(a, b))) {
    if (!best || entry[1] > best[1]) best = entry;
  }
  return best?.[0];
}

/** Code-unit order, not locale order: every replica must order alike. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
