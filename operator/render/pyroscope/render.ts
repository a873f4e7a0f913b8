// Pure renderers for the Kubernetes objects of a policy's Pyroscope (issue 5): what a policy
// produces, its endpoints, and the workloads whose readiness its status reports.
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { renderGrafanaDatasource } from "./grafana-datasource.ts";
import { componentsOf, componentWorkloadName, renderMicroservices } from "./microservices.ts";
import { MONOLITHIC_COMPONENT, monolithicWorkloadName, renderMonolithic } from "./monolithic.ts";
import { type RenderedObject, sortObjects } from "./objects.ts";
import { DEFAULT_CLUSTER_DOMAIN } from "./urls.ts";

export interface RenderOptions {
  /** The operator's own namespace; nothing Pyroscope runs is placed there. */
  operatorNamespace: string;
  /** DNS domain of the cluster, for the fully qualified peer names; default cluster.local. */
  clusterDomain?: string;
}

/**
 * Every object the policy's Pyroscope consists of, sorted so that the same policy always gives
 * the same list. Each carries the policy's labels and an owner reference to it. The Pyroscope
 * namespace itself is not among them: the controller ensures it (see ADR 0005).
 */
export function renderPyroscope(policy: ProfilingPolicy, opts: RenderOptions): RenderedObject[] {
  const { pyroscope } = policy.spec;
  if (pyroscope.mode !== "External" && pyroscope.namespace === opts.operatorNamespace) {
    // Sharing it would put Pyroscope under the operator's Pod Security and network rules.
    throw new Error(
      `spec.pyroscope.namespace must not be the operator's namespace ${opts.operatorNamespace}`,
    );
  }
  const server = (() => {
    switch (pyroscope.mode) {
      case "Monolithic":
        return renderMonolithic(policy);
      case "Microservices":
        return renderMicroservices(policy, opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
      case "External":
        return [];
    }
  })();
  return sortObjects([...server, ...renderGrafanaDatasource(policy)]);
}

export interface ExpectedWorkload {
  kind: "StatefulSet" | "Deployment";
  name: string;
  namespace: string;
  component: string;
}

/** The workloads that must be ready for the policy's Pyroscope to be ready; none if External. */
export function expectedWorkloads(policy: ProfilingPolicy): ExpectedWorkload[] {
  const { pyroscope } = policy.spec;
  const namespace = pyroscope.namespace;
  switch (pyroscope.mode) {
    case "Monolithic":
      return [
        {
          kind: "StatefulSet",
          name: monolithicWorkloadName(policy),
          namespace,
          component: MONOLITHIC_COMPONENT,
        },
      ];
    case "Microservices":
      return componentsOf(policy).map((def) => ({
        kind: def.kind,
        name: componentWorkloadName(policy, def.target),
        namespace,
        component: def.target,
      }));
    case "External":
      return [];
  }
}
