// Reason codes of coverage, one vocabulary for status, metrics and the CLI: the webhook's
// kebab-case skip codes become CamelCase, and reasons only coverage can see are added here.
import { own } from "../../core/own.ts";

/** Reasons coverage derives itself; everything else comes from the webhook's skip label. */
export const REASONS = {
  OlderConfiguration: "injected with settings the policy has since changed",
  OlderGeneration: "injected for an older generation of the policy",
  OlderAgentVersion: "injected with another agent version",
  OtherPolicy: "injected by another policy",
  PredatesPolicy: "created before the policy existed; gets the agent when it restarts",
  NotSeenByWebhook:
    "created after the policy but never seen by the webhook (the namespace was selected later, or the webhook was unavailable)",
  CreatedInDryRun: "created while the policy was a dry run; gets the agent when it restarts",
  OptedOut: "labelled fleetscope.io/inject=false",
  DryRun: "the policy is a dry run: the pod is marked, not changed",
} as const;

/** What the webhook's recorded skip codes mean, for explanations without its message. */
const WEBHOOK_REASONS: Record<string, string> = {
  WindowsPod: "the profiler runs on Linux only",
  InvalidSettings: "the policy's settings were invalid when the pod was created",
  NameConflict: "the pod already uses names the injection reserves",
  NoTargetContainer: "no container was recognised as Java (or named by the policy)",
  JavaOptionsUnmergeable:
    "JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS are set with valueFrom or envFrom and cannot be merged",
  Java8OptionsUnmergeable:
    "JAVA_TOOL_OPTIONS is set with valueFrom or envFrom and Java 8 ignores JDK_JAVA_OPTIONS",
  NoWritableTmp:
    "the root filesystem is read-only, nothing writable is mounted at /tmp, and the JVM's temp dir could only be set over options the webhook cannot see",
};

/** `no-target-container` → `NoTargetContainer`; unknown codes convert the same way. */
export function camelReason(code: string): string {
  const camel = code
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return camel || "Unknown";
}

export function describeReason(reason: string): string {
  return own<string>(REASONS, reason) ?? own(WEBHOOK_REASONS, reason) ?? reason;
}
