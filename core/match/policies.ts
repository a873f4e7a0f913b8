// Which policy applies where: namespace selection (with the exclusions no policy can override)
// and the winner among several policies selecting one pod (highest priority, then name).
import { LABEL_INJECT } from "../names.ts";
import { type LabelSelector, matchesSelector } from "./label-selector.ts";

/** The opt-in label users put on namespaces; the default namespace selector of a policy. */
export const OPT_IN_LABEL = "fleetscope.io/profiling";
export const DEFAULT_NAMESPACE_SELECTOR: LabelSelector = {
  matchLabels: { [OPT_IN_LABEL]: "enabled" },
};

/** The slice of a ProfilingPolicy that matching reads. */
export interface PolicyLike {
  metadata: { name?: string; generation?: number };
  spec?: {
    priority?: number;
    selector?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector };
  };
}

export interface NamespaceLike {
  metadata?: { name?: string; labels?: Record<string, string> };
}

const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Why a namespace can never be selected, or undefined when policies may select it. */
export function namespaceExclusion(
  ns: NamespaceLike,
  operatorNamespace: string,
): string | undefined {
  const name = ns.metadata?.name ?? "";
  if (SYSTEM_NAMESPACES.has(name) || name.startsWith("kube-")) return "system-namespace";
  if (name === operatorNamespace) return "operator-namespace";
  if (ns.metadata?.labels?.[LABEL_INJECT] === "false") return "namespace-opted-out";
  return undefined;
}

export function selectsNamespace(
  policy: PolicyLike,
  ns: NamespaceLike,
  operatorNamespace: string,
): boolean {
  if (namespaceExclusion(ns, operatorNamespace)) return false;
  const selector = policy.spec?.selector?.namespaceSelector ?? DEFAULT_NAMESPACE_SELECTOR;
  return matchesSelector(selector, ns.metadata?.labels);
}

/** Orders policies by precedence: higher priority first, then name, so the outcome is stable. */
export function byPrecedence<P extends PolicyLike>(a: P, b: P): number {
  const pa = a.spec?.priority ?? 0;
  const pb = b.spec?.priority ?? 0;
  if (pa !== pb) return pb - pa;
  // Code-unit order, not locale order: every replica must pick the same winner.
  const na = a.metadata.name ?? "";
  const nb = b.metadata.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Every policy that selects the pod, winner first. An absent podSelector selects all pods.
 * Called for every admission: the namespace exclusion is decided once rather than per policy,
 * and only the (usually one or two) matching policies are sorted.
 */
export function policiesForPod<P extends PolicyLike>(
  policies: P[],
  ns: NamespaceLike,
  podLabels: Record<string, string> | undefined,
  operatorNamespace: string,
): P[] {
  if (namespaceExclusion(ns, operatorNamespace)) return [];
  const nsLabels = ns.metadata?.labels;
  const matches: P[] = [];
  for (const p of policies) {
    const selector = p.spec?.selector;
    if (!matchesSelector(selector?.namespaceSelector ?? DEFAULT_NAMESPACE_SELECTOR, nsLabels)) {
      continue;
    }
    const podSelector = selector?.podSelector;
    if (podSelector === undefined || matchesSelector(podSelector, podLabels)) matches.push(p);
  }
  if (matches.length > 1) matches.sort(byPrecedence);
  return matches;
}

/**
 * For each policy, the namespaces it selects where a policy of higher precedence also selects
 * the namespace as a whole (no pod selectors): there it can never win, which status reports.
 */
export function namespaceConflicts<P extends PolicyLike>(
  policies: P[],
  namespaces: NamespaceLike[],
  operatorNamespace: string,
): Map<string, { namespace: string; winner: string }[]> {
  const out = new Map<string, { namespace: string; winner: string }[]>();
  for (const ns of namespaces) {
    const selecting = policies
      .filter((p) => selectsNamespace(p, ns, operatorNamespace))
      .sort(byPrecedence);
    const top = selecting.find((p) => p.spec?.selector?.podSelector === undefined);
    if (!top) continue;
    for (const loser of selecting.slice(selecting.indexOf(top) + 1)) {
      const list = out.get(loser.metadata.name ?? "") ?? [];
      list.push({ namespace: ns.metadata?.name ?? "", winner: top.metadata.name ?? "" });
      out.set(loser.metadata.name ?? "", list);
    }
  }
  return out;
}
