// What the webhook would do to a workload's next pod, for `why`: the operator's prediction (the
// webhook's own pipeline on the pod template) over the policies and namespace the command read.
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import type { NamespaceLike } from "../core/match/policies.ts";
import {
  type Prediction,
  predictTemplate,
  type TemplateOwner,
} from "../operator/coverage/predict.ts";
import { pyroscopeEndpoints } from "../operator/render/pyroscope/urls.ts";
import { createAdmit } from "../webhook/admit.ts";
import { settingsFromPolicy } from "../webhook/policy-settings.ts";

export interface PredictContext {
  namespace: NamespaceLike | undefined;
  policies: readonly ProfilingPolicy[];
  operatorNamespace: string;
}

const KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export function predictWorkload(
  ctx: PredictContext,
  owner: { kind: string; namespace: string; name: string; uid?: string },
  template: V1PodTemplateSpec | undefined,
): Prediction | undefined {
  const ns = ctx.namespace;
  if (!template || !ns || !KINDS.has(owner.kind)) return undefined;
  const policies = ctx.policies.map((p) => ({ ...p, spec: withDefaults(p.spec as never) }));
  const admit = createAdmit({
    policies: () => policies,
    namespace: () => ns,
    operatorNamespace: ctx.operatorNamespace,
    // Pod Security only decides SYS_PTRACE, never whether a pod is injected.
    probedLevel: () => undefined,
    // The decision does not depend on the cluster name; only the injected options would.
    settingsFor: (p) =>
      settingsFromPolicy(p, {
        clusterName: "{cluster}",
        serverAddress: pyroscopeEndpoints(p).writeURL,
      }),
  });
  return predictTemplate(admit, owner as TemplateOwner, template);
}
