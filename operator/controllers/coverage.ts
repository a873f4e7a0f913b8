// Reconciles a policy's coverage and rollout: counts what the webhook stamped on pods (from the
// metadata-only pod cache), hands the count to the rollout (rollout.ts), which carries out the
// planner's next restarts, completions, halts and rollbacks, then publishes coverage and rollout
// status. Writes only status.coverage, status.rollout and the RolloutComplete condition, under
// its own field manager.
import type { ProfilingPolicy, ProfilingPolicyStatus } from "../../core/api/v1alpha1/types.ts";
import type { NamespaceLike } from "../../core/match/policies.ts";
import { selectsNamespace } from "../../core/match/policies.ts";
import type { ManagerContext } from "../context.ts";
import { computeCoverage } from "../coverage/compute.ts";
import type { CoverageMetrics } from "../coverage/metrics.ts";
import { coverageMetrics } from "../coverage/metrics.ts";
import { podMeta } from "../coverage/pod-meta.ts";
import type { TemplatePredictions } from "../coverage/template-predictions.ts";
import type { Informer, KubeObject } from "../kube/informer.ts";
import { applyStatus } from "../kube/resources.ts";
import type { PolicyCache } from "../policy-cache.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { setConditions } from "../status/conditions.ts";
import { statusChanged } from "../status/policy-status.ts";
import { type RolloutDeps, rollout } from "./rollout.ts";
import { onlySpecChanges, policiesConcerned } from "./watches.ts";
import type { WebhookRegistration } from "./webhook-config.ts";

export const COVERAGE_FIELD_MANAGER = "fleetscope-coverage";
const RESYNC_MS = 5 * 60_000;

/** With the rollout's own needs: the client, workload caches, webhook readiness, Events, clock. */
export interface CoverageReconcilerDeps extends RolloutDeps {
  policies: PolicyCache;
  namespaces: () => NamespaceLike[];
  pods: Informer<KubeObject>;
  /** The webhook's decision for each workload's template: what a restart would bring. */
  predictions?: TemplatePredictions;
  operatorNamespace: string;
  /** The policy's injection revision, as the webhook stamps it on pods. */
  revisionOf: (policy: ProfilingPolicy) => string;
  metrics: CoverageMetrics;
}

export function coverageReconciler(deps: CoverageReconcilerDeps): Reconciler {
  const { client } = deps;
  const rolloutStep = rollout(deps);

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

    // Until this operator's webhook is registered (just after a failover), the rollout acts on
    // nothing, and its status stays as it was.
    const { plan, acted: webhookReady } = await rolloutStep({
      policy,
      workloads: coverage.workloads,
      now,
    });

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
