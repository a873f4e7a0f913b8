import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { applicationName, owningWorkload } from "./app-name.ts";

function pod(meta: V1Pod["metadata"]): V1Pod {
  return { metadata: meta, spec: { containers: [] } };
}
const owner = (kind: string, name: string, controller = true) => ({
  apiVersion: "apps/v1",
  kind,
  name,
  uid: "u",
  controller,
});

describe("owningWorkload", () => {
  const rows: [string, V1Pod, { kind: string; name: string }][] = [
    [
      "ReplicaSet with pod-template-hash → its Deployment",
      pod({
        generateName: "web-7d9f8b6c4d-",
        labels: { "pod-template-hash": "7d9f8b6c4d" },
        ownerReferences: [owner("ReplicaSet", "web-7d9f8b6c4d")],
      }),
      { kind: "Deployment", name: "web" },
    ],
    [
      "Deployment name with dashes keeps them",
      pod({
        labels: { "pod-template-hash": "5c9f" },
        ownerReferences: [owner("ReplicaSet", "api-gw-v2-5c9f")],
      }),
      { kind: "Deployment", name: "api-gw-v2" },
    ],
    [
      "Argo Rollout's ReplicaSet → the Rollout",
      pod({
        labels: { "rollouts-pod-template-hash": "6b7c" },
        ownerReferences: [owner("ReplicaSet", "checkout-6b7c")],
      }),
      { kind: "Rollout", name: "checkout" },
    ],
    [
      "bare ReplicaSet (no hash label) stays itself",
      pod({ ownerReferences: [owner("ReplicaSet", "legacy-rs")] }),
      { kind: "ReplicaSet", name: "legacy-rs" },
    ],
    [
      "hash label that the name does not end with: the ReplicaSet",
      pod({
        labels: { "pod-template-hash": "zzz" },
        ownerReferences: [owner("ReplicaSet", "web-7d9f8b6c4d")],
      }),
      { kind: "ReplicaSet", name: "web-7d9f8b6c4d" },
    ],
    [
      "StatefulSet directly",
      pod({ name: "db-0", ownerReferences: [owner("StatefulSet", "db")] }),
      { kind: "StatefulSet", name: "db" },
    ],
    [
      "DaemonSet directly",
      pod({ generateName: "agent-", ownerReferences: [owner("DaemonSet", "agent")] }),
      { kind: "DaemonSet", name: "agent" },
    ],
    [
      "Job directly",
      pod({ ownerReferences: [owner("Job", "migrate")] }),
      { kind: "Job", name: "migrate" },
    ],
    [
      "CronJob's Job → the CronJob",
      pod({ ownerReferences: [owner("Job", "nightly-report-28391234")] }),
      { kind: "CronJob", name: "nightly-report" },
    ],
    [
      "the controller reference wins over other owners",
      pod({ ownerReferences: [owner("ConfigMap", "x", false), owner("StatefulSet", "kafka")] }),
      { kind: "StatefulSet", name: "kafka" },
    ],
    ["no owner: the pod name", pod({ name: "debug" }), { kind: "Pod", name: "debug" }],
    [
      "no owner, no name: the generateName stem",
      pod({ generateName: "scratch-" }),
      { kind: "Pod", name: "scratch" },
    ],
    [
      "static (mirror) pod owned by its Node: the pod",
      pod({ name: "etcd-node1", ownerReferences: [owner("Node", "node1")] }),
      { kind: "Pod", name: "etcd-node1" },
    ],
    ["nothing at all", pod(undefined), { kind: "Pod", name: "unknown" }],
  ];
  for (const [what, p, want] of rows) {
    it(what, () => expect(owningWorkload(p)).to.deep.equal(want));
  }
});

describe("applicationName", () => {
  const deploymentPod = pod({
    generateName: "web-7d9f8b6c4d-",
    labels: { "pod-template-hash": "7d9f8b6c4d" },
    ownerReferences: [owner("ReplicaSet", "web-7d9f8b6c4d")],
  });
  const rows: [string, V1Pod, string, string][] = [
    ["template with namespace and workload", deploymentPod, "{namespace}/{workload}", "shop/web"],
    [
      "{pod} is a Downward API reference",
      deploymentPod,
      "{workload}.{pod}",
      "web.$(FLEETSCOPE_POD_NAME)",
    ],
    ["{container}", deploymentPod, "{workload}-{container}", "web-app"],
    [
      "app.kubernetes.io/name label before the workload",
      pod({ ...deploymentPod.metadata, labels: { "app.kubernetes.io/name": "storefront" } }),
      "{workload}",
      "storefront",
    ],
    [
      "annotation before everything, itself a template",
      pod({
        ...deploymentPod.metadata,
        annotations: { "fleetscope.io/application-name": "checkout-{container}" },
      }),
      "{namespace}/{workload}",
      "checkout-app",
    ],
    [
      "blank annotation is ignored",
      pod({ name: "p", annotations: { "fleetscope.io/application-name": " " } }),
      "{workload}",
      "p",
    ],
    [
      "characters the agent splits on are replaced",
      pod({ name: "p" }),
      "my app{x=1,y}",
      "my_app_x_1_y_",
    ],
    ["a literal $ cannot reference a variable", pod({ name: "p" }), "$(SECRET)", "$$(SECRET)"],
  ];
  for (const [what, p, template, want] of rows) {
    it(what, () => expect(applicationName(p, "shop", template, "app")).to.equal(want));
  }
});
