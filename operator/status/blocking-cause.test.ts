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

const UNBOUND =
  "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

function pod(name: string, status: V1Pod["status"], claim?: string): V1Pod {
  return {
    metadata: { name, namespace: "pyroscope" },
    spec: {
      containers: [{ name: "pyroscope", image: "grafana/pyroscope:1.14.0" }],
      ...(claim
        ? { volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] }
        : {}),
    },
    status,
  };
}

const unschedulable = (message: string): V1Pod["status"] => ({
  phase: "Pending",
  conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
});

const container = (s: Partial<V1ContainerStatus>): V1Pod["status"] => ({
  phase: "Running",
  conditions: [{ type: "PodScheduled", status: "True" }],
  containerStatuses: [
    {
      name: "pyroscope",
      image: "grafana/pyroscope:1.14.0",
      imageID: "",
      ready: false,
      restartCount: 0,
      ...s,
    },
  ],
});

const claim = (storageClassName?: string | null): V1PersistentVolumeClaim => ({
  metadata: { name: "data-pyro-0", namespace: "pyroscope" },
  spec: {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "10Gi" } },
    ...(storageClassName === null ? {} : { storageClassName }),
  },
  status: { phase: "Pending" },
});

const sc = (name: string, provisioner: string, isDefault = false): V1StorageClass => ({
  metadata: {
    name,
    ...(isDefault
      ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
      : {}),
  },
  provisioner,
});

const event = (kind: string, name: string, reason: string, message: string, at: string) =>
  ({
    metadata: { name: `${name}.${at}` },
    involvedObject: { kind, name },
    reason,
    message,
    type: "Warning",
    lastTimestamp: new Date(at),
  }) as CoreV1Event;

describe("blockingCause", () => {
  const cases: { name: string; input: CauseInput; want: string | undefined }[] = [
    {
      name: "unbound claim, no StorageClass at all",
      input: {
        pods: [pod("pyro-0", unschedulable(UNBOUND), "data-pyro-0")],
        claims: [claim(null)],
        storageClasses: [],
        events: [
          event(
            "PersistentVolumeClaim",
            "data-pyro-0",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
            "2026-12-01T10:00:00Z",
          ),
        ],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: it names no StorageClass and the cluster has no default StorageClass, so no provisioner creates a volume for it: name a StorageClass in the claim or mark one as the default (FailedBinding: no persistent volumes available for this claim and no storage class is set)`,
    },
    {
      name: "unbound claim naming a StorageClass that does not exist",
      input: {
        pods: [pod("pyro-0", unschedulable(UNBOUND), "data-pyro-0")],
        claims: [claim("fast-ssd")],
        storageClasses: [sc("standard", "rancher.io/local-path", true)],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: StorageClass fast-ssd does not exist`,
    },
    {
      name: "unbound claim, StorageClass without a provisioner",
      input: {
        pods: [pod("pyro-0", unschedulable(UNBOUND), "data-pyro-0")],
        claims: [claim("local")],
        storageClasses: [sc("local", "kubernetes.io/no-provisioner")],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: StorageClass local has no provisioner and no PersistentVolume matches the claim`,
    },
    {
      name: "unbound claim waiting for the default class's provisioner",
      input: {
        pods: [pod("pyro-0", unschedulable(UNBOUND), "data-pyro-0")],
        claims: [claim(null)],
        storageClasses: [sc("standard", "ebs.csi.aws.com", true)],
      },
      want: `pod pyro-0 cannot be scheduled: ${UNBOUND}; PersistentVolumeClaim data-pyro-0 is Pending: waiting for the default StorageClass standard (provisioner ebs.csi.aws.com)`,
    },
    {
      name: "the claim does not exist",
      input: {
        pods: [
          pod(
            "pyro-0",
            unschedulable('persistentvolumeclaim "data-pyro-0" not found'),
            "data-pyro-0",
          ),
        ],
        claims: [],
        storageClasses: [],
      },
      want: 'pod pyro-0 cannot be scheduled: persistentvolumeclaim "data-pyro-0" not found; PersistentVolumeClaim data-pyro-0 does not exist',
    },
    {
      name: "no node fits: the scheduler's words",
      input: {
        pods: [pod("pyro-0", unschedulable("0/3 nodes are available: 3 Insufficient memory."))],
      },
      want: "pod pyro-0 cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory.",
    },
    {
      name: "image pull back-off",
      input: {
        pods: [
          pod(
            "pyro-0",
            container({
              state: {
                waiting: {
                  reason: "ImagePullBackOff",
                  message: 'Back-off pulling image "grafana/pyroscope:1.14.0"',
                },
              },
            }),
          ),
        ],
      },
      want: 'pod pyro-0 container pyroscope cannot pull image grafana/pyroscope:1.14.0: ImagePullBackOff: Back-off pulling image "grafana/pyroscope:1.14.0"',
    },
    {
      name: "crash loop with the last termination message",
      input: {
        pods: [
          pod(
            "pyro-0",
            container({
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
          ),
        ],
      },
      want: "pod pyro-0 container pyroscope is in CrashLoopBackOff after 4 restarts; last exit code 1 (Error): failed to create directory /data/head: permission denied",
    },
    {
      name: "running, readiness probe failing, with the probe's Event",
      input: {
        pods: [pod("pyro-0", container({ state: { running: {} } }))],
        events: [
          event(
            "Pod",
            "pyro-0",
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            "2026-12-01T10:01:00Z",
          ),
          event(
            "Pod",
            "pyro-0",
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
      input: { pods: [pod("pyro-0", container({ state: { running: {} } }))] },
      want: "pod pyro-0 container pyroscope is running but not ready (its readiness probe has not passed)",
    },
    {
      name: "a missing ConfigMap keeps the container waiting",
      input: {
        pods: [
          pod(
            "pyro-0",
            container({
              state: {
                waiting: {
                  reason: "CreateContainerConfigError",
                  message: 'configmap "pyro-config" not found',
                },
              },
            }),
          ),
        ],
      },
      want: 'pod pyro-0 container pyroscope is waiting: CreateContainerConfigError: configmap "pyro-config" not found',
    },
    {
      name: "the first pod by name with a cause; ready and starting pods have none",
      input: {
        pods: [
          pod("pyro-2", container({ state: { running: {} } })),
          pod("pyro-0", container({ ready: true, state: { running: {} } })),
          pod("pyro-1", container({ state: { waiting: { reason: "ContainerCreating" } } })),
        ],
      },
      want: "pod pyro-2 container pyroscope is running but not ready (its readiness probe has not passed)",
    },
    {
      name: "no pods: the workload's own Warning",
      input: {
        pods: [],
        workload: { kind: "StatefulSet", name: "pyro" },
        events: [
          event(
            "StatefulSet",
            "pyro",
            "FailedCreate",
            'create Pod pyro-0 in StatefulSet pyro failed error: pods "pyro-0" is forbidden: exceeded quota: pods',
            "2026-12-01T10:00:00Z",
          ),
        ],
      },
      want: 'StatefulSet pyro has no pods: FailedCreate: create Pod pyro-0 in StatefulSet pyro failed error: pods "pyro-0" is forbidden: exceeded quota: pods',
    },
    {
      name: "all ready",
      input: { pods: [pod("pyro-0", container({ ready: true, state: { running: {} } }))] },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(blockingCause(c.input)).to.equal(c.want);
    });
  }
});
