// The contract of the pure mutation: resolved settings in, JSON Patch and an account of what
// happened out. Nothing here depends on the ProfilingPolicy CRD types.
import type { V1Pod, V1ResourceRequirements } from "@kubernetes/client-node";
import type { JsonPatchOp } from "./json-patch.ts";

export type ProfilerEvent = "itimer" | "cpu" | "wall";
export type SysPtraceMode = "Auto" | "Always" | "Never";
export type ContainerDetection = "Java" | "All" | "Names";

/** A policy resolved for one pod: everything the mutation needs, already defaulted. */
export interface InjectionSettings {
  policyName: string;
  policyGeneration: number;
  /**
   * Hash of what injection gives a pod under this policy. Pods are compared by revision, not
   * generation: a change of the rollout or of Pyroscope's replicas must not make pods outdated.
   */
  revision: string;
  dryRun: boolean;
  agentVersion: string;
  initImage: string;
  initResources: V1ResourceRequirements;
  /** e.g. http://pyroscope.pyroscope.svc:4040 */
  serverAddress: string;
  tenantID?: string;
  /** Placeholders: {namespace} {workload} {pod} {container}. */
  applicationNameTemplate: string;
  profiles: { event: ProfilerEvent; interval: string; alloc?: string; lock?: string };
  uploadInterval: string;
  logLevel?: string;
  /** Static profile labels from the policy. */
  labels: Record<string, string>;
  sysPtrace: SysPtraceMode;
  containers: { detect: ContainerDetection; names: string[] };
  /** Credentials reach the agent as env vars from the Secret, never as JVM options. */
  basicAuthSecret?: { name: string; userKey: string; passwordKey: string };
  /** Additional agent properties, with or without the `pyroscope.` prefix. */
  extraProperties?: Record<string, string>;
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * What a server-side dry-run create of a pod carrying SYS_PTRACE found the API server enforcing
 * in a namespace, cluster defaults (AdmissionConfiguration) and exemptions included: the level
 * that refused it (privileged when it was admitted), or why the probe could not tell.
 * Produced and cached by operator/pod-security; undefined while a namespace is not probed yet.
 */
export type ProbedLevel =
  | { kind: "known"; level: PodSecurityLevel }
  | { kind: "unknown"; why: string };

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  /**
   * The Pod Security level the API server was found to enforce here by a dry run, defaults of
   * the cluster included (operator/pod-security); undefined while not probed. Without it or an
   * enforce label, SYS_PTRACE is not added.
   */
  probedLevel?: ProbedLevel;
}

export interface MutationInput {
  pod: V1Pod;
  namespace: NamespaceInfo;
  /** Undefined when no policy matches the pod. */
  settings: InjectionSettings | undefined;
  /** The AdmissionReview operation: CREATE, UPDATE, DELETE or CONNECT. */
  operation: string;
}

export interface SkipRecord {
  /** Absent for a decision about the whole pod. */
  container?: string;
  /** Short code, usable as a label value and a metric label. */
  reason: string;
  message: string;
}

export interface EventRecord {
  reason: string;
  message: string;
}

export interface MutationResult {
  /** Empty when the pod is to be admitted unchanged. */
  patch: JsonPatchOp[];
  /** Containers that carry the agent after the patch (including earlier injections). */
  injected: string[];
  skipped: SkipRecord[];
  /** For the AdmissionResponse warnings. */
  warnings: string[];
  /** For Events on the pod. */
  events: EventRecord[];
}

/** Small and explicit so that LimitRange, ResourceQuota and scheduling are not disturbed. */
export const DEFAULT_INIT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { cpu: "100m", memory: "64Mi" },
};
