// Owning workload and application name of a pod, derived from its metadata alone: the webhook
// has no API access, so owners are inferred from owner references and well-known name shapes.
import type { V1ObjectMeta, V1OwnerReference, V1Pod } from "@kubernetes/client-node";
import { ANNOTATION_APPLICATION_NAME, ENV_POD_NAME } from "../../core/names.ts";
import { applicationNamePart, escapeDollars } from "./sanitize.ts";

export interface Workload {
  kind: string;
  name: string;
}

/** Deployment and Argo Rollout pods carry the hash their ReplicaSet name ends with. */
const TEMPLATE_HASH_LABELS: readonly [label: string, kind: string][] = [
  ["pod-template-hash", "Deployment"],
  ["rollouts-pod-template-hash", "Rollout"],
];

/** A CronJob names its Jobs `<cronjob>-<scheduled time in minutes since the epoch>`. */
const CRONJOB_JOB_NAME = /^(.+)-(\d{8,})$/;

export function podNameStem(meta: V1ObjectMeta | undefined): string {
  if (meta?.name) return meta.name;
  const stem = (meta?.generateName ?? "").replace(/[-.]+$/, "");
  return stem || "unknown";
}

function controllerOf(meta: V1ObjectMeta | undefined): V1OwnerReference | undefined {
  const owners = Array.isArray(meta?.ownerReferences) ? meta.ownerReferences : [];
  return owners.find((o) => o?.controller === true) ?? owners[0];
}

/** The workload a pod belongs to; a pod without an owner is its own workload. */
export function owningWorkload(pod: V1Pod): Workload {
  const meta = pod.metadata;
  const owner = controllerOf(meta);
  if (!owner || typeof owner.name !== "string" || owner.name === "" || owner.kind === "Node") {
    return { kind: "Pod", name: podNameStem(meta) };
  }
  if (owner.kind === "ReplicaSet") {
    for (const [label, kind] of TEMPLATE_HASH_LABELS) {
      const hash = meta?.labels?.[label];
      if (hash && owner.name.endsWith(`-${hash}`)) {
        return { kind, name: owner.name.slice(0, -hash.length - 1) };
      }
    }
    return { kind: "ReplicaSet", name: owner.name };
  }
  if (owner.kind === "Job") {
    const m = CRONJOB_JOB_NAME.exec(owner.name);
    if (m?.[1]) return { kind: "CronJob", name: m[1] };
  }
  return { kind: owner.kind ?? "Unknown", name: owner.name };
}

const PLACEHOLDER = /\{(namespace|workload|pod|container)\}/g;
export const TEMPLATE_PLACEHOLDERS = ["namespace", "workload", "pod", "container"] as const;

/**
 * The application name for one container, as an env value: literal parts sanitized and
 * `$`-escaped, `{pod}` as a reference to the Downward API variable because pods of a Deployment
 * have no name yet at admission.
 *
 * Precedence: the pod's `fleetscope.io/application-name` annotation (itself a template), then
 * the policy template, whose `{workload}` is the `app.kubernetes.io/name` label when set, else
 * the owning workload, else the pod name.
 */
export function applicationName(
  pod: V1Pod,
  namespace: string,
  template: string,
  container: string,
): string {
  const annotated = pod.metadata?.annotations?.[ANNOTATION_APPLICATION_NAME];
  const chosen = typeof annotated === "string" && annotated.trim() !== "" ? annotated : template;
  const appLabel = pod.metadata?.labels?.["app.kubernetes.io/name"];
  const values: Record<string, string> = {
    namespace,
    workload: appLabel || owningWorkload(pod).name,
    container,
  };
  let out = "";
  let last = 0;
  for (const m of chosen.matchAll(PLACEHOLDER)) {
    out += escapeDollars(applicationNamePart(chosen.slice(last, m.index)));
    const key = m[1]!;
    out +=
      key === "pod" ? `$(${ENV_POD_NAME})` : escapeDollars(applicationNamePart(values[key] ?? ""));
    last = m.index + m[0].length;
  }
  return out + escapeDollars(applicationNamePart(chosen.slice(last)));
}
