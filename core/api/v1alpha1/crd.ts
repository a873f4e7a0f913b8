// Builds the ProfilingPolicy CustomResourceDefinition from the schema; a pure function, so the
// generator and the tests see exactly the same object.
import { applyDefaults } from "./defaults.ts";
import { type OpenAPISchema, toOpenAPI } from "./openapi.ts";
import {
  group,
  kind,
  ProfilingPolicy as PolicySchema,
  ProfilingPolicySpec,
  ProfilingPolicyStatus,
  plural,
  shortNames,
  singular,
  version,
} from "./schema.ts";

export const crdName = `${plural}.${group}`;

export function profilingPolicyCRD() {
  const root = PolicySchema as unknown as { description: string };
  const openAPIV3Schema: OpenAPISchema = {
    type: "object",
    description: root.description,
    properties: {
      apiVersion: {
        type: "string",
        description: "APIVersion defines the versioned schema of this representation of an object.",
      },
      kind: {
        type: "string",
        description: "Kind is a string value representing the REST resource.",
      },
      metadata: { type: "object" },
      spec: expandDefaults(toOpenAPI(ProfilingPolicySpec, "crd")),
      status: toOpenAPI(ProfilingPolicyStatus, "crd"),
    },
    required: ["spec"],
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: crdName },
    spec: {
      group,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular,
        shortNames,
        categories: ["fleetscope"],
      },
      scope: "Cluster",
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Mode", type: "string", jsonPath: ".spec.pyroscope.mode" },
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
            },
            { name: "Coverage", type: "string", jsonPath: ".status.coverage.summary" },
            { name: "Rollout", type: "string", jsonPath: ".status.rollout.phase" },
            { name: "Dry-Run", type: "boolean", jsonPath: ".spec.dryRun", priority: 1 },
            { name: "Priority", type: "integer", jsonPath: ".spec.priority", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

/**
 * Writes object defaults out in full. The API server checks a default against the CEL rules
 * without first defaulting inside it, so a `{}` default fails a rule such as
 * `self.mode != 'External' || ...`; at admission both forms give the same object.
 */
function expandDefaults(schema: OpenAPISchema): OpenAPISchema {
  const out: OpenAPISchema = { ...schema };
  if (out.default !== null && typeof out.default === "object") {
    out.default = applyDefaults(schema, out.default);
  }
  if (out.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, prop]) => [name, expandDefaults(prop)]),
    );
  }
  if (out.items !== undefined) out.items = expandDefaults(out.items);
  if (typeof out.additionalProperties === "object") {
    out.additionalProperties = expandDefaults(out.additionalProperties);
  }
  return out;
}
