// The config.yaml Pyroscope reads and its ConfigMap; flags carry what differs per component.
import { createHash } from "node:crypto";
import type { V1ConfigMap } from "@kubernetes/client-node";
import { Scalar, stringify } from "yaml";
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import type { Architecture } from "./components.ts";
import { metadata } from "./names.ts";
import { EnvRef } from "./storage.ts";
import type { Rendered } from "./workload.ts";

export interface ConfigInput {
  architecture: Architecture;
  /** The `storage:` block. */
  storage: Record<string, unknown>;
  /** spec.pyroscope.retention; `0` keeps profiles until storage runs out. */
  retention: string;
  multitenancy: boolean;
}

/**
 * v1 deletes old blocks in the compactor, v2 in the metastore's index cleaner: each reads its
 * own limit and ignores the other.
 */
export function retentionKey(architecture: Architecture): string {
  return architecture === "v1" ? "compactor_blocks_retention_period" : "retention_period";
}

export function configObject(input: ConfigInput): Record<string, unknown> {
  return {
    storage: input.storage,
    limits: { [retentionKey(input.architecture)]: input.retention },
    multitenancy_enabled: input.multitenancy,
  };
}

/** config.yaml text: keys sorted, `${VAR}` references double-quoted. */
export function configYAML(input: ConfigInput): string {
  return stringify(quoteEnvRefs(configObject(input)), { sortMapEntries: true, lineWidth: 0 });
}

// Double quotes keep an expanded value a single string whatever it holds, short of `"` and `\`.
function quoteEnvRefs(value: unknown): unknown {
  if (value instanceof EnvRef) {
    const s = new Scalar(`\${${value.name}}`);
    s.type = Scalar.QUOTE_DOUBLE;
    return s;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quoteEnvRefs(v)]));
  }
  return value;
}

export const CONFIG_KEY = "config.yaml";

/** Short digest of config.yaml for the pod template annotation. */
export function configHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function configMap(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
  text: string,
): Rendered<V1ConfigMap> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(policy, name, namespace, component),
    data: { [CONFIG_KEY]: text },
  };
}
