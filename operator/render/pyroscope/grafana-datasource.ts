// The ConfigMap the Grafana chart's datasource sidecar turns into a Pyroscope datasource.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { stringify } from "yaml";
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { metadata, objectName, policyName, shortHash } from "./names.ts";
import { pyroscopeEndpoints } from "./urls.ts";
import type { Rendered } from "./workload.ts";

export const DATASOURCE_COMPONENT = "grafana-datasource";
export const DATASOURCE_TYPE = "grafana-pyroscope-datasource";
/** Grafana's own default for the step of profile series. */
export const DATASOURCE_MIN_STEP = "15s";

/** Grafana datasource UIDs: at most 40 of [A-Za-z0-9_-]. */
export function datasourceUID(name: string): string {
  const uid = `pyroscope-${name.replaceAll(".", "-")}`;
  return uid.length <= 40 && !name.includes(".")
    ? uid
    : `pyroscope-${name.slice(0, 20).replaceAll(".", "-")}-${shortHash(name)}`;
}

export function datasourceYAML(policy: ProfilingPolicy): string {
  const name = policyName(policy);
  const { tenantID } = policy.spec.pyroscope;
  const datasource = {
    name: policy.spec.grafana.datasource.name ?? `Pyroscope-${name}`,
    uid: datasourceUID(name),
    type: DATASOURCE_TYPE,
    access: "proxy",
    url: pyroscopeEndpoints(policy).readURL,
    editable: false,
    jsonData: {
      minStep: DATASOURCE_MIN_STEP,
      ...(tenantID === undefined ? {} : { httpHeaderName1: "X-Scope-OrgID" }),
    },
    ...(tenantID === undefined ? {} : { secureJsonData: { httpHeaderValue1: tenantID } }),
  };
  return stringify({ apiVersion: 1, datasources: [datasource] }, { lineWidth: 0 });
}

/** Empty unless spec.grafana.datasource.enabled. */
export function renderGrafanaDatasource(policy: ProfilingPolicy): Rendered<V1ConfigMap>[] {
  const ds = policy.spec.grafana.datasource;
  if (!ds.enabled) return [];
  const name = objectName(policyName(policy), "pyroscope-datasource");
  const namespace = ds.namespace ?? policy.spec.pyroscope.namespace;
  const meta = metadata(policy, name, namespace, DATASOURCE_COMPONENT);
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      // Ours win over the user's labels: pruning depends on them.
      metadata: { ...meta, labels: { ...ds.labels, ...meta.labels } },
      // The sidecar writes every key into one folder: a key per policy avoids overwrites.
      data: { [`fleetscope-${name}.yaml`]: datasourceYAML(policy) },
    },
  ];
}
