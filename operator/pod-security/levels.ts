// Pure parts of finding the Pod Security level a namespace really enforces: the pod a dry run
// creates, how the API server's answer reads as a level, and when to ask again.
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL_INJECT, POD_SECURITY_ENFORCE } from "../../core/names.ts";
import { SYS_PTRACE } from "../../webhook/inject/capabilities.ts";
import type { PodSecurityLevel, ProbedLevel } from "../../webhook/inject/settings.ts";

/** The labels Pod Security enforces by; a change of either can change the level. */
export const ENFORCE_LABELS = [POD_SECURITY_ENFORCE, `${POD_SECURITY_ENFORCE}-version`] as const;

/**
 * The smallest pod that passes `baseline` but for SYS_PTRACE, so that a refusal under it names
 * the capability. Opted out of injection, so the webhook's object selector keeps it away.
 */
export function probePod(): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: "fleetscope-pod-security-probe-",
      labels: { [LABEL_INJECT]: "false", "app.kubernetes.io/managed-by": "fleetscope" },
    },
    spec: {
      containers: [
        {
          name: "probe",
          image: "fleetscope.invalid/pod-security-probe:never-run",
          securityContext: { capabilities: { add: [SYS_PTRACE] } },
        },
      ],
    },
  };
}

const REFUSED = /violates PodSecurity "(privileged|baseline|restricted)(?::[^"]*)?"/;

/**
 * The API server's answer to the dry run: admitted means SYS_PTRACE is allowed (privileged);
 * Forbidden by PodSecurity names the level that refused it. Anything else (another admission
 * plugin or webhook refusing the pod, the default ServiceAccount not created yet, an outage)
 * says nothing about Pod Security: unknown, and why.
 */
export function readProbeAnswer(status: number, message: string): ProbedLevel {
  if (status >= 200 && status < 300) return { kind: "known", level: "privileged" };
  const m = status === 403 ? REFUSED.exec(message) : null;
  if (m) return { kind: "known", level: m[1] as PodSecurityLevel };
  return { kind: "unknown", why: `the dry run answered ${status || "no status"}: ${message}` };
}

/** The namespace's enforce labels as one comparable string: a cached level is for these. */
export function enforceFingerprint(labels: Record<string, string> | undefined): string {
  return ENFORCE_LABELS.map((k) =>
    labels && Object.hasOwn(labels, k) ? `${k}=${labels[k]}` : "",
  ).join("\n");
}

export interface ProbeTiming {
  /** How long a known level is kept before it is probed again. */
  ttlMs: number;
  /** First retry after an unknown answer; doubles per failure up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
}

/**
 * When to probe again: a known level after the TTL, shortened by up to a tenth (`jitter` in
 * [0, 1)) so that namespaces seen together are not all probed again together; an unknown one
 * soon, then less and less often.
 */
export function nextProbeIn(
  probed: ProbedLevel,
  failures: number,
  t: ProbeTiming,
  jitter: number,
): number {
  if (probed.kind === "known") return Math.round(t.ttlMs * (1 - jitter / 10));
  return Math.min(t.maxRetryMs, t.retryMs * 2 ** Math.max(0, failures - 1));
}
