// Choosing one policy when several select a pod: highest priority wins, ties go to the name that
// sorts first, so every webhook replica picks the same policy whatever order its cache holds.

export interface PolicyCandidate {
  name: string;
  /** Absent counts as 0. */
  priority?: number;
}

export function selectPolicy<T extends PolicyCandidate>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!best || outranks(c, best)) best = c;
  }
  return best;
}

function outranks(a: PolicyCandidate, b: PolicyCandidate): boolean {
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return pa > pb;
  // Code-unit order, not locale order: it must not depend on the process's locale.
  return a.name < b.name;
}
