// Keeps the webhook's namespace label in step with the policies: a namespace some policy
// selects carries it, any other namespace does not. The API server then calls the webhook
// only for pods in labelled namespaces, so a fault cannot reach anywhere else.

import {
  type NamespaceLike,
  type PolicyLike,
  selectsNamespace,
} from "../../core/match/policies.ts";
import type { ManagerContext } from "../context.ts";
import { isNotFound, type KubeClient } from "../kube/client.ts";
import type { Informer } from "../kube/informer.ts";
import { mergePatch } from "../kube/resources.ts";
import {
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_VALUE,
} from "../render/webhook-configuration.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { onlySpecChanges } from "./watches.ts";

/** The merge patch that brings the label to where it belongs, or undefined if it is there. */
export function namespaceLabelPatch(
  ns: NamespaceLike,
  policies: PolicyLike[],
  operatorNamespace: string,
): { metadata: { labels: Record<string, string | null> } } | undefined {
  const want = policies.some((p) => selectsNamespace(p, ns, operatorNamespace));
  const has = ns.metadata?.labels?.[NAMESPACE_INJECTION_LABEL] === NAMESPACE_INJECTION_VALUE;
  if (want === has) return undefined;
  return {
    metadata: { labels: { [NAMESPACE_INJECTION_LABEL]: want ? NAMESPACE_INJECTION_VALUE : null } },
  };
}

export function namespaceLabelReconciler(deps: {
  client: KubeClient;
  namespaces: Informer<NamespaceLike & { metadata?: { deletionTimestamp?: string } }>;
  policies: () => PolicyLike[];
  operatorNamespace: string;
}): Reconciler {
  return async (name) => {
    const ns = deps.namespaces.get(name);
    if (!ns || ns.metadata?.deletionTimestamp) return undefined;
    const patch = namespaceLabelPatch(ns, deps.policies(), deps.operatorNamespace);
    if (!patch) return undefined;
    try {
      // A merge patch, not apply: apply would re-create a namespace deleted meanwhile.
      await mergePatch(deps.client, "Namespace", name, patch);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return undefined;
  };
}

/**
 * Watches namespaces (each change, its own key) and policies: a spec change can move the label
 * anywhere, so it enqueues every namespace (a resync does not: nothing changed).
 */
export function setupNamespaceLabelsController(mgr: ManagerContext): Controller {
  const { caches } = mgr;
  const controller = new Controller({
    name: "namespace-labels",
    clock: mgr.clock,
    logger: mgr.logger,
    metrics: mgr.metrics,
    reconcile: namespaceLabelReconciler({
      client: mgr.client,
      namespaces: caches.namespaces,
      policies: () => caches.policies.list(),
      operatorNamespace: mgr.config.namespace,
    }),
    initialKeys: () => caches.namespaces.keys(),
  });
  caches.policyObjects.onChange(
    onlySpecChanges(
      (key) => caches.policyObjects.get(key),
      (_key, kind) => {
        if (kind === "resync") return;
        for (const ns of caches.namespaces.keys()) controller.enqueue(ns);
      },
    ),
  );
  caches.namespaces.onChange((key) => controller.enqueue(key));
  return controller;
}
