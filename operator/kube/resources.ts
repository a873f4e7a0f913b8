// REST paths of the kinds the operator reads and writes, and server-side apply under one field manager.
import { APPLY_PATCH, type KubeClient, MERGE_PATCH } from "./client.ts";
import { FIELD_MANAGER } from "./identity.ts";

export { FIELD_MANAGER };

interface Resource {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

const RESOURCES: Record<string, Resource> = {
  Namespace: { group: "", version: "v1", plural: "namespaces", namespaced: false },
  Pod: { group: "", version: "v1", plural: "pods", namespaced: true },
  PersistentVolumeClaim: {
    group: "",
    version: "v1",
    plural: "persistentvolumeclaims",
    namespaced: true,
  },
  Secret: { group: "", version: "v1", plural: "secrets", namespaced: true },
  ConfigMap: { group: "", version: "v1", plural: "configmaps", namespaced: true },
  Service: { group: "", version: "v1", plural: "services", namespaced: true },
  ServiceAccount: { group: "", version: "v1", plural: "serviceaccounts", namespaced: true },
  Event: { group: "events.k8s.io", version: "v1", plural: "events", namespaced: true },
  /** core/v1 Events: field selectors on type and involvedObject, as kubelet and scheduler write them. */
  CoreEvent: { group: "", version: "v1", plural: "events", namespaced: true },
  StorageClass: {
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    namespaced: false,
  },
  Deployment: { group: "apps", version: "v1", plural: "deployments", namespaced: true },
  StatefulSet: { group: "apps", version: "v1", plural: "statefulsets", namespaced: true },
  DaemonSet: { group: "apps", version: "v1", plural: "daemonsets", namespaced: true },
  ReplicaSet: { group: "apps", version: "v1", plural: "replicasets", namespaced: true },
  ControllerRevision: {
    group: "apps",
    version: "v1",
    plural: "controllerrevisions",
    namespaced: true,
  },
  PodDisruptionBudget: {
    group: "policy",
    version: "v1",
    plural: "poddisruptionbudgets",
    namespaced: true,
  },
  MutatingWebhookConfiguration: {
    group: "admissionregistration.k8s.io",
    version: "v1",
    plural: "mutatingwebhookconfigurations",
    namespaced: false,
  },
  ClusterRole: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterroles",
    namespaced: false,
  },
  Lease: { group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true },
  ProfilingPolicy: {
    group: "fleetscope.io",
    version: "v1alpha1",
    plural: "profilingpolicies",
    namespaced: false,
  },
};

export function resourceOf(kind: string): Resource {
  const r = RESOURCES[kind];
  if (!r) throw new Error(`unknown kind ${kind}: add it to operator/kube/resources.ts`);
  return r;
}

/** Collection path of a kind, in a namespace or cluster-wide. */
export function collectionPath(kind: string, namespace?: string): string {
  const r = resourceOf(kind);
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace
    ? `${base}/namespaces/${namespace}/${r.plural}`
    : `${base}/${r.plural}`;
}

export function objectPath(kind: string, name: string, namespace?: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Server-side apply, forcing ownership of the fields we declare: we are their only writer. */
export function apply<T = ObjectRef>(client: KubeClient, obj: ObjectRef): Promise<T> {
  return client.request<T>(
    "PATCH",
    objectPath(obj.kind, obj.metadata.name, obj.metadata.namespace),
    {
      body: obj,
      contentType: APPLY_PATCH,
      query: { fieldManager: FIELD_MANAGER, force: true },
    },
  );
}

/**
 * Server-side apply of the status subresource. Writers of different parts of the status use
 * their own field manager, so each apply leaves the others' fields alone.
 */
export function applyStatus<T = ObjectRef>(
  client: KubeClient,
  obj: ObjectRef,
  fieldManager = FIELD_MANAGER,
): Promise<T> {
  return client.request<T>(
    "PATCH",
    `${objectPath(obj.kind, obj.metadata.name, obj.metadata.namespace)}/status`,
    {
      body: obj,
      contentType: APPLY_PATCH,
      query: { fieldManager, force: true },
    },
  );
}

/** A JSON merge patch, under `fieldManager` or the client's own. */
export function mergePatch<T>(
  client: KubeClient,
  kind: string,
  name: string,
  patch: unknown,
  namespace?: string,
  fieldManager?: string,
): Promise<T> {
  return client.request<T>("PATCH", objectPath(kind, name, namespace), {
    body: patch,
    contentType: MERGE_PATCH,
    ...(fieldManager ? { query: { fieldManager } } : {}),
  });
}
