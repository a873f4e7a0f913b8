// In-cluster addresses of a policy's Pyroscope: what agents write to, what Grafana reads from.
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { PORT_HTTP } from "./components.ts";
import { objectName, policyName } from "./names.ts";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

function suffix(component: string | undefined): string {
  return component ? `pyroscope-${component}` : "pyroscope";
}

/** Service of the monolithic server, or of a component (`distributor`, ...). */
export function serviceName(policy: ProfilingPolicy, component?: string): string {
  return objectName(policyName(policy), suffix(component));
}

export function headlessServiceName(policy: ProfilingPolicy, component?: string): string {
  return objectName(policyName(policy), `${suffix(component)}-headless`);
}

export function memberlistServiceName(policy: ProfilingPolicy): string {
  return objectName(policyName(policy), "pyroscope-memberlist");
}

/** A fully qualified name with the trailing dot, so resolvers never walk the search list. */
export function serviceFQDN(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}.`;
}

export function pyroscopeEndpoints(policy: ProfilingPolicy): { writeURL: string; readURL: string } {
  const { pyroscope } = policy.spec;
  const ns = pyroscope.namespace;
  switch (pyroscope.mode) {
    case "External": {
      const url = pyroscope.external?.url;
      if (url === undefined) throw new Error("spec.pyroscope.external.url is required");
      return { writeURL: url, readURL: url };
    }
    case "Microservices":
      return {
        writeURL: `http://${serviceName(policy, "distributor")}.${ns}.svc:${PORT_HTTP}`,
        readURL: `http://${serviceName(policy, "query-frontend")}.${ns}.svc:${PORT_HTTP}`,
      };
    case "Monolithic": {
      const url = `http://${serviceName(policy)}.${ns}.svc:${PORT_HTTP}`;
      return { writeURL: url, readURL: url };
    }
  }
}
