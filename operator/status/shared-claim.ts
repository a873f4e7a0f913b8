// Whether the ReadWriteMany claim a Microservices Pyroscope shares its blocks through can serve
// every component: a pure check of the claim as read, giving the cause PyroscopeReady names.
import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";

/** The fields of a PersistentVolumeClaim the check reads. */
export interface ClaimLike {
  spec?: { accessModes?: string[] };
  status?: { phase?: string; accessModes?: string[] };
}

export interface SharedClaimRef {
  namespace: string;
  name: string;
}

/** The shared claim a policy's components mount, if it names one. */
export function sharedClaimOf(policy: ProfilingPolicy): SharedClaimRef | undefined {
  const { pyroscope } = policy.spec;
  if (pyroscope.mode !== "Microservices") return undefined;
  const storage = pyroscope.microservices?.objectStorage;
  const claim =
    storage?.backend === "filesystem" ? storage.filesystem?.persistentVolumeClaim : undefined;
  return claim === undefined
    ? undefined
    : { namespace: pyroscope.namespace, name: claim.claimName };
}

/**
 * Why the claim keeps components from sharing blocks, or undefined when it is bound and
 * ReadWriteMany. `claim` is undefined when it does not exist. A bound claim is judged by the
 * access modes of the volume it got (status), a pending one by those it asks for (spec).
 */
export function sharedClaimCause(
  ref: SharedClaimRef,
  claim: ClaimLike | undefined,
): string | undefined {
  const id = `shared claim ${ref.namespace}/${ref.name}`;
  if (claim === undefined) {
    return `${id} does not exist: create a ReadWriteMany PersistentVolumeClaim of that name`;
  }
  const phase = claim.status?.phase ?? "Pending";
  const bound = phase === "Bound";
  const modes = (bound ? claim.status?.accessModes : claim.spec?.accessModes) ?? [];
  const problems: string[] = [];
  if (!bound) problems.push(`is ${phase}, not Bound`);
  if (!modes.includes("ReadWriteMany")) {
    const has = modes.length === 0 ? "no access mode" : modes.join(", ");
    problems.push(
      `${bound ? "is bound to a volume with" : "asks for"} ${has}, not ReadWriteMany: pods on different nodes cannot all mount it`,
    );
  }
  return problems.length === 0 ? undefined : `${id} ${problems.join(" and ")}`;
}
