// SYS_PTRACE and the profiler event, decided against the Pod Security level a namespace really
// enforces: Pod Security admission runs after mutating webhooks, so adding a capability the level
// forbids would get the workload's pods refused.
import type { V1Container } from "@kubernetes/client-node";
import { POD_SECURITY_ENFORCE } from "../../core/names.ts";
import type {
  NamespaceInfo,
  PodSecurityLevel,
  ProbedLevel,
  ProfilerEvent,
  SysPtraceMode,
} from "./settings.ts";

export type { PodSecurityLevel, ProbedLevel };

export const SYS_PTRACE = "SYS_PTRACE";

/** The level SYS_PTRACE is decided against, and where it was read from. */
export type NamespaceCapabilityLevel =
  | { kind: "known"; level: PodSecurityLevel; source: "label" | "probe" }
  | { kind: "unknown"; why: string };

/**
 * The level from the enforce label; undefined when the label is absent. A value Pod Security
 * does not know is taken as restricted, the safe reading for a webhook that must not get pods
 * refused.
 */
export function labelledLevel(labels: Record<string, string>): PodSecurityLevel | undefined {
  if (!Object.hasOwn(labels, POD_SECURITY_ENFORCE)) return undefined;
  const v = labels[POD_SECURITY_ENFORCE];
  return v === "privileged" || v === "baseline" ? v : "restricted";
}

/**
 * The namespace capability level: the enforce label when there is one (seen at once, and a
 * label can only be relaxed by an exemption, never tightened), else the probed level, which
 * alone sees a cluster-wide default. Neither: unknown, and nothing is added.
 */
export function namespaceCapabilityLevel(
  ns: NamespaceInfo,
  probed: ProbedLevel | undefined,
): NamespaceCapabilityLevel {
  const labelled = labelledLevel(ns.labels);
  if (labelled) return { kind: "known", level: labelled, source: "label" };
  if (probed === undefined) return { kind: "unknown", why: "not probed yet" };
  if (probed.kind === "known") return { kind: "known", level: probed.level, source: "probe" };
  return probed;
}

export interface CapabilityPlan {
  /** Add SYS_PTRACE to the target containers. */
  addPtrace: boolean;
  /** The event the agent is configured with, after any fallback. */
  event: ProfilerEvent;
  /** Why the configured event was replaced, when it was. */
  fallback?: string;
  /** Why a requested capability was not added, when it was not. */
  notAdded?: string;
}

/**
 * Always: add wherever Pod Security admits it. Auto: add only where it admits it and the `cpu`
 * event (perf events) can use it. Never: never add, and keep the configured event because the
 * nodes may allow perf events without capabilities (perf_event_paranoid <= 1).
 * Admitted means known to be admitted: while the namespace's level is unknown nothing is added.
 * Where the capability was wanted but is not added, `cpu` falls back to `itimer`, which needs
 * neither perf events nor capabilities.
 * `probed` is the namespace's probed level (operator/pod-security), undefined when not probed.
 */
export function planCapabilities(
  mode: SysPtraceMode,
  event: ProfilerEvent,
  ns: NamespaceInfo,
  probed: ProbedLevel | undefined,
): CapabilityPlan {
  if (mode === "Never") return { addPtrace: false, event };
  const wanted = mode === "Always" || event === "cpu";
  if (!wanted) return { addPtrace: false, event };
  const level = namespaceCapabilityLevel(ns, probed);
  if (level.kind === "known" && level.level === "privileged") return { addPtrace: true, event };
  const why =
    level.kind === "known"
      ? `namespace ${ns.name} enforces Pod Security level ${level.level}, which forbids ${SYS_PTRACE}`
      : `the Pod Security level namespace ${ns.name} enforces is not known (${level.why}), and ${SYS_PTRACE} is added only where it is known to be admitted`;
  const plan: CapabilityPlan = { addPtrace: false, event, notAdded: why };
  if (event === "cpu") {
    plan.event = "itimer";
    plan.fallback = `profiler event cpu replaced by itimer: ${why}`;
  }
  return plan;
}

export type PtraceStatus = "present" | "dropped" | "absent";

/** A container that drops SYS_PTRACE by name has asked not to have it: that is respected. */
export function ptraceStatus(c: V1Container): PtraceStatus {
  const caps = c.securityContext?.capabilities;
  if (Array.isArray(caps?.drop) && caps.drop.includes(SYS_PTRACE)) return "dropped";
  if (Array.isArray(caps?.add) && caps.add.includes(SYS_PTRACE)) return "present";
  return "absent";
}

/** Appends SYS_PTRACE to the container's added capabilities, keeping everything else. */
export function addPtrace(c: V1Container): void {
  c.securityContext ??= {};
  c.securityContext.capabilities ??= {};
  const added = c.securityContext.capabilities.add ?? [];
  c.securityContext.capabilities.add = [...added, SYS_PTRACE];
}
