// `fleetscope explain pod NAME -n NS`: `why`'s verdict for one pod, plus what the webhook did or
// would do to it — the mutation run here, as a pure function, on the pod as it is stored.
import type { V1Pod } from "@kubernetes/client-node";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { policiesForPod } from "../core/match/policies.ts";
import { podMeta } from "../operator/coverage/pod-meta.ts";
import { pyroscopeEndpoints } from "../operator/render/pyroscope/urls.ts";
import { mutate } from "../webhook/inject/mutate.ts";
import { settingsFromPolicy } from "../webhook/policy-settings.ts";
import { type Explanation, explainPod, type WhyContext } from "./why.ts";

export interface ExplainContext extends WhyContext {
  policies: readonly ProfilingPolicy[];
}

/** Pod-level skips a restart removes: not a reason the pod could not be injected. */
const RESTART_CURABLE = new Set(["already-injected"]);

/** What the current policy would inject into a pod created now from the same spec. */
export function wouldInject(ctx: ExplainContext, pod: V1Pod): Explanation["details"] {
  const ns = ctx.namespace;
  if (!ns) return [];
  const [winner] = policiesForPod(
    [...ctx.policies],
    ns,
    pod.metadata?.labels,
    ctx.operatorNamespace,
  );
  if (!winner) return [];
  const policy: ProfilingPolicy = { ...winner, spec: withDefaults(winner.spec as never) };
  const settings = settingsFromPolicy(policy, {
    clusterName: "{cluster}",
    serverAddress: pyroscopeEndpoints(policy).writeURL,
  });
  const result = mutate({
    pod,
    namespace: { name: ns.metadata?.name ?? "", labels: ns.metadata?.labels ?? {} },
    settings,
    operation: "CREATE",
  });
  const out: Explanation["details"] = [];
  const podSkip = result.skipped.find((s) => s.container === undefined);
  if (podSkip && !RESTART_CURABLE.has(podSkip.reason)) {
    out.push(["on create", `not injected: ${podSkip.reason}: ${podSkip.message}`]);
    return out;
  }
  if (result.injected.length > 0) {
    const verb = settings.dryRun ? "would inject (dry run)" : "injects";
    out.push([
      "on create",
      `${verb} agent ${settings.agentVersion} into ${result.injected.join(", ")}, sending to ${settings.serverAddress}`,
    ]);
  }
  for (const s of result.skipped.filter((s) => s.container !== undefined))
    out.push(["on create", `skips container ${s.container}: ${s.reason}: ${s.message}`]);
  for (const w of result.warnings) out.push(["warning", w]);
  if (out.length === 0) out.push(["on create", "no container would receive the agent"]);
  return out;
}

export function explainFullPod(ctx: ExplainContext, pod: V1Pod): Explanation {
  const meta = podMeta({
    ...pod,
    metadata: {
      ...pod.metadata,
      namespace: pod.metadata?.namespace ?? ctx.namespace?.metadata?.name,
    },
  });
  const e = explainPod(ctx, meta);
  // A profiled pod already says what it carries; for the rest, what a new pod would get.
  if (e.profiled) return e;
  return { ...e, details: [...e.details, ...wouldInject(ctx, pod)] };
}
