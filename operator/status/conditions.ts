// metav1.Condition bookkeeping: a condition's lastTransitionTime moves only when its status does,
// so status writes stay idempotent and "since when" stays true.
import type { Condition } from "../../core/api/v1alpha1/types.ts";

export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/**
 * The `next` conditions, complete and sorted by type. Only those: each writer applies just the
 * conditions it owns, so server-side apply keeps the other writers' entries.
 */
export function setConditions(
  current: Condition[] | undefined,
  next: ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  return next
    .map((n) => {
      const old = byType.get(n.type);
      return {
        ...n,
        observedGeneration: generation,
        lastTransitionTime:
          old && old.status === n.status
            ? old.lastTransitionTime
            : now.toISOString().replace(/\.\d+Z$/, "Z"),
      };
    })
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

export function conditionStatus(conditions: Condition[] | undefined, type: Condition["type"]) {
  return conditions?.find((c) => c.type === type)?.status;
}
