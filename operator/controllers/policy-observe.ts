// What the policy controller reads back after applying: each Pyroscope workload's readiness
// and, for one not ready, why (from its pods, claims, StorageClasses and Warning Events); and
// whether the policy's shared claim can serve every component.
import type {
  CoreV1Event,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";
import { type LabelSelector, selectorToString } from "../../core/match/label-selector.ts";
import { isNotFound, type KubeClient } from "../kube/client.ts";
import { collectionPath, objectPath } from "../kube/resources.ts";
import { expectedWorkloads } from "../render/pyroscope/render.ts";
import { blockingCause, type CauseInput } from "../status/blocking-cause.ts";
import type { ObservedWorkload } from "../status/policy-status.ts";
import { type ClaimLike, sharedClaimCause, sharedClaimOf } from "../status/shared-claim.ts";

/** Each workload the policy renders as it stands: replicas, ready ones, and why it is stuck. */
export async function observeWorkloads(
  client: KubeClient,
  policy: ProfilingPolicy,
): Promise<ObservedWorkload[]> {
  const observed = await Promise.all(
    expectedWorkloads(policy).map(async (w) => {
      try {
        const obj = await client.request<{
          spec?: { replicas?: number; selector?: LabelSelector };
          status?: { readyReplicas?: number };
        }>("GET", objectPath(w.kind, w.name, w.namespace));
        return {
          component: w.component,
          kind: w.kind,
          name: w.name,
          namespace: w.namespace,
          replicas: obj.spec?.replicas ?? 1,
          readyReplicas: obj.status?.readyReplicas ?? 0,
          selector: obj.spec?.selector,
        };
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return { component: w.component, kind: w.kind, name: w.name, namespace: w.namespace };
      }
    }),
  );
  // Only components that exist and are not ready are looked into: a few reads, and only
  // while Pyroscope is coming up or broken.
  const stuck = observed.filter(
    (w) => w.replicas !== undefined && (w.readyReplicas ?? 0) < w.replicas && w.selector,
  );
  if (stuck.length > 0) {
    const context = await causeContext(client, stuck[0]!.namespace);
    for (const w of stuck) {
      const pods = await client
        .request<{ items: V1Pod[] }>("GET", collectionPath("Pod", w.namespace), {
          query: { labelSelector: selectorToString(w.selector!) },
        })
        .then((l) => l.items)
        .catch(() => undefined);
      const cause =
        pods && blockingCause({ ...context, pods, workload: { kind: w.kind, name: w.name } });
      if (cause) (w as ObservedWorkload).blocking = cause;
    }
  }
  return observed.map(({ namespace: _, selector: __, ...w }) => w);
}

/** Claims, StorageClasses and Warning Events, each left out when it cannot be read. */
async function causeContext(
  client: KubeClient,
  namespace: string,
): Promise<Omit<CauseInput, "pods">> {
  const items = <T>(path: string, query?: Record<string, string>) =>
    client
      .request<{ items: T[] }>("GET", path, query ? { query } : {})
      .then((l) => l.items)
      .catch(() => undefined);
  const [claims, storageClasses, events] = await Promise.all([
    items<V1PersistentVolumeClaim>(collectionPath("PersistentVolumeClaim", namespace)),
    items<V1StorageClass>(collectionPath("StorageClass")),
    items<CoreV1Event>(collectionPath("CoreEvent", namespace), { fieldSelector: "type=Warning" }),
  ]);
  return {
    ...(claims ? { claims } : {}),
    ...(storageClasses ? { storageClasses } : {}),
    ...(events ? { events } : {}),
  };
}

/** Why the policy's shared claim cannot serve every component; undefined when it can. */
export async function observeSharedClaim(
  client: KubeClient,
  policy: ProfilingPolicy,
): Promise<string | undefined> {
  const ref = sharedClaimOf(policy);
  if (ref === undefined) return undefined;
  const claim = await client
    .request<ClaimLike>("GET", objectPath("PersistentVolumeClaim", ref.name, ref.namespace))
    .catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  return sharedClaimCause(ref, claim);
}
