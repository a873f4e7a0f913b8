import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { crashLooping, type WorkloadObject, workloadReadiness } from "./readiness.ts";

const deployment = (status: WorkloadObject["status"], replicas = 2): WorkloadObject => ({
  metadata: { generation: 3 },
  spec: { replicas },
  status: { observedGeneration: 3, ...status },
});

describe("workloadReadiness", () => {
  const rows: [string, string, WorkloadObject, boolean, string][] = [
    [
      "Deployment rolled out",
      "Deployment",
      deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      true,
      "2 replicas updated and available",
    ],
    [
      "Deployment whose template change is not observed yet",
      "Deployment",
      {
        ...deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
        metadata: { generation: 4 },
      },
      false,
      "not observed",
    ],
    [
      "Deployment half updated",
      "Deployment",
      deployment({ replicas: 3, updatedReplicas: 1, availableReplicas: 3 }),
      false,
      "1 of 2 replicas updated",
    ],
    [
      "Deployment with old replicas terminating",
      "Deployment",
      deployment({ replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
      false,
      "1 old replicas",
    ],
    [
      "Deployment updated but not available",
      "Deployment",
      deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
      false,
      "1 of 2 updated replicas available",
    ],
    [
      "Deployment past its progress deadline",
      "Deployment",
      deployment({ conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded" }] }),
      false,
      "progress deadline",
    ],
    [
      "StatefulSet on one revision, all ready",
      "StatefulSet",
      deployment({ readyReplicas: 2, currentRevision: "r2", updateRevision: "r2" }),
      true,
      "updated and ready",
    ],
    [
      "StatefulSet mid-update",
      "StatefulSet",
      deployment({
        readyReplicas: 2,
        updatedReplicas: 1,
        currentRevision: "r1",
        updateRevision: "r2",
      }),
      false,
      "1 of 2 replicas updated",
    ],
    [
      "DaemonSet rolled out",
      "DaemonSet",
      deployment({ desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4 }),
      true,
      "4 pods",
    ],
    [
      "DaemonSet with pods unavailable",
      "DaemonSet",
      deployment({ desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 3 }),
      false,
      "3 of 4 pods available",
    ],
  ];
  for (const [what, kind, obj, ready, message] of rows) {
    it(what, () => {
      const r = workloadReadiness(kind, obj);
      expect(r.ready).to.equal(ready);
      expect(r.message).to.include(message);
    });
  }

  it("OnDelete workloads are not restartable", () => {
    const obj = { ...deployment({}), spec: { updateStrategy: { type: "OnDelete" } } };
    expect(workloadReadiness("DaemonSet", obj).restartable).to.equal(false);
    expect(workloadReadiness("DaemonSet", deployment({})).restartable).to.equal(true);
  });
});

describe("crashLooping", () => {
  const since = new Date("2025-06-10T12:00:00Z");
  const pod = (created: string, status: V1Pod["status"]): V1Pod => ({
    metadata: { creationTimestamp: new Date(created) },
    status,
  });
  const waiting = (reason: string, restartCount = 0) => ({
    containerStatuses: [
      {
        name: "app",
        image: "x",
        imageID: "",
        ready: false,
        restartCount,
        state: { waiting: { reason } },
      },
    ],
  });
  const rows: [string, V1Pod[], boolean][] = [
    [
      "a new pod in CrashLoopBackOff",
      [pod("2025-06-10T12:00:30Z", waiting("CrashLoopBackOff"))],
      true,
    ],
    [
      "a new pod restarted three times",
      [pod("2025-06-10T12:00:30Z", waiting("ContainerCreating", 3))],
      true,
    ],
    ["a new pod starting", [pod("2025-06-10T12:00:30Z", waiting("ContainerCreating"))], false],
    [
      "an old pod crash-looping says nothing about the agent",
      [pod("2025-06-10T11:00:00Z", waiting("CrashLoopBackOff"))],
      false,
    ],
    ["no pods", [], false],
  ];
  for (const [what, pods, expected] of rows) {
    it(what, () => expect(crashLooping(pods, since)).to.equal(expected));
  }
});
