// Turns the TypeBox schema into the OpenAPI v3 subset Kubernetes accepts (structural schemas),
// in two flavours: the CRD's, and a stricter one for ajv that also refuses unknown fields.
import type { TSchema } from "@sinclair/typebox";

/** A node of an OpenAPI v3 schema as Kubernetes reads it (JSONSchemaProps). */
export interface OpenAPISchema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, OpenAPISchema>;
  additionalProperties?: OpenAPISchema | boolean;
  items?: OpenAPISchema;
  anyOf?: OpenAPISchema[];
  "x-kubernetes-validations"?: { rule: string; message: string; fieldPath?: string }[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
}

export type Flavour = "crd" | "strict";

// Keys copied as they are. Anything else TypeBox emits must be handled explicitly below, so
// that no TypeBox-only keyword leaks into the CRD.
const passThrough = new Set([
  "description",
  "default",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "maxProperties",
  "x-kubernetes-validations",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
]);
const handled = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "patternProperties",
  "items",
  "anyOf",
  "const",
]);

type Node = Record<string, unknown>;

export function toOpenAPI(schema: TSchema, flavour: Flavour): OpenAPISchema {
  const node = schema as Node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (passThrough.has(key)) out[key] = structuredClone(value);
    else if (!handled.has(key)) throw new Error(`unsupported schema keyword ${key}`);
  }

  if ("const" in node) return { type: jsonType(node.const), enum: [node.const], ...out };

  const anyOf = node.anyOf as Node[] | undefined;
  if (anyOf !== undefined) {
    if (anyOf.every((member) => "const" in member)) {
      const values = anyOf.map((member) => member.const);
      return { type: jsonType(values[0]), enum: values, ...out };
    }
    if (node["x-kubernetes-int-or-string"] !== true) {
      throw new Error("a union must be of literals or int-or-string");
    }
    return {
      ...out,
      anyOf: anyOf.map((member) => ({ type: member.type as OpenAPISchema["type"] })),
    };
  }

  const type = node.type as OpenAPISchema["type"];
  if (type === undefined) throw new Error(`schema without type: ${JSON.stringify(node)}`);
  const result: OpenAPISchema = { type, ...out };

  if (type === "array") result.items = toOpenAPI(node.items as TSchema, flavour);
  if (type !== "object") return result;

  const properties = node.properties as Record<string, TSchema> | undefined;
  const patternProperties = node.patternProperties as Record<string, TSchema> | undefined;
  if (patternProperties !== undefined) {
    // TypeBox writes Record<string, V> as patternProperties; Kubernetes wants additionalProperties.
    const [valueSchema, ...more] = Object.values(patternProperties);
    if (valueSchema === undefined || more.length > 0 || properties !== undefined) {
      throw new Error("only Record<string, V> maps are supported");
    }
    result.additionalProperties = toOpenAPI(valueSchema, flavour);
    return result;
  }
  if (properties !== undefined) {
    result.properties = Object.fromEntries(
      Object.entries(properties).map(([name, prop]) => [name, toOpenAPI(prop, flavour)]),
    );
    // The API server applies defaults before it checks required fields, but `kubectl explain`
    // would still call a defaulted field required: leave those out of the CRD.
    const required = ((node.required as string[] | undefined) ?? []).filter(
      (name) => flavour === "strict" || result.properties?.[name]?.default === undefined,
    );
    if (required.length > 0) result.required = required;
  }
  // Kubernetes forbids `additionalProperties: false` and prunes unknown fields instead; kubectl
  // refuses them client-side. ajv has to be told.
  if (flavour === "strict" && node.additionalProperties === false) {
    result.additionalProperties = false;
  }
  return result;
}

function jsonType(value: unknown): OpenAPISchema["type"] {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (Number.isInteger(value)) return "integer";
  throw new Error(`unsupported literal ${String(value)}`);
}
