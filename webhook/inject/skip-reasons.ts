// Reasons to leave a whole pod alone, as an ordered list of small predicates: the first that
// returns a reason decides, which makes every decision easy to log, explain and table-test.
import type { V1Pod } from "@kubernetes/client-node";
import { AGENT_VOLUME, INIT_CONTAINER, LABEL_INJECT, TMP_VOLUME } from "../../core/names.ts";
import { isInjected } from "./injected.ts";
import { podShapeProblem } from "./pod-shape.ts";
import type { InjectionSettings, MutationInput } from "./settings.ts";
import type { ContainerChoice } from "./targets.ts";
import { settingsProblems } from "./validate-settings.ts";

export interface PodSkip {
  reason: string;
  message: string;
  /**
   * Whether the pod is stamped with the reason (label and annotation) and an Event is emitted.
   * Not for pods outside any policy, operations that are never patched, or repeated calls.
   */
  record: boolean;
}

export interface PodContext {
  input: MutationInput;
  pod: V1Pod;
  settings: InjectionSettings | undefined;
  /** Container choices; computed only once the pod's shape and settings are known to be sound. */
  choices: () => ContainerChoice[];
}

export type PodPredicate = (ctx: PodContext) => PodSkip | undefined;

export const notCreate: PodPredicate = ({ input }) =>
  input.operation === "CREATE"
    ? undefined
    : {
        reason: "not-create",
        message: `operation ${input.operation} is never mutated`,
        record: false,
      };

export const malformedPod: PodPredicate = ({ pod }) => {
  const problem = podShapeProblem(pod);
  return problem ? { reason: "malformed-pod", message: problem, record: false } : undefined;
};

export const noPolicy: PodPredicate = ({ settings }) =>
  settings
    ? undefined
    : { reason: "no-policy", message: "no ProfilingPolicy matches the pod", record: false };

export const optedOut: PodPredicate = ({ pod }) =>
  pod.metadata?.labels?.[LABEL_INJECT] === "false"
    ? { reason: "opted-out", message: `the pod is labelled ${LABEL_INJECT}=false`, record: true }
    : undefined;

export const windowsPod: PodPredicate = ({ pod }) =>
  pod.spec?.os?.name === "windows"
    ? { reason: "windows-pod", message: "the agent's profiler runs on Linux only", record: true }
    : undefined;

export const invalidSettings: PodPredicate = ({ settings }) => {
  const problems = settings ? settingsProblems(settings) : [];
  return problems.length
    ? {
        reason: "invalid-settings",
        message: `policy settings are invalid: ${problems.join("; ")}`,
        record: true,
      }
    : undefined;
};

/**
 * Our init container and both volumes come together; one of those names without the others
 * belongs to someone else, and reusing it could mount their data into the JVM or break the pod.
 */
export const nameConflict: PodPredicate = ({ pod }) => {
  const volumes = (pod.spec?.volumes ?? []).map((v) => v.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c?.name);
  const present = [
    inits.includes(INIT_CONTAINER),
    volumes.includes(AGENT_VOLUME),
    volumes.includes(TMP_VOLUME),
  ];
  if (present.every(Boolean) || !present.some(Boolean)) return undefined;
  return {
    reason: "name-conflict",
    message: `the pod already uses some of the reserved names ${INIT_CONTAINER}, ${AGENT_VOLUME}, ${TMP_VOLUME}`,
    record: true,
  };
};

export const noTargetContainer: PodPredicate = ({ choices }) => {
  const list = choices();
  if (list.some((c) => c.target)) return undefined;
  const why = list.map((c) => `${c.container.name}: ${c.message}`).join("; ");
  return {
    reason: "no-target-container",
    message: `no container is targeted${why ? ` (${why})` : ""}`,
    record: true,
  };
};

/** Re-invocation and repeated calls: every targeted container already carries the agent. */
export const alreadyInjected: PodPredicate = ({ choices }) =>
  choices()
    .filter((c) => c.target)
    .every((c) => isInjected(c.container))
    ? {
        reason: "already-injected",
        message: "every targeted container already carries the agent",
        record: false,
      }
    : undefined;

/** In order: the first reason found is the one reported. */
export const POD_PREDICATES: readonly PodPredicate[] = [
  notCreate,
  malformedPod,
  noPolicy,
  optedOut,
  windowsPod,
  invalidSettings,
  nameConflict,
  noTargetContainer,
  alreadyInjected,
];

export function firstSkip(ctx: PodContext, predicates = POD_PREDICATES): PodSkip | undefined {
  for (const p of predicates) {
    const skip = p(ctx);
    if (skip) return skip;
  }
  return undefined;
}
