// Keeps the webhook's namespace label in step with the policies: a namespace some policy
// selects carries it, any other namespace does not. The API server then calls the webhook
// only for pods in labelled namespaces, so a fault cannot reach anywhere else.

import {
  type NamespaceLike,
  type PolicyLike,
  selectsNamespace,
} from "../../core/match/policies.ts";
import { isNotFound, type KubeClient } from "../kube/client.ts";
import type { Informer } from "../kube/informer.ts";
import { mergePatch } from "../kube/resources.ts";
import {
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_VALUE,
} from "../render/webhook-configuration.ts";
import type { Reconciler } from "../runtime/worker.ts";

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
