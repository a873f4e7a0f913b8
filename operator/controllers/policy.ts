// Reconciles one ProfilingPolicy: ensures its Pyroscope namespace, applies the rendered objects
// with server-side apply, prunes objects it rendered before but no longer does, reads the
// workloads' readiness and writes status — only when something changed.

import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";
import {
  type NamespaceLike,
  namespaceConflicts,
  selectsNamespace,
} from "../../core/match/policies.ts";
import type { ManagerContext } from "../context.ts";
import { ApiError, isNotFound, type KubeClient } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import {
  apply,
  applyStatus,
  collectionPath,
  type ObjectRef,
  objectPath,
} from "../kube/resources.ts";
import type { PolicyCache } from "../policy-cache.ts";
import { LABEL_POLICY, policyLabelValue } from "../render/pyroscope/names.ts";
import { renderPyroscope } from "../render/pyroscope/render.ts";
import { pyroscopeEndpoints } from "../render/pyroscope/urls.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { TerminalError } from "../runtime/worker.ts";
import { policyStatus, statusChanged } from "../status/policy-status.ts";
import { observeSharedClaim, observeWorkloads } from "./policy-observe.ts";
import { onlySpecChanges, policiesConcerned } from "./watches.ts";
import type { WebhookRegistration } from "./webhook-config.ts";

/** Kinds the renderers produce, in the order objects are pruned (dependents first). */
const PRUNABLE_KINDS = [
  "PodDisruptionBudget",
  "Deployment",
  "StatefulSet",
  "Service",
  "ConfigMap",
  "ServiceAccount",
];

/** While Pyroscope is coming up, look again this often; afterwards the watches drive it. */
const POLL_NOT_READY_MS = 3_000;
const RESYNC_MS = 5 * 60_000;

export interface PolicyReconcilerDeps {
  client: KubeClient;
  policies: PolicyCache;
  namespaces: () => NamespaceLike[];
  operatorNamespace: string;
  webhookReady: () => boolean;
  events: EventRecorder;
  now?: () => Date;
}

const policyRef = (p: ProfilingPolicy) => ({
  apiVersion: "fleetscope.io/v1alpha1",
  kind: "ProfilingPolicy",
  name: p.metadata.name ?? "",
  uid: p.metadata.uid,
});

export function policyReconciler(deps: PolicyReconcilerDeps): Reconciler {
  const { client } = deps;

  async function ensureNamespace(name: string) {
    try {
      await client.request("GET", objectPath("Namespace", name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Created, never owned: a namespace may hold more than this policy's Pyroscope.
      await client
        .request("POST", collectionPath("Namespace"), {
          body: {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { "app.kubernetes.io/managed-by": "fleetscope" } },
          },
        })
        .catch((e) => {
          if (!(e instanceof ApiError && e.status === 409)) throw e;
        });
    }
  }

  /**
   * Applies an object; a StatefulSet whose immutable fields changed (the volume claim template,
   * when the policy's storage changes) is deleted with its pods orphaned and applied anew, so
   * the new StatefulSet adopts the running pods instead of restarting them all at once.
   */
  async function applyReplacing(obj: ObjectRef) {
    try {
      await apply(client, obj);
    } catch (err) {
      const immutable =
        obj.kind === "StatefulSet" &&
        err instanceof ApiError &&
        err.status === 422 &&
        /Forbidden: updates to statefulset spec/.test(err.message);
      if (!immutable) throw err;
      await client.request(
        "DELETE",
        objectPath(obj.kind, obj.metadata.name, obj.metadata.namespace),
        {
          query: { propagationPolicy: "Orphan" },
        },
      );
      // The delete finishes once the orphaning finalizer has run; until then apply conflicts.
      for (let i = 0; ; i++) {
        try {
          await apply(client, obj);
          return;
        } catch (e) {
          if (i >= 20 || !(e instanceof ApiError && (e.status === 409 || e.status === 422)))
            throw e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  }

  async function prune(policy: ProfilingPolicy, keep: Set<string>): Promise<number> {
    const selector = `${LABEL_POLICY}=${policyLabelValue(policy.metadata.name ?? "")},app.kubernetes.io/managed-by=fleetscope`;
    let pruned = 0;
    for (const kind of PRUNABLE_KINDS) {
      const list = await client.request<{ items: ObjectRef[] }>("GET", collectionPath(kind), {
        query: { labelSelector: selector },
      });
      for (const item of list.items) {
        const key = `${kind}/${item.metadata.namespace}/${item.metadata.name}`;
        const owners = (item.metadata.ownerReferences ?? []) as { uid?: string }[];
        if (keep.has(key) || !owners.some((o) => o.uid === policy.metadata.uid)) continue;
        await client
          .request("DELETE", objectPath(kind, item.metadata.name, item.metadata.namespace), {
            query: { propagationPolicy: "Background" },
          })
          .catch((e) => {
            if (!isNotFound(e)) throw e;
          });
        pruned++;
      }
    }
    return pruned;
  }

  // What was last applied per policy: a status-only wake-up (readiness polling) need not
  // re-apply every object; a new generation, a missing workload or the resync period does.
  const applied = new Map<string, { uid?: string; generation?: number; at: number }>();

  return async (name) => {
    const entry = deps.policies.get(name);
    if (!entry) return undefined; // deleted: owner references let the garbage collector clean up
    const now = deps.now?.() ?? new Date();
    if (!entry.policy) {
      throw new TerminalError(`policy ${name} is invalid: ${entry.error}`);
    }
    const policy = entry.policy;
    if (policy.metadata.deletionTimestamp) return undefined;

    let applyError: string | undefined;
    const last = applied.get(name);
    const upToDate =
      last !== undefined &&
      last.uid === policy.metadata.uid &&
      last.generation === policy.metadata.generation &&
      now.getTime() - last.at < RESYNC_MS;
    if (policy.spec.pyroscope.mode !== "External" && !upToDate) {
      try {
        await ensureNamespace(policy.spec.pyroscope.namespace);
        const desired = renderPyroscope(policy, { operatorNamespace: deps.operatorNamespace });
        for (const obj of desired) await applyReplacing(obj as unknown as ObjectRef);
        const keep = new Set(
          desired.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
        );
        const pruned = await prune(policy, keep);
        if (pruned > 0) {
          deps.events.record(
            policyRef(policy),
            "Normal",
            "Pruned",
            `Removed ${pruned} objects no longer rendered.`,
          );
        }
        applied.set(name, {
          uid: policy.metadata.uid,
          generation: policy.metadata.generation,
          at: now.getTime(),
        });
      } catch (err) {
        applied.delete(name);
        applyError = err instanceof Error ? err.message : String(err);
        deps.events.record(policyRef(policy), "Warning", "ApplyFailed", applyError);
      }
    }

    const workloads = applyError ? [] : await observeWorkloads(client, policy);
    const claimCause = applyError ? undefined : await observeSharedClaim(client, policy);
    // Someone deleted a workload: apply again on the next pass instead of waiting for resync.
    if (workloads.some((w) => w.replicas === undefined)) applied.delete(name);
    const namespaces = deps.namespaces();
    const all = deps.policies.list();
    const status = policyStatus({
      policy,
      endpoints: pyroscopeEndpoints(policy),
      workloads,
      webhookReady: deps.webhookReady(),
      selectedNamespaces: namespaces
        .filter((ns) => selectsNamespace(policy, ns, deps.operatorNamespace))
        .map((ns) => ns.metadata?.name ?? ""),
      conflicts: namespaceConflicts(all, namespaces, deps.operatorNamespace).get(name) ?? [],
      applyError,
      ...(claimCause === undefined ? {} : { sharedClaimCause: claimCause }),
      now,
    });
    if (statusChanged(policy.status, status)) {
      const wasReady = policy.status?.conditions?.find((c) => c.type === "Ready")?.status;
      const isReady = status.conditions?.find((c) => c.type === "Ready")?.status;
      await applyStatus(client, {
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name },
        status,
      });
      const pyroscope = status.conditions?.find((c) => c.type === "PyroscopeReady");
      if (pyroscope?.status === "False" && pyroscope.reason === "ComponentBlocked") {
        deps.events.record(policyRef(policy), "Warning", "PyroscopeNotReady", pyroscope.message);
      }
      if (wasReady !== isReady && isReady === "True") {
        deps.events.record(
          policyRef(policy),
          "Normal",
          "Ready",
          `Pyroscope ready at ${status.pyroscope?.writeURL}.`,
        );
      }
    }
    if (applyError) throw new Error(applyError);
    const ready = status.conditions?.find((c) => c.type === "Ready")?.status === "True";
    return { requeueAfterMs: ready ? RESYNC_MS : POLL_NOT_READY_MS };
  };
}

/**
 * Watches policies (a spec change: its own key), namespaces (the policies whose selection a
 * change moves: selected now and not listed in status, or the reverse) and the webhook's
 * registration, which every policy's Ready waits for.
 */
export function setupPolicyController(
  mgr: ManagerContext,
  webhook: WebhookRegistration,
): Controller {
  const { caches, config } = mgr;
  const controller = new Controller({
    name: "policy",
    clock: mgr.clock,
    logger: mgr.logger,
    metrics: mgr.metrics,
    reconcile: policyReconciler({
      client: mgr.client,
      policies: caches.policies,
      namespaces: () => caches.namespaces.list(),
      operatorNamespace: config.namespace,
      webhookReady: () => webhook.ready(),
      events: mgr.events,
    }),
    initialKeys: () => caches.policyObjects.keys(),
  });
  webhook.onRegistered(() => {
    for (const name of caches.policyObjects.keys()) controller.enqueue(name);
  });
  caches.policyObjects.onChange(
    onlySpecChanges((key) => caches.policyObjects.get(key), controller.enqueue),
  );
  caches.namespaces.onChange((key) => {
    const ns = caches.namespaces.get(key);
    for (const c of policiesConcerned(key, ns, caches.policies.list(), config.namespace)) {
      if (c.listed !== c.selected) controller.enqueue(c.policy);
    }
  });
  return controller;
}
