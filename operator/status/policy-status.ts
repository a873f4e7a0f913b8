// The status of a policy as a pure function of what the reconcile observed: Pyroscope's
// workloads, the webhook, the namespaces it selects and its conflicts with other policies.
import type {
  Condition,
  ProfilingPolicy,
  ProfilingPolicyStatus,
} from "../../core/api/v1alpha1/types.ts";
import { type ConditionInput, setConditions } from "./conditions.ts";

export interface ObservedWorkload {
  component: string;
  kind: string;
  name: string;
  /** Undefined when the workload does not exist (yet). */
  replicas?: number;
  readyReplicas?: number;
  /** The first blocking cause of its pods, when it is not ready and one is known. */
  blocking?: string;
}

export interface PolicyObservation {
  policy: ProfilingPolicy;
  endpoints: { writeURL: string; readURL: string };
  workloads: ObservedWorkload[];
  webhookReady: boolean;
  selectedNamespaces: string[];
  conflicts: { namespace: string; winner: string }[];
  /** Set when applying the rendered objects failed. */
  applyError?: string;
  /** Why the shared claim of backend filesystem cannot serve every component (shared-claim.ts). */
  sharedClaimCause?: string;
  now: Date;
}

const isReady = (w: ObservedWorkload) =>
  w.replicas !== undefined && (w.readyReplicas ?? 0) >= w.replicas;

/** One component's line: how far it is and, when known, what blocks it. */
function waitingFor(w: ObservedWorkload): string {
  const count =
    w.replicas === undefined ? "not created yet" : `${w.readyReplicas ?? 0}/${w.replicas} ready`;
  return `${w.component} (${w.kind} ${w.name}, ${count})${w.blocking ? `: ${w.blocking}` : ""}.`;
}

export function policyStatus(o: PolicyObservation): ProfilingPolicyStatus {
  const { policy } = o;
  const generation = policy.metadata.generation ?? 0;
  const external = policy.spec.pyroscope.mode === "External";
  const ready = o.workloads.filter(isReady);
  // A claim that is not ReadWriteMany is named even when every component is ready: that holds
  // only while the scheduler happens to put them all on one node.
  const pyroscopeReady =
    external ||
    (o.workloads.length > 0 &&
      ready.length === o.workloads.length &&
      o.sharedClaimCause === undefined);
  const notReady = o.workloads.filter((w) => !isReady(w));
  const blocked = notReady.filter((w) => w.blocking);
  const notReadyNames = notReady.map((w) => w.component).join(", ");

  const conditions: ConditionInput[] = [
    external
      ? {
          type: "PyroscopeReady",
          status: "True",
          reason: "External",
          message: `Agents write to ${o.endpoints.writeURL}; the operator does not manage it.`,
        }
      : pyroscopeReady
        ? {
            type: "PyroscopeReady",
            status: "True",
            reason: "ComponentsReady",
            message: `${ready.length}/${o.workloads.length} components ready.`,
          }
        : o.sharedClaimCause !== undefined
          ? {
              type: "PyroscopeReady",
              status: "False",
              reason: "SharedClaimNotReady",
              message: `${o.sharedClaimCause}.${notReady.length > 0 ? ` Waiting for ${notReadyNames}.` : ""}`,
            }
          : blocked.length > 0
            ? {
                type: "PyroscopeReady",
                status: "False",
                reason: "ComponentBlocked",
                message: notReady.map(waitingFor).join(" "),
              }
            : {
                type: "PyroscopeReady",
                status: "False",
                reason: "ComponentsNotReady",
                message: `Waiting for ${notReadyNames}.`,
              },
    o.webhookReady
      ? {
          type: "WebhookReady",
          status: "True",
          reason: "WebhookConfigured",
          message: "The webhook is registered and serving.",
        }
      : {
          type: "WebhookReady",
          status: "False",
          reason: "WebhookNotConfigured",
          message: "The webhook configuration has not been applied yet.",
        },
    o.conflicts.length > 0
      ? {
          type: "Conflict",
          status: "True",
          reason: "OutrankedByPolicy",
          message: o.conflicts.map((c) => `${c.namespace}: ${c.winner} wins`).join("; "),
        }
      : {
          type: "Conflict",
          status: "False",
          reason: "NoConflict",
          message: "No policy of higher precedence selects the same namespaces.",
        },
    o.applyError
      ? { type: "Degraded", status: "True", reason: "ApplyFailed", message: o.applyError }
      : { type: "Degraded", status: "False", reason: "AsExpected", message: "" },
  ];
  const allReady = pyroscopeReady && o.webhookReady && !o.applyError;
  conditions.push(
    allReady
      ? {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: policy.spec.dryRun
            ? "Auditing: pods are annotated, not changed."
            : "Pods in selected namespaces get the agent.",
        }
      : {
          type: "Ready",
          status: "False",
          reason: "NotReady",
          message: "See PyroscopeReady, WebhookReady and Degraded.",
        },
  );

  const status: ProfilingPolicyStatus = {
    observedGeneration: generation,
    conditions: setConditions(
      policy.status?.conditions as Condition[] | undefined,
      conditions,
      generation,
      o.now,
    ),
    pyroscope: {
      writeURL: o.endpoints.writeURL,
      readURL: o.endpoints.readURL,
      readyComponents: external ? "external" : `${ready.length}/${o.workloads.length}`,
      components: o.workloads.map((w) => ({
        name: w.component,
        kind: w.kind,
        replicas: w.replicas ?? 0,
        readyReplicas: w.readyReplicas ?? 0,
      })),
    },
    selectedNamespaces: [...o.selectedNamespaces].sort(),
  };
  return status;
}

/**
 * Whether applying `next` would change anything; avoids empty status writes. Only the fields and
 * condition types `next` sets count: other writers own the rest.
 */
export function statusChanged(
  current: ProfilingPolicyStatus | undefined,
  next: ProfilingPolicyStatus,
): boolean {
  const mine = new Set((next.conditions ?? []).map((c) => c.type));
  const slice: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof ProfilingPolicyStatus)[]) {
    slice[key] =
      key === "conditions" ? current?.conditions?.filter((c) => mine.has(c.type)) : current?.[key];
  }
  return JSON.stringify(canonical(slice)) !== JSON.stringify(canonical(next));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}
