// The admission pipeline as one pure function over in-memory caches:
// request → namespace and policy match → settings → mutate → Admission (patch and report).
import type { V1Pod } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { type NamespaceLike, policiesForPod } from "../core/match/policies.ts";
import { mutate } from "./inject/mutate.ts";
import type { EventRecord, InjectionSettings, ProbedLevel } from "./inject/settings.ts";
import type { Admission, AdmissionRequest } from "./server/admission-review.ts";

export interface AdmitDeps {
  /** Policies from the cache, with defaults applied. */
  policies: () => ProfilingPolicy[];
  namespace: (name: string) => NamespaceLike | undefined;
  operatorNamespace: string;
  settingsFor: (policy: ProfilingPolicy) => InjectionSettings;
  /**
   * The namespace's probed Pod Security level (operator/pod-security), read from a cache and
   * never waited for; undefined while not known, and SYS_PTRACE then goes only where a label
   * allows it.
   */
  probedLevel: (namespace: string, labels: Record<string, string>) => ProbedLevel | undefined;
  /** Called with the Events worth recording; the caller sends them off the hot path. */
  onEvents?: (req: AdmissionRequest, pod: V1Pod, events: EventRecord[]) => void;
}

const skipped = (reason: string, message?: string): Admission => ({
  patch: [],
  result: "skipped",
  reason,
  ...(message === undefined ? {} : { message }),
});

export function createAdmit(deps: AdmitDeps): (req: AdmissionRequest) => Admission {
  return (req) => {
    if (req.kind.kind !== "Pod" || req.kind.group !== "" || req.subResource) {
      return skipped("not-a-pod");
    }
    const pod = req.object as V1Pod;
    const nsName = req.namespace ?? pod?.metadata?.namespace ?? "";
    // A namespace the cache has not seen yet was created a moment ago: no policy has been
    // able to select it, so no label routes its pods here; treat it as unlabelled.
    const ns = deps.namespace(nsName) ?? { metadata: { name: nsName, labels: {} } };
    const [winner] = policiesForPod(
      deps.policies(),
      ns,
      pod?.metadata?.labels,
      deps.operatorNamespace,
    );
    const labels = ns.metadata?.labels ?? {};
    const probedLevel = winner ? deps.probedLevel(nsName, labels) : undefined;
    const result = mutate({
      pod,
      namespace: { name: nsName, labels, ...(probedLevel ? { probedLevel } : {}) },
      settings: winner ? deps.settingsFor(winner) : undefined,
      operation: req.operation,
    });
    if (result.events.length > 0) deps.onEvents?.(req, pod, result.events);
    const base = { patch: result.patch, warnings: result.warnings };
    const podSkip = result.skipped.find((s) => s.container === undefined);
    if (podSkip)
      return { ...base, result: "skipped", reason: podSkip.reason, message: podSkip.message };
    if (winner?.spec.dryRun) return { ...base, result: "dry-run", reason: "dry-run" };
    if (result.injected.length > 0) return { ...base, result: "injected", reason: "injected" };
    const first = result.skipped[0];
    return {
      ...base,
      result: "skipped",
      reason: first?.reason ?? "no-change",
      ...(first ? { message: first.message } : {}),
    };
  };
}
