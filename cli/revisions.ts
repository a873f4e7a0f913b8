// Pure revision-range selection: a workload's revisions from its ReplicaSets or
// ControllerRevisions, which two to compare, and the time ranges their profiles are read from.
import type { Range } from "./profiles.ts";

/** The metadata of a ReplicaSet or ControllerRevision that revisions are read from. */
export interface RevisionObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[];
  };
  /** ControllerRevision only. */
  revision?: number | string;
}

export interface Revision {
  /** The value of the profiles' `revision` label: the pods' pod-template-hash or controller-revision-hash. */
  id: string;
  /** Deployment revision annotation or ControllerRevision.revision; orders the revisions. */
  number: number;
  /** Creation time, ms since the epoch. */
  created: number;
}

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface WorkloadRevisions extends WorkloadRef {
  /** Oldest first. */
  revisions: Revision[];
}

const DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";

/** Profiles of one revision are read for at most this long, so one query never spans months. */
export const MAX_RANGE_MS = 24 * 3_600_000;

function controller(o: RevisionObject) {
  const owners = o.metadata?.ownerReferences ?? [];
  return owners.find((r) => r.controller === true);
}

/**
 * The revision an object stands for, or undefined when it is not one (no controlling workload,
 * no creation time). A ReplicaSet's pods carry its pod-template-hash; a StatefulSet's pods carry
 * the ControllerRevision's name, a DaemonSet's its hash label.
 */
export function revisionOf(o: RevisionObject): (Revision & { owner: WorkloadRef }) | undefined {
  const m = o.metadata;
  const owner = controller(o);
  const created = m?.creationTimestamp ? new Date(m.creationTimestamp).getTime() : Number.NaN;
  if (!m?.name || !m.namespace || !owner?.kind || !owner.name || !Number.isFinite(created))
    return undefined;
  const ref = { kind: owner.kind, namespace: m.namespace, name: owner.name };
  if (owner.kind === "Deployment") {
    const id = m.labels?.["pod-template-hash"];
    const number = Number(m.annotations?.[DEPLOYMENT_REVISION] ?? Number.NaN);
    if (!id || !Number.isFinite(number)) return undefined;
    return { id, number, created, owner: ref };
  }
  if (owner.kind === "StatefulSet" || owner.kind === "DaemonSet") {
    const number = Number(o.revision ?? Number.NaN);
    const hash =
      m.labels?.["controller-revision-hash"] ??
      (m.name.startsWith(`${owner.name}-`) ? m.name.slice(owner.name.length + 1) : undefined);
    const id = owner.kind === "StatefulSet" ? m.name : hash;
    if (!id || !Number.isFinite(number)) return undefined;
    return { id, number, created, owner: ref };
  }
  return undefined;
}

/** Groups revision objects by the workload that controls them, each list oldest first. */
export function groupRevisions(objects: readonly RevisionObject[]): WorkloadRevisions[] {
  const byWorkload = new Map<string, WorkloadRevisions>();
  for (const o of objects) {
    const r = revisionOf(o);
    if (!r) continue;
    const key = `${r.owner.kind}/${r.owner.namespace}/${r.owner.name}`;
    let w = byWorkload.get(key);
    if (!w) {
      w = { ...r.owner, revisions: [] };
      byWorkload.set(key, w);
    }
    w.revisions.push({ id: r.id, number: r.number, created: r.created });
  }
  for (const w of byWorkload.values())
    w.revisions.sort((a, b) => a.number - b.number || a.created - b.created);
  return [...byWorkload.values()].sort((a, b) =>
    `${a.namespace}/${a.name}/${a.kind}`.localeCompare(`${b.namespace}/${b.name}/${b.kind}`),
  );
}

export interface RevisionPair {
  old: Revision;
  new: Revision;
  /** Where each revision's profiles are read from: its lifetime, clipped to MAX_RANGE_MS. */
  before: Range;
  after: Range;
}

/**
 * The two revisions to compare: the last two by default, or `OLD..NEW` where each side is a
 * revision number (`3`) or label value (`7d9f8b6c4d`). A revision's range runs from its creation
 * to the next revision's (or `now`); the older one keeps its last MAX_RANGE_MS, the newer its first.
 */
export function pickRevisions(
  revisions: readonly Revision[],
  spec: string | undefined,
  now: number,
): RevisionPair | { error: string } {
  const known = () =>
    revisions.length === 0 ? "none" : revisions.map((r) => `${r.number} (${r.id})`).join(", ");
  let oldRev: Revision | undefined;
  let newRev: Revision | undefined;
  if (spec === undefined || spec === "") {
    if (revisions.length < 2)
      return { error: `needs two revisions to compare; the workload has: ${known()}` };
    oldRev = revisions.at(-2);
    newRev = revisions.at(-1);
  } else {
    const i = spec.indexOf("..");
    if (i <= 0 || i + 2 >= spec.length)
      return { error: `--revisions ${spec}: use OLD..NEW, e.g. 3..4 or 7d9f8b6c4d..5c8d7f6b9` };
    const find = (s: string) => revisions.find((r) => r.id === s || String(r.number) === s);
    const [a, b] = [spec.slice(0, i), spec.slice(i + 2)];
    oldRev = find(a);
    newRev = find(b);
    const missing = [oldRev ? undefined : a, newRev ? undefined : b].filter((s) => s !== undefined);
    if (missing.length > 0)
      return { error: `no revision ${missing.join(" or ")}; the workload has: ${known()}` };
    if (oldRev === newRev) return { error: `--revisions ${spec} names one revision twice` };
  }
  const end = (r: Revision) => {
    const next = revisions.find((x) => x.number > r.number);
    return Math.min(next ? next.created : now, now);
  };
  const oldEnd = end(oldRev!);
  const newEnd = end(newRev!);
  const before = { start: Math.max(oldRev!.created, oldEnd - MAX_RANGE_MS), end: oldEnd };
  const after = { start: newRev!.created, end: Math.min(newEnd, newRev!.created + MAX_RANGE_MS) };
  if (before.start >= before.end || after.start >= after.end)
    return {
      error: `revision ${before.start >= before.end ? oldRev!.id : newRev!.id} has an empty time range`,
    };
  return { old: oldRev!, new: newRev!, before, after };
}

/** Workloads whose newest revision was created at or after `since` and that have an older one. */
export function changedSince(workloads: readonly WorkloadRevisions[], since: number) {
  return workloads.filter(
    (w) => w.revisions.length >= 2 && (w.revisions.at(-1)?.created ?? 0) >= since,
  );
}
