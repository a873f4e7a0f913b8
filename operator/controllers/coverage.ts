// Reconciles a policy's coverage and rollout: counts what the webhook stamped on pods (from the
// metadata-only pod cache), and for Rolling policies carries out the planner's next restarts,
// completions, halts and rollbacks. Writes only status.coverage, status.rollout and the
// RolloutComplete condition, under its own field manager.
import type { V1Pod } from "@kubernetes/client-node";
import type { ProfilingPolicy, ProfilingPolicyStatus } from "../../core/api/v1alpha1/types.ts";
import { selectorToString } from "../../core/match/label-selector.ts";
import type { NamespaceLike } from "../../core/match/policies.ts";
import { selectsNamespace } from "../../core/match/policies.ts";
import type { ManagerContext } from "../context.ts";
import { computeCoverage } from "../coverage/compute.ts";
import type { CoverageMetrics } from "../coverage/metrics.ts";
import { coverageMetrics } from "../coverage/metrics.ts";
import { podMeta } from "../coverage/pod-meta.ts";
import type { TemplatePredictions } from "../coverage/template-predictions.ts";
import type { KubeClient } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import type { Informer, KubeObject } from "../kube/informer.ts";
import { applyStatus, collectionPath, mergePatch } from "../kube/resources.ts";
import type { PolicyCache } from "../policy-cache.ts";
import { planRollout } from "../rollout/plan.ts";
import {
  crashLooping,
  podsSince,
  type WorkloadObject,
  workloadReadiness,
} from "../rollout/readiness.ts";
import { ANNOTATION_ROLLOUT_TIME, parseRecord } from "../rollout/record.ts";
import type { RolloutWorkload, WorkloadFacts } from "../rollout/types.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { blockingCause } from "../status/blocking-cause.ts";
import { setConditions } from "../status/conditions.ts";
import { statusChanged } from "../status/policy-status.ts";
import { onlySpecChanges, policiesConcerned } from "./watches.ts";
import type { WebhookRegistration } from "./webhook-config.ts";

export const COVERAGE_FIELD_MANAGER = "fleetscope-coverage";
/** The writer of restarts and rollout records on workloads, as their managedFields show it. */
export const ROLLOUT_FIELD_MANAGER = "fleetscope-rollout";
const RESYNC_MS = 5 * 60_000;
const CRASH_CHECK_MS = 10_000;

type Workload = KubeObject &
  WorkloadObject & {
    metadata?: { annotations?: Record<string, string> };
    spec?: { selector?: { matchLabels?: Record<string, string> } };
  };

export interface CoverageReconcilerDeps {
  client: KubeClient;
  policies: PolicyCache;
  namespaces: () => NamespaceLike[];
  pods: Informer<KubeObject>;
  /** Full Deployments, StatefulSets and DaemonSets, by kind. */
  workloads: Record<"Deployment" | "StatefulSet" | "DaemonSet", Informer<Workload>>;
  /** The webhook's decision for each workload's template: what a restart would bring. */
  predictions?: TemplatePredictions;
  operatorNamespace: string;
  /** Whether this operator's webhook is registered: restarts wait for it. */
  webhookReady: () => boolean;
  /** The policy's injection revision, as the webhook stamps it on pods. */
  revisionOf: (policy: ProfilingPolicy) => string;
  events: EventRecorder;
  metrics: CoverageMetrics;
  now?: () => Date;
}

export function coverageReconciler(deps: CoverageReconcilerDeps): Reconciler {
  const { client } = deps;
  // Records this controller wrote that the workload cache may not show yet. The planner must
  // see its own writes: from a lagging cache it would restart the same workload twice.
  const written = new Map<string, Record<string, string>>();
  // Crash-loop checks read a workload's full pods: only while it is not yet available, and at
  // most every CRASH_CHECK_MS per workload, not on every reconcile of a busy rollout.
  const crashChecks = new Map<string, { at: number; looping: boolean; blocking?: string }>();

  function annotationsOf(key: string, cached: Record<string, string> | undefined) {
    const mine = written.get(key);
    if (!mine) return cached;
    if (cached?.[ANNOTATION_ROLLOUT_TIME] === mine[ANNOTATION_ROLLOUT_TIME]) {
      written.delete(key); // the cache has caught up
      return cached;
    }
    return { ...cached, ...mine };
  }

  async function facts(policy: ProfilingPolicy, kind: string, ns: string, name: string) {
    const informer = deps.workloads[kind as keyof CoverageReconcilerDeps["workloads"]];
    const obj = informer?.get(`${ns}/${name}`);
    if (!obj) return undefined;
    const readiness = workloadReadiness(kind, obj);
    const annotations = annotationsOf(`${kind}/${ns}/${name}`, obj.metadata?.annotations);
    const record = parseRecord(annotations);
    let looping = false;
    let blocking: string | undefined;
    const key = `${kind}/${ns}/${name}`;
    if (
      record &&
      record.policy === policy.metadata.name &&
      record.revision === policy.status?.revision &&
      record.phase === "Restarting" &&
      !readiness.ready &&
      obj.spec?.selector?.matchLabels
    ) {
      const now = (deps.now?.() ?? new Date()).getTime();
      const last = crashChecks.get(key);
      if (last && now - last.at < CRASH_CHECK_MS) {
        looping = last.looping;
        blocking = last.blocking;
      } else {
        const pods = await client.request<{ items: V1Pod[] }>("GET", collectionPath("Pod", ns), {
          query: {
            labelSelector: selectorToString({ matchLabels: obj.spec.selector.matchLabels }),
          },
        });
        const since = new Date(record.time);
        looping = crashLooping(pods.items, since);
        blocking = blockingCause({ pods: podsSince(pods.items, since) });
        crashChecks.set(key, { at: now, looping, ...(blocking ? { blocking } : {}) });
      }
    } else {
      crashChecks.delete(key);
    }
    const f: WorkloadFacts = {
      ready: readiness.ready,
      restartable: readiness.restartable,
      readiness: readiness.message,
      crashLooping: looping,
      ...(blocking ? { blocking } : {}),
    };
    if (annotations) f.annotations = annotations;
    return f;
  }

  return async (name) => {
    const entry = deps.policies.get(name);
    if (!entry?.policy) {
      deps.metrics.forget(name);
      return undefined;
    }
    // Coverage and rollout judge pods by the revision the webhook stamps now, not by the
    // status's copy, which this very reconcile may be about to update.
    const revision = deps.revisionOf(entry.policy);
    const policy = { ...entry.policy, status: { ...entry.policy.status, revision } };
    const now = deps.now?.() ?? new Date();
    const coverage = computeCoverage(policy, {
      namespaces: deps.namespaces(),
      policies: deps.policies.list(),
      pods: deps.pods.list().map((p) => podMeta(p as never)),
      operatorNamespace: deps.operatorNamespace,
      ...(deps.predictions ? { predict: deps.predictions.lookup() } : {}),
    });
    deps.metrics.update(name, coverage.status);

    const workloads: RolloutWorkload[] = [];
    for (const w of coverage.workloads) {
      const rw: RolloutWorkload = {
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        state: w.state,
      };
      const f = await facts(policy, w.kind, w.namespace, w.name);
      if (f) rw.facts = f;
      workloads.push(rw);
    }
    // Until this operator's webhook is registered (just after a failover), a restarted pod
    // would be admitted without the agent: plan as if paused, act on nothing, and keep the
    // rollout status as it was.
    const webhookReady = deps.webhookReady();
    const plan = planRollout({
      policy: webhookReady
        ? policy
        : {
            ...policy,
            spec: { ...policy.spec, rollout: { ...policy.spec.rollout, paused: true } },
          },
      workloads,
      now,
    });
    const policyRef = {
      apiVersion: "fleetscope.io/v1alpha1",
      kind: "ProfilingPolicy",
      name,
      uid: policy.metadata.uid,
    };
    // Without this operator's webhook, a restart (or a retry) would bring pods up without the
    // agent: act only once it is registered.
    for (const action of webhookReady ? plan.actions : []) {
      const { kind, namespace, name: wname } = action.workload;
      const updated = await mergePatch<{ metadata?: { annotations?: Record<string, string> } }>(
        client,
        kind,
        wname,
        action.patch,
        namespace,
        ROLLOUT_FIELD_MANAGER,
      );
      const annotations = updated.metadata?.annotations;
      if (annotations) written.set(`${kind}/${namespace}/${wname}`, annotations);
      for (const e of action.events) {
        const regarding =
          e.on === "policy" ? policyRef : { apiVersion: "apps/v1", kind, name: wname, namespace };
        deps.events.record(regarding, e.type, e.reason, e.message);
      }
    }

    const status: ProfilingPolicyStatus = { revision, coverage: coverage.status };
    if (webhookReady) {
      status.rollout = plan.status;
      status.conditions = setConditions(
        policy.status?.conditions,
        [plan.condition],
        policy.metadata.generation ?? 0,
        now,
      );
    }
    if (statusChanged(policy.status, status)) {
      await applyStatus(
        client,
        {
          apiVersion: "fleetscope.io/v1alpha1",
          kind: "ProfilingPolicy",
          metadata: { name },
          status,
        },
        COVERAGE_FIELD_MANAGER,
      );
    }
    if (!webhookReady) return { requeueAfterMs: 2_000 };
    return { requeueAfterMs: Math.min(plan.requeueAfterMs ?? RESYNC_MS, RESYNC_MS) };
  };
}

/**
 * Watches pods and workloads (the policies selecting their namespace), policies (a spec
 * change: its own key) and namespaces (the policies selecting or listing them). Pod, workload
 * and namespace changes come in bursts: they are batched for a second.
 */
export function setupCoverageController(
  mgr: ManagerContext,
  webhook: WebhookRegistration,
): Controller {
  const { caches, config } = mgr;
  const controller = new Controller({
    name: "coverage",
    clock: mgr.clock,
    logger: mgr.logger,
    metrics: mgr.metrics,
    reconcile: coverageReconciler({
      client: mgr.client,
      policies: caches.policies,
      namespaces: () => caches.namespaces.list(),
      pods: caches.pods,
      workloads: caches.workloads as never,
      predictions: caches.predictions,
      operatorNamespace: config.namespace,
      revisionOf: (p) => mgr.settingsFor(p).revision,
      webhookReady: () => webhook.ready(),
      events: mgr.events,
      metrics: coverageMetrics(mgr.registry),
    }),
    initialKeys: () => caches.policyObjects.keys(),
  });
  const soon = (policy: string) => controller.queue.addAfter(policy, 1_000);
  /** Policies whose coverage a change in this namespace can move. */
  const touch = (key: string) => {
    const namespace = key.split("/")[0];
    const ns = namespace ? caches.namespaces.get(namespace) : undefined;
    if (!ns) return;
    for (const p of caches.policies.list()) {
      if (selectsNamespace(p, ns, config.namespace)) soon(p.metadata.name ?? "");
    }
  };
  caches.pods.onChange(touch);
  for (const inf of Object.values(caches.workloads)) inf.onChange(touch);
  caches.policyObjects.onChange(
    onlySpecChanges((key) => caches.policyObjects.get(key), controller.enqueue),
  );
  caches.namespaces.onChange((key) => {
    const ns = caches.namespaces.get(key);
    for (const c of policiesConcerned(key, ns, caches.policies.list(), config.namespace)) {
      soon(c.policy);
    }
  });
  return controller;
}
