// Why a workload's pods are not ready, in one sentence: the first blocking cause of the first
// pod that has one — scheduling (with the scheduler's words, and for an unbound claim why it is
// unbound), image pulls, crash loops (with the last termination message), failing readiness.
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";

export interface CauseInput {
  /** The workload's pods. */
  pods: readonly V1Pod[];
  /** Claims in the pods' namespace; only those the pods mount are read. */
  claims?: readonly V1PersistentVolumeClaim[];
  /** Every StorageClass; undefined when they could not be read. */
  storageClasses?: readonly V1StorageClass[];
  /** Warning Events in the namespace (core/v1): probe failures, binding failures. */
  events?: readonly CoreV1Event[];
  /** The workload itself: when it has no pods, its own last Warning (e.g. FailedCreate). */
  workload?: { kind: string; name: string };
}

const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
const IMAGE_PULL = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName"]);
/** The most a message carries of a termination message or an Event: conditions stay readable. */
const MAX_QUOTE = 300;

const quote = (s: string | undefined) => {
  const t = (s ?? "").trim().replace(/\s+/g, " ");
  return t.length > MAX_QUOTE ? `${t.slice(0, MAX_QUOTE - 1)}…` : t;
};

/** The latest Warning Event about one object, by last occurrence. */
function latestEvent(
  events: readonly CoreV1Event[] | undefined,
  kind: string,
  name: string | undefined,
  reasons?: ReadonlySet<string>,
): CoreV1Event | undefined {
  const time = (e: CoreV1Event) =>
    new Date(
      (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0) as string | number | Date,
    ).getTime();
  return (events ?? [])
    .filter(
      (e) =>
        e.involvedObject?.kind === kind &&
        e.involvedObject?.name === name &&
        (!reasons || reasons.has(e.reason ?? "")),
    )
    .sort((a, b) => time(b) - time(a))[0];
}

/** Why a claim is not bound: its class, the default class, the provisioner, its last Event. */
export function claimCause(
  claim: V1PersistentVolumeClaim,
  storageClasses: readonly V1StorageClass[] | undefined,
  events: readonly CoreV1Event[] | undefined,
): string {
  const name = claim.metadata?.name;
  const head = `PersistentVolumeClaim ${name} is ${claim.status?.phase ?? "Pending"}`;
  const event = latestEvent(events, "PersistentVolumeClaim", name);
  const said = event ? ` (${event.reason}: ${quote(event.message)})` : "";
  const className = claim.spec?.storageClassName;
  if (claim.spec?.volumeName)
    return `${head}: bound to volume ${claim.spec.volumeName} pending${said}`;
  if (storageClasses === undefined) return `${head}${said}`;
  if (className === "")
    return `${head}: it asks for no StorageClass (storageClassName "") and no PersistentVolume matches it${said}`;
  if (className === undefined || className === null) {
    const defaults = storageClasses.filter(
      (c) => c.metadata?.annotations?.[DEFAULT_CLASS] === "true",
    );
    if (defaults.length === 0)
      return `${head}: it names no StorageClass and the cluster has no default StorageClass, so no provisioner creates a volume for it: name a StorageClass in the claim or mark one as the default${said}`;
    return `${head}: waiting for the default StorageClass ${defaults[0]!.metadata?.name} (provisioner ${defaults[0]!.provisioner})${said}`;
  }
  const cls = storageClasses.find((c) => c.metadata?.name === className);
  if (!cls) return `${head}: StorageClass ${className} does not exist${said}`;
  if (cls.provisioner === "kubernetes.io/no-provisioner")
    return `${head}: StorageClass ${className} has no provisioner and no PersistentVolume matches the claim${said}`;
  return `${head}: waiting for provisioner ${cls.provisioner} of StorageClass ${className}${said}`;
}

function containerCause(pod: string, s: V1ContainerStatus, events?: readonly CoreV1Event[]) {
  const where = `pod ${pod} container ${s.name}`;
  const waiting = s.state?.waiting;
  if (waiting?.reason && IMAGE_PULL.has(waiting.reason))
    return `${where} cannot pull image ${s.image}: ${waiting.reason}${waiting.message ? `: ${quote(waiting.message)}` : ""}`;
  if (waiting?.reason === "CrashLoopBackOff") {
    const last = s.lastState?.terminated;
    const exit = last
      ? `; last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ""}${last.message ? `: ${quote(last.message)}` : ""}`
      : "";
    return `${where} is in CrashLoopBackOff after ${s.restartCount} restarts${exit}`;
  }
  if (
    waiting?.reason &&
    waiting.reason !== "ContainerCreating" &&
    waiting.reason !== "PodInitializing"
  )
    return `${where} is waiting: ${waiting.reason}${waiting.message ? `: ${quote(waiting.message)}` : ""}`;
  if (s.state?.terminated) {
    const t = s.state.terminated;
    return `${where} terminated with exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ""}${t.message ? `: ${quote(t.message)}` : ""}`;
  }
  if (s.state?.running && !s.ready) {
    const probe = latestEvent(events, "Pod", pod, new Set(["Unhealthy"]));
    return `${where} is running but not ready${probe ? `: ${quote(probe.message)}` : " (its readiness probe has not passed)"}`;
  }
  return undefined;
}

/** The first blocking cause of one pod, or undefined when it is ready or merely starting. */
export function podCause(pod: V1Pod, input: Omit<CauseInput, "pods">): string | undefined {
  const name = pod.metadata?.name ?? "";
  if (pod.metadata?.deletionTimestamp) return undefined;
  const conditions = pod.status?.conditions ?? [];
  const scheduled = conditions.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") {
    const head = `pod ${name} cannot be scheduled: ${quote(scheduled.message) || scheduled.reason || "unschedulable"}`;
    const claimNames = (pod.spec?.volumes ?? [])
      .map((v) => v.persistentVolumeClaim?.claimName)
      .filter((n): n is string => !!n);
    const unbound = (input.claims ?? []).filter(
      (c) => claimNames.includes(c.metadata?.name ?? "") && c.status?.phase !== "Bound",
    );
    const missing = claimNames.filter(
      (n) => input.claims && !input.claims.some((c) => c.metadata?.name === n),
    );
    const why = [
      ...unbound.map((c) => claimCause(c, input.storageClasses, input.events)),
      ...missing.map((n) => `PersistentVolumeClaim ${n} does not exist`),
    ];
    return why.length ? `${head}; ${why.join("; ")}` : head;
  }
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const init = pod.status?.initContainerStatuses?.includes(s);
    // A finished init container is done, not blocking.
    if (init && s.state?.terminated?.exitCode === 0) continue;
    if (!init && s.ready) continue;
    const cause = containerCause(name, s, input.events);
    if (cause) return cause;
  }
  if (pod.status?.phase === "Failed")
    return `pod ${name} failed${pod.status.reason ? `: ${pod.status.reason}` : ""}${pod.status.message ? `: ${quote(pod.status.message)}` : ""}`;
  return undefined;
}

/** The first blocking cause among the pods, in name order; undefined when none is known. */
export function blockingCause(input: CauseInput): string | undefined {
  if (input.pods.length === 0 && input.workload) {
    const { kind, name } = input.workload;
    const e = latestEvent(input.events, kind, name);
    return e ? `${kind} ${name} has no pods: ${e.reason}: ${quote(e.message)}` : undefined;
  }
  const pods = [...input.pods].sort((a, b) =>
    (a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1,
  );
  for (const pod of pods) {
    const cause = podCause(pod, input);
    if (cause) return cause;
  }
  return undefined;
}
