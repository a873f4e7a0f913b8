// SYS_PTRACE and the profiler event, decided against the namespace's Pod Security level:
// Pod Security admission runs after mutating webhooks, so adding a capability the level forbids
// would get the workload's pods refused.
import type { V1Container } from "@kubernetes/client-node";
import { POD_SECURITY_ENFORCE } from "./names.ts";
import type { NamespaceInfo, ProfilerEvent, SysPtraceMode } from "./settings.ts";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export const SYS_PTRACE = "SYS_PTRACE";

/**
 * The enforced level; undefined when the label is absent. A value Pod Security does not know is
 * taken as restricted, the safe reading for a webhook that must not get pods refused.
 */
export function enforcedLevel(ns: NamespaceInfo): PodSecurityLevel | undefined {
  const v = ns.labels?.[POD_SECURITY_ENFORCE];
  if (v === undefined) return undefined;
  return v === "privileged" || v === "baseline" ? v : "restricted";
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
 * Where the capability was wanted but is not admitted, `cpu` falls back to `itimer`, which needs
 * neither perf events nor capabilities.
 */
export function planCapabilities(
  mode: SysPtraceMode,
  event: ProfilerEvent,
  ns: NamespaceInfo,
): CapabilityPlan {
  const level = enforcedLevel(ns);
  const admitted = level === undefined || level === "privileged";
  if (mode === "Never") return { addPtrace: false, event };
  const wanted = mode === "Always" || event === "cpu";
  if (!wanted) return { addPtrace: false, event };
  if (admitted) return { addPtrace: true, event };
  const why = `namespace ${ns.name} enforces Pod Security level ${level}, which forbids ${SYS_PTRACE}`;
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
