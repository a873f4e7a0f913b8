// Whether a workload has finished rolling and is available, as `kubectl rollout status` judges
// it, and whether its new pods crash-loop: the facts the health gate of the rollout needs.
import type { V1Pod } from "@kubernetes/client-node";

export interface Readiness {
  /** Rolled out to the newest template and available. */
  ready: boolean;
  /** False when a template change does not replace pods (updateStrategy OnDelete). */
  restartable: boolean;
  message: string;
}

/** The slice of a Deployment, StatefulSet or DaemonSet that readiness reads. */
export interface WorkloadObject {
  metadata?: { generation?: number };
  spec?: {
    replicas?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    readyReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    conditions?: { type?: string; reason?: string }[];
  };
}

export function workloadReadiness(kind: string, obj: WorkloadObject): Readiness {
  const s = obj.status ?? {};
  const restartable = obj.spec?.updateStrategy?.type !== "OnDelete";
  const result = (ready: boolean, message: string): Readiness => ({ ready, restartable, message });
  if ((s.observedGeneration ?? -1) < (obj.metadata?.generation ?? 0))
    return result(false, "the controller has not observed the latest template yet");
  if (kind === "Deployment") {
    if (s.conditions?.some((c) => c.reason === "ProgressDeadlineExceeded"))
      return result(false, "the rollout exceeded its progress deadline");
    const want = obj.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    if (updated < want) return result(false, `${updated} of ${want} replicas updated`);
    if ((s.replicas ?? 0) > updated)
      return result(false, `${(s.replicas ?? 0) - updated} old replicas pending termination`);
    if ((s.availableReplicas ?? 0) < updated)
      return result(false, `${s.availableReplicas ?? 0} of ${updated} updated replicas available`);
    return result(true, `${want} replicas updated and available`);
  }
  if (kind === "StatefulSet") {
    const want = obj.spec?.replicas ?? 1;
    const partition = obj.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    if ((s.readyReplicas ?? 0) < want)
      return result(false, `${s.readyReplicas ?? 0} of ${want} replicas ready`);
    if (partition > 0) {
      const updated = s.updatedReplicas ?? 0;
      return updated >= want - partition
        ? result(true, `partitioned rollout: ${updated} replicas updated`)
        : result(false, `${updated} of ${want - partition} replicas updated`);
    }
    if (s.updateRevision !== s.currentRevision)
      return result(false, `${s.updatedReplicas ?? 0} of ${want} replicas updated`);
    return result(true, `${want} replicas updated and ready`);
  }
  if (kind === "DaemonSet") {
    const want = s.desiredNumberScheduled ?? 0;
    if ((s.updatedNumberScheduled ?? 0) < want)
      return result(false, `${s.updatedNumberScheduled ?? 0} of ${want} pods updated`);
    if ((s.numberAvailable ?? 0) < want)
      return result(false, `${s.numberAvailable ?? 0} of ${want} pods available`);
    return result(true, `${want} pods updated and available`);
  }
  return { ready: false, restartable: false, message: `${kind} is not restarted by the rollout` };
}

/** Pods created since the restart (within the second the timestamps are rounded to). */
export function podsSince(pods: readonly V1Pod[], since: Date): V1Pod[] {
  return pods.filter((pod) => {
    const created = pod.metadata?.creationTimestamp;
    return created !== undefined && new Date(created).getTime() >= since.getTime() - 1000;
  });
}

/** A container restarted this often since the restart is taken as crash-looping already. */
export const CRASH_RESTARTS = 3;

/**
 * Whether pods created since the restart crash-loop. Older pods are the previous template's
 * and say nothing about the agent.
 */
export function crashLooping(pods: readonly V1Pod[], since: Date): boolean {
  return podsSince(pods, since).some((pod) => {
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    return statuses.some(
      (c) => c.state?.waiting?.reason === "CrashLoopBackOff" || c.restartCount >= CRASH_RESTARTS,
    );
  });
}
