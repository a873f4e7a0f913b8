// How the controllers' watches turn events into keys, where more than one controller needs the
// same rule: a policy counts only when its spec changed, and a namespace concerns only the
// policies that select it or did.
import {
  type NamespaceLike,
  type PolicyLike,
  selectsNamespace,
} from "../../core/match/policies.ts";
import type { Handler, KubeObject } from "../kube/informer.ts";

/**
 * Passes on only the events that can change a policy's spec: its generation moved, or it was
 * added, deleted or resynced. The operator's own status writes keep the generation and so
 * wake nothing.
 */
export function onlySpecChanges(
  get: (key: string) => KubeObject | undefined,
  handler: Handler,
): Handler {
  const seenGeneration = new Map<string, number | undefined>();
  return (key, kind) => {
    const generation = get(key)?.metadata?.generation as number | undefined;
    const specChanged = kind !== "update" || seenGeneration.get(key) !== generation;
    if (kind === "delete") seenGeneration.delete(key);
    else seenGeneration.set(key, generation);
    if (specChanged) handler(key, kind);
  };
}

/**
 * The policies a change of namespace `name` can concern: those selecting it now, and those
 * whose status still lists it (they selected it before). `ns` is undefined once it is deleted.
 */
export function policiesConcerned(
  name: string,
  ns: NamespaceLike | undefined,
  policies: readonly (PolicyLike & { status?: { selectedNamespaces?: string[] } })[],
  operatorNamespace: string,
): { policy: string; listed: boolean; selected: boolean }[] {
  const concerned = [];
  for (const p of policies) {
    const listed = p.status?.selectedNamespaces?.includes(name) ?? false;
    const selected = ns ? selectsNamespace(p, ns, operatorNamespace) : false;
    if (listed || selected) concerned.push({ policy: p.metadata.name ?? "", listed, selected });
  }
  return concerned;
}
