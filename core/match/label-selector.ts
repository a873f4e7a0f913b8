// metav1.LabelSelector semantics as a pure predicate, for matching namespaces and pods in memory.
import { own } from "../own.ts";

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * True when `labels` satisfy every term. An empty selector matches everything and an absent
 * one nothing, as in the API; an unknown operator matches nothing rather than everything.
 */
export function matchesSelector(
  selector: LabelSelector | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (own(l, k) !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const value = own(l, req.key);
    const has = value !== undefined;
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
        if (!has || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The selector as a `labelSelector` query string, for narrowing lists and watches. */
export function selectorToString(selector: LabelSelector): string {
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    const vals = (r.values ?? []).join(",");
    if (r.operator === "In") terms.push(`${r.key} in (${vals})`);
    else if (r.operator === "NotIn") terms.push(`${r.key} notin (${vals})`);
    else if (r.operator === "Exists") terms.push(r.key);
    else if (r.operator === "DoesNotExist") terms.push(`!${r.key}`);
  }
  return terms.join(",");
}
