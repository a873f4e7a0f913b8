// metav1.Condition bookkeeping: a condition's lastTransitionTime moves only when its status does,
// so status writes stay idempotent and "since when" stays true.
import type { Condition } from "../api/v1alpha1/types.ts";

export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/** The conditions after setting `next`, in a stable order (by type). */
export function setConditions(
  current: Condition[] | undefined,
  next: ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  for (const n of next) {
    const old = byType.get(n.type);
    byType.set(n.type, {
      ...n,
      observedGeneration: generation,
      lastTransitionTime:
        old && old.status === n.status
          ? old.lastTransitionTime
          : now.toISOString().replace(/\.\d+Z$/, "Z"),
    });
  }
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

export function conditionStatus(conditions: Condition[] | undefined, type: Condition["type"]) {
  return conditions?.find((c) => c.type === type)?.status;
}
