// What the webhook would do to a pod created now from a workload's pod template: the admission
// pipeline itself (createAdmit), run on the pod the workload's controller would create.
import type { V1Pod, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { Admission, AdmissionRequest } from "../../webhook/server/admission-review.ts";
import { camelReason, describeReason } from "./reasons.ts";

/** The workload kinds whose pod template the rollout restarts. */
export type TemplateKind = "Deployment" | "StatefulSet" | "DaemonSet";

export interface TemplateOwner {
  kind: TemplateKind;
  namespace: string;
  name: string;
  uid?: string;
}

/**
 * inject: a new pod gets the agent. dry-run: it would be marked, not changed. skip: it would be
 * left alone, for `reason` (coverage's CamelCase) in the webhook's own words, `message`.
 */
export type Prediction =
  | { outcome: "inject" | "dry-run" }
  | { outcome: "skip"; reason: string; message: string };

/** Stands in for the hashes the controllers compute; no webhook decision reads their values. */
const HASH = "predicted";

/** The labels each controller adds to the template's, as it creates a pod. */
function controllerLabels(owner: TemplateOwner): Record<string, string> {
  if (owner.kind === "Deployment") return { "pod-template-hash": HASH };
  if (owner.kind === "StatefulSet")
    return {
      "controller-revision-hash": `${owner.name}-${HASH}`,
      "statefulset.kubernetes.io/pod-name": `${owner.name}-0`,
      "apps.kubernetes.io/pod-index": "0",
    };
  return { "controller-revision-hash": HASH, "pod-template-generation": "1" };
}

/**
 * The pod as the workload's controller asks the API server to create it, before admission:
 * the template's metadata and spec with the controller's labels, the controller owner reference,
 * and a name still to be generated (StatefulSet pods have theirs).
 */
export function podFromTemplate(owner: TemplateOwner, template: V1PodTemplateSpec): V1Pod {
  const meta = template.metadata ?? {};
  const deployment = owner.kind === "Deployment";
  const controller = {
    apiVersion: "apps/v1",
    kind: deployment ? "ReplicaSet" : owner.kind,
    name: deployment ? `${owner.name}-${HASH}` : owner.name,
    uid: owner.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
  const naming =
    owner.kind === "StatefulSet"
      ? { name: `${owner.name}-0` }
      : { generateName: `${deployment ? controller.name : owner.name}-` };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...meta,
      ...naming,
      namespace: owner.namespace,
      labels: { ...meta.labels, ...controllerLabels(owner) },
      ownerReferences: [controller],
    },
    ...(template.spec ? { spec: template.spec } : {}),
  };
}

export type Admit = (req: AdmissionRequest) => Admission;

/** The admission request the API server sends for a pod creation. */
export function createRequest(pod: V1Pod): AdmissionRequest {
  return {
    uid: "prediction",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    namespace: pod.metadata?.namespace ?? "",
    ...(pod.metadata?.name ? { name: pod.metadata.name } : {}),
    operation: "CREATE",
    object: pod,
  };
}

/** The webhook's answer to a pod creation, as a prediction. */
export function predictionOf(a: Admission): Prediction {
  if (a.result === "injected") return { outcome: "inject" };
  if (a.result === "dry-run") return { outcome: "dry-run" };
  const reason = camelReason(a.reason);
  return { outcome: "skip", reason, message: a.message ?? describeReason(reason) };
}

/** What `admit` (the webhook's pipeline, without its Events) decides for the template's pods. */
export function predictTemplate(
  admit: Admit,
  owner: TemplateOwner,
  template: V1PodTemplateSpec,
): Prediction {
  return predictionOf(admit(createRequest(podFromTemplate(owner, template))));
}
