// Defaulting as the API server does it, driven by the schema's `default`s so no other code
// restates them.

import { own } from "../../own.ts";
import type { OpenAPISchema } from "./openapi.ts";
import { toOpenAPI } from "./openapi.ts";
import { ProfilingPolicySpec as SpecSchema } from "./schema.ts";
import type { ProfilingPolicySpec, ProfilingPolicySpecInput } from "./types.ts";

const specSchema = toOpenAPI(SpecSchema, "crd");

/**
 * Returns a copy of `value` with the schema's defaults filled in: a missing field with a
 * default gets it, then defaulting continues inside every present field, including ones just
 * defaulted. Objects that are absent and have no default stay absent. Never changes `value`.
 */
export function applyDefaults(schema: OpenAPISchema, value: unknown): unknown {
  const copy = structuredClone(value);
  fill(schema, copy);
  return copy;
}

function fill(schema: OpenAPISchema, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items !== undefined) for (const item of value) fill(schema.items, item);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const obj = value as Record<string, unknown>;
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (obj[name] === undefined && prop.default !== undefined) {
      obj[name] = structuredClone(prop.default);
    }
  }
  for (const [name, child] of Object.entries(obj)) {
    const prop =
      own(schema.properties, name) ??
      (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
    if (prop !== undefined) fill(prop, child);
  }
}

/**
 * The spec with every default filled in, as the API server would store it. It does not
 * validate: call validatePolicy (or parsePolicy) on anything that did not come from the API server.
 */
export function withDefaults(spec: ProfilingPolicySpecInput | undefined): ProfilingPolicySpec {
  return applyDefaults(specSchema, spec ?? {}) as ProfilingPolicySpec;
}
