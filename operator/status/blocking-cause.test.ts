// Table tests of the blocking cause over pod, claim, StorageClass and Event fixtures shaped as
// the scheduler, the kubelet and the volume controller write them.
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";
import { expect } from "chai";
import { blockingCause, type CauseInput } from "./blocking-cause.ts";

const POD = "pyro-0";
const CLAIM = "data-pyro-0";
const IMAGE = "grafana/pyroscope:1.14.0";
const UNBOUND =
  "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

/** A Pyroscope pod in the given state, mounting `claim` when there is one. */
function pyroscopePod(name: string, status: V1Pod["status"], claim?: string): V1Pod {
  return {
    metadata: { name, namespace: "pyroscope" },
    spec: {
      containers: [{ name: "pyroscope", image: IMAGE }],
      ...(claim
        ? { volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] }
        : {}),
    },
    status,
  };
}

/** The scheduler could not place the pod; `message` is the scheduler's. */
const unschedulable = (message: string, claim?: string): V1Pod =>
  pyroscopePod(
    POD,
    {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
    },
    claim,
  );

/** The pod is placed; its container is as the kubelet reports it. */
const scheduled = (container: Partial<V1ContainerStatus>, name = POD): V1Pod =>
  pyroscopePod(name, {
    phase: "Running",
    conditions: [{ type: "PodScheduled", status: "True" }],
    containerStatuses: [
      { name: "pyroscope", image: IMAGE, imageID: "", ready: false, restartCount: 0, ...container },
    ],
  });

const waiting = (reason: string, message?: string, name = POD) =>
  scheduled({ state: { waiting: { reason, ...(message ? { message } : {}) } } }, name);
const runningNotReady = (name = POD) => scheduled({ state: { running: {} } }, name);
const ready = (name = POD) => scheduled({ ready: true, state: { running: {} } }, name);

/** The pod's claim, not bound yet; without a class it relies on the cluster's default. */
const pendingClaim = (storageClassName?: string): V1PersistentVolumeClaim => ({
  metadata: { name: CLAIM, namespace: "pyroscope" },
  spec: {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "10Gi" } },
    ...(storageClassName === undefined ? {} : { storageClassName }),
  },
  status: { phase: "Pending" },
});

const storageClass = (name: string, provisioner: string): V1StorageClass => ({
  metadata: { name },
  provisioner,
});
const defaultStorageClass = (name: string, provisioner: string): V1StorageClass => ({
  metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
  provisioner,
});

/** A Warning Event about one object, last seen `at`. */
const warning = (
  about: { kind: string; name: string },
  reason: string,
  message: string,
  at = "2026-12-01T10:00:00Z",
) =>
  ({
    metadata: { name: `${about.name}.${at}` },
    involvedObject: about,
    reason,
    message,
    type: "Warning",
    lastTimestamp: new Date(at),
  }) as CoreV1Event;

const theClaim = { kind: "PersistentVolumeClaim", name: CLAIM };
const thePod = { kind: "Pod", name: POD };
const theStatefulSet = { kind: "StatefulSet", name: "pyro" };

describe("blockingCause", () => {
  const cases: { name: string; input: CauseInput; want: string | undefined }[] = [
    {
      name: "unbound claim, no StorageClass at all",
      input: {
        pods: [unschedulable(UNBOUND, CLAIM)],
        claims: [pendingClaim()],
        storageClasses: [],
        events: [
          warning(
            theClaim,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
          ),
        ],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: it names no StorageClass and the cluster has no default StorageClass, so no provisioner creates a volume for it: name a StorageClass in the claim or mark one as the default (FailedBinding: no persistent volumes available for this claim and no storage class is set)`,
    },
    {
      name: "unbound claim naming a StorageClass that does not exist",
      input: {
        pods: [unschedulable(UNBOUND, CLAIM)],
        claims: [pendingClaim("fast-ssd")],
        storageClasses: [defaultStorageClass("standard", "rancher.io/local-path")],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: StorageClass fast-ssd does not exist`,
    },
    {
      name: "unbound claim, StorageClass without a provisioner",
      input: {
        pods: [unschedulable(UNBOUND, CLAIM)],
        claims: [pendingClaim("local")],
        storageClasses: [storageClass("local", "kubernetes.io/no-provisioner")],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: StorageClass local has no provisioner and no PersistentVolume matches the claim`,
    },
    {
      name: "unbound claim waiting for the default class's provisioner",
      input: {
        pods: [unschedulable(UNBOUND, CLAIM)],
        claims: [pendingClaim()],
        storageClasses: [defaultStorageClass("standard", "ebs.csi.aws.com")],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: waiting for the default StorageClass standard (provisioner ebs.csi.aws.com)`,
    },
    {
      name: "the claim does not exist",
      input: {
        pods: [unschedulable('persistentvolumeclaim "data-pyro-0" not found', CLAIM)],
        claims: [],
        storageClasses: [],
      },
      want: 'pod pyro-0 cannot be scheduled: persistentvolumeclaim "data-pyro-0" not found; PersistentVolumeClaim data-pyro-0 does not exist',
    },
    {
      name: "no node fits: the scheduler's words",
      input: {
        pods: [unschedulable("0/3 nodes are available: 3 Insufficient memory.")],
      },
      want: "pod pyro-0 cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory.",
    },
    {
      name: "image pull back-off",
      input: {
        pods: [waiting("ImagePullBackOff", 'Back-off pulling image "grafana/pyroscope:1.14.0"')],
      },
      want: 'pod pyro-0 container pyroscope cannot pull image grafana/pyroscope:1.14.0: ImagePullBackOff: Back-off pulling image "grafana/pyroscope:1.14.0"',
    },
    {
      name: "crash loop with the last termination message",
      input: {
        pods: [
          scheduled({
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: "Error",
                message: "failed to create directory /data/head: permission denied",
              },
            },
          }),
        ],
      },
      want: "pod pyro-0 container pyroscope is in CrashLoopBackOff after 4 restarts; last exit code 1 (Error): failed to create directory /data/head: permission denied",
    },
    {
      name: "running, readiness probe failing, with the probe's Event",
      input: {
        pods: [runningNotReady()],
        events: [
          warning(
            thePod,
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            "2026-12-01T10:01:00Z",
          ),
          warning(
            thePod,
            "Unhealthy",
            "Readiness probe failed: connection refused",
            "2026-12-01T10:00:00Z",
          ),
        ],
      },
      want: "pod pyro-0 container pyroscope is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503",
    },
    {
      name: "running, not ready, no Event seen",
      input: { pods: [runningNotReady()] },
      want: "pod pyro-0 container pyroscope is running but not ready (its readiness probe has not passed)",
    },
    {
      name: "a missing ConfigMap keeps the container waiting",
      input: {
        pods: [waiting("CreateContainerConfigError", 'configmap "pyro-config" not found')],
      },
      want: 'pod pyro-0 container pyroscope is waiting: CreateContainerConfigError: configmap "pyro-config" not found',
    },
    {
      name: "the first pod by name with a cause; ready and starting pods have none",
      input: {
        pods: [
          runningNotReady("pyro-2"),
          ready("pyro-0"),
          waiting("ContainerCreating", undefined, "pyro-1"),
        ],
      },
      want: "pod pyro-2 container pyroscope is running but not ready (its readiness probe has not passed)",
    },
    {
      name: "no pods: the workload's own Warning",
      input: {
        pods: [],
        workload: theStatefulSet,
        events: [
          warning(
            theStatefulSet,
            "FailedCreate",
            'create Pod pyro-0 in StatefulSet pyro failed error: pods "pyro-0" is forbidden: exceeded quota: pods',
          ),
        ],
      },
      want: 'StatefulSet pyro has no pods: FailedCreate: create Pod pyro-0 in StatefulSet pyro failed error: pods "pyro-0" is forbidden: exceeded quota: pods',
    },
    {
      name: "all ready",
      input: { pods: [ready()] },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(blockingCause(c.input)).to.equal(c.want);
    });
  }
});
