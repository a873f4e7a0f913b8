// Object names, labels and owner references shared by everything a policy renders.
import { createHash } from "node:crypto";
import type { V1ObjectMeta, V1OwnerReference } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
/** The controller lists and prunes what a policy owns by this label. */
export const LABEL_POLICY = "fleetscope.io/policy";
export const APP_NAME = "pyroscope";
export const MANAGED_BY = "fleetscope";

/**
 * Longest object name rendered. A StatefulSet's pods carry a `controller-revision-hash` label of
 * `<name>-<10 characters>`, which must fit in 63, so 52 is the real limit for them; every
 * object uses it so that a policy's objects are shortened the same way.
 */
export const MAX_NAME_LENGTH = 52;

export function shortHash(value: string, length = 8): string {
  return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/**
 * `<policy>-<suffix>` as a DNS-1035 label (Service names need one): dots become dashes, a
 * leading digit gets a `p` in front. Whenever the policy name had to change or the result is too
 * long, a hash of the policy name is added, so `a.b` and `a-b` never collide.
 */
export function objectName(policyName: string, suffix: string, max = MAX_NAME_LENGTH): string {
  let base = policyName.replaceAll(".", "-");
  if (!/^[a-z]/.test(base)) base = `p${base}`;
  const plain = `${base}-${suffix}`;
  if (base === policyName && plain.length <= max) return plain;
  const hash = shortHash(policyName);
  const room = max - suffix.length - hash.length - 2;
  if (room < 1) throw new Error(`name suffix too long: ${suffix}`);
  base = base.slice(0, room).replace(/-+$/, "");
  return `${base}-${hash}-${suffix}`;
}

/** A label value (63 characters at most) that stands for the policy name. */
export function policyLabelValue(policyName: string): string {
  if (policyName.length <= 63) return policyName;
  return `${policyName.slice(0, 54).replace(/[-.]+$/, "")}-${shortHash(policyName)}`;
}

/** The labels a component's pods are selected by; stable for the life of the workload. */
export function selectorLabels(policy: ProfilingPolicy, component: string): Record<string, string> {
  return {
    [LABEL_NAME]: APP_NAME,
    [LABEL_INSTANCE]: policyLabelValue(policyName(policy)),
    [LABEL_COMPONENT]: component,
  };
}

export function objectLabels(policy: ProfilingPolicy, component: string): Record<string, string> {
  return {
    ...selectorLabels(policy, component),
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_POLICY]: policyLabelValue(policyName(policy)),
  };
}

export function policyName(policy: ProfilingPolicy): string {
  const name = policy.metadata.name;
  if (name === undefined || name === "") throw new Error("ProfilingPolicy has no metadata.name");
  return name;
}

export function ownerReference(policy: ProfilingPolicy): V1OwnerReference {
  const uid = policy.metadata.uid;
  if (uid === undefined || uid === "") {
    throw new Error(`ProfilingPolicy ${policyName(policy)} has no metadata.uid`);
  }
  return {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    name: policyName(policy),
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export type RenderedMeta = V1ObjectMeta & {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ownerReferences: V1OwnerReference[];
};

export function metadata(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
): RenderedMeta {
  return {
    name,
    namespace,
    labels: objectLabels(policy, component),
    ownerReferences: [ownerReference(policy)],
  };
}
