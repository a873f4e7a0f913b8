// What the admission pipeline reads, assembled for a process that serves it: the settings of
// each policy memoised, and the Events admission reports turned into Events about the pod, or
// about its owner while the pod has no name yet.
import type { V1Pod } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import type { AdmitDeps } from "./admit.ts";
import type { InjectionSettings } from "./inject/settings.ts";
import { settingsFromPolicy } from "./policy-settings.ts";
import type { AdmissionRequest } from "./server/admission-review.ts";

/** The object an Event is about, as events.k8s.io/v1 names it. */
export interface Regarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** The caches admission reads; the operator's template predictions read the same. */
export type AdmissionSources = Pick<
  AdmitDeps,
  "policies" | "namespace" | "operatorNamespace" | "settingsFor"
>;

/**
 * Settings per policy object, computed once: the policy cache hands out the same object until
 * the policy changes, so admissions of a hot workload do not rebuild (and rehash) them.
 */
export function settingsCache(ctx: {
  clusterName: string;
  /** Where the policy's agents write; the operator derives it from the policy's Pyroscope. */
  writeURL: (policy: ProfilingPolicy) => string;
}): (policy: ProfilingPolicy) => InjectionSettings {
  const memo = new WeakMap<ProfilingPolicy, InjectionSettings>();
  return (p) => {
    let s = memo.get(p);
    if (!s) {
      s = settingsFromPolicy(p, { clusterName: ctx.clusterName, serverAddress: ctx.writeURL(p) });
      memo.set(p, s);
    }
    return s;
  };
}

/**
 * What an admission's Events are about: the pod when it has a name; a pod created from a
 * template (generateName) has none yet, so its first owner; nothing when it has neither.
 */
export function eventRegarding(
  req: Pick<AdmissionRequest, "namespace">,
  pod: V1Pod | undefined,
): Regarding | undefined {
  if (pod?.metadata?.name) {
    return { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, namespace: req.namespace };
  }
  const owner = pod?.metadata?.ownerReferences?.[0];
  if (!owner) return undefined;
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    namespace: req.namespace,
    uid: owner.uid,
  };
}

/**
 * The pipeline's dependencies. Without `probedLevel` no namespace's Pod Security level is known
 * (SYS_PTRACE goes only where a label allows it); without `warn` no Event is recorded.
 */
export function admissionDeps(
  sources: AdmissionSources,
  opts: {
    probedLevel?: AdmitDeps["probedLevel"];
    warn?: (regarding: Regarding, reason: string, message: string) => void;
  } = {},
): AdmitDeps {
  const { warn } = opts;
  return {
    ...sources,
    probedLevel: opts.probedLevel ?? (() => undefined),
    ...(warn
      ? {
          onEvents: (req, pod, records) => {
            const regarding = eventRegarding(req, pod);
            if (!regarding) return;
            for (const e of records) warn(regarding, e.reason, e.message);
          },
        }
      : {}),
  };
}
