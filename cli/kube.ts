// The CLI's reads and writes of the cluster, kept thin: everything it decides is in pure modules.
import type { V1Pod, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { type LabelSelector, selectorToString } from "../core/match/label-selector.ts";
import type { NamespaceLike } from "../core/match/policies.ts";
import { type PodLike, podMeta } from "../operator/coverage/pod-meta.ts";
import type { PodMeta } from "../operator/coverage/types.ts";
import { isNotFound, KubeClient, METADATA_ONLY } from "../operator/kube/client.ts";
import { loadConnection } from "../operator/kube/connection.ts";
import { collectionPath, mergePatch, objectPath } from "../operator/kube/resources.ts";
import type { MergePatch } from "../operator/rollout/record.ts";
import type { RevisionObject } from "./revisions.ts";
import type { WorkloadInfo } from "./why.ts";

export function connect(context?: string): KubeClient {
  return new KubeClient(loadConnection(process.env, context), { fieldManager: "fleetscope-cli" });
}

async function getOrUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function listPolicies(client: KubeClient): Promise<ProfilingPolicy[]> {
  const list = await client.request<{ items: ProfilingPolicy[] }>(
    "GET",
    collectionPath("ProfilingPolicy"),
  );
  return list.items;
}

export function getPolicy(client: KubeClient, name: string): Promise<ProfilingPolicy | undefined> {
  return getOrUndefined(
    client.request<ProfilingPolicy>("GET", objectPath("ProfilingPolicy", name)),
  );
}

export function getNamespace(client: KubeClient, name: string): Promise<NamespaceLike | undefined> {
  return getOrUndefined(client.request<NamespaceLike>("GET", objectPath("Namespace", name)));
}

/** The whole pod, spec included: what `explain` runs the mutation on. */
export function getRawPod(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<V1Pod | undefined> {
  return getOrUndefined(client.request<V1Pod>("GET", objectPath("Pod", name, namespace)));
}

export async function getPod(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<PodMeta | undefined> {
  const pod = await getOrUndefined(
    client.request<PodLike>("GET", objectPath("Pod", name, namespace)),
  );
  return pod && podMeta(pod);
}

interface WorkloadObject {
  metadata?: { annotations?: Record<string, string>; uid?: string };
  spec?: { selector?: LabelSelector; template?: V1PodTemplateSpec };
}

/** The workload and its pods' metadata, or undefined when there is no such workload. */
export async function getWorkload(
  client: KubeClient,
  kind: string,
  namespace: string,
  name: string,
): Promise<{ workload: WorkloadInfo; pods: PodMeta[] } | undefined> {
  const obj = await getOrUndefined(
    client.request<WorkloadObject>("GET", objectPath(kind, name, namespace)),
  );
  if (!obj) return undefined;
  const selector = obj.spec?.selector;
  const pods = selector
    ? await client.request<{ items: PodLike[] }>("GET", collectionPath("Pod", namespace), {
        query: { labelSelector: selectorToString(selector) },
        accept: METADATA_ONLY,
      })
    : { items: [] };
  return {
    workload: {
      kind,
      namespace,
      name,
      ...(obj.metadata?.annotations ? { annotations: obj.metadata.annotations } : {}),
      ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
      ...(obj.spec?.template ? { template: obj.spec.template } : {}),
    },
    pods: pods.items.map((p) => podMeta({ ...p, metadata: { ...p.metadata, namespace } })),
  };
}

/** A workload's pod template, or undefined when there is no such workload. */
export async function getTemplate(
  client: KubeClient,
  kind: string,
  namespace: string,
  name: string,
): Promise<{ uid?: string; template?: V1PodTemplateSpec } | undefined> {
  const obj = await getOrUndefined(
    client.request<WorkloadObject>("GET", objectPath(kind, name, namespace)),
  );
  return (
    obj && {
      ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
      ...(obj.spec?.template ? { template: obj.spec.template } : {}),
    }
  );
}

export function patchPolicy(client: KubeClient, name: string, patch: unknown): Promise<unknown> {
  return mergePatch(client, "ProfilingPolicy", name, patch);
}

export function patchWorkload(
  client: KubeClient,
  kind: string,
  namespace: string,
  name: string,
  patch: MergePatch,
): Promise<unknown> {
  return mergePatch(client, kind, name, patch, namespace);
}

/**
 * Every ReplicaSet and ControllerRevision in a namespace, or in the cluster: the revisions of
 * Deployments, StatefulSets and DaemonSets. Two list calls, metadata and revision numbers only.
 */
export async function listRevisionObjects(
  client: KubeClient,
  namespace?: string,
): Promise<RevisionObject[]> {
  const [replicaSets, controllerRevisions] = await Promise.all(
    ["ReplicaSet", "ControllerRevision"].map((kind) =>
      client.request<{ items: RevisionObject[] }>("GET", collectionPath(kind, namespace), {
        ...(kind === "ReplicaSet" ? { accept: METADATA_ONLY } : {}),
      }),
    ),
  );
  // A ControllerRevision's data holds a whole pod template; only metadata and revision are kept.
  return [
    ...replicaSets!.items,
    ...controllerRevisions!.items.map((o) => ({ metadata: o.metadata, revision: o.revision })),
  ];
}
