// PodMeta from what a watch delivers: PartialObjectMetadata (no phase) or a full pod.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { PodMeta } from "./types.ts";

export interface PodLike {
  metadata?: V1ObjectMeta;
  status?: { phase?: string };
}

/** Dates may arrive as Date objects from client-node's deserializer or as strings from JSON. */
const time = (t: Date | string | undefined) =>
  t === undefined ? undefined : t instanceof Date ? t.toISOString() : String(t);

export function podMeta(obj: PodLike): PodMeta {
  const m = obj.metadata ?? {};
  const meta: PodMeta = { namespace: m.namespace ?? "", name: m.name ?? "" };
  if (m.labels) meta.labels = m.labels;
  if (m.annotations) meta.annotations = m.annotations;
  if (m.ownerReferences) meta.ownerReferences = m.ownerReferences;
  const created = time(m.creationTimestamp);
  if (created) meta.creationTimestamp = created;
  const deleted = time(m.deletionTimestamp);
  if (deleted) meta.deletionTimestamp = deleted;
  if (obj.status?.phase) meta.phase = obj.status.phase;
  return meta;
}
