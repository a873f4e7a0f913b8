// The generated CRD is a structural schema the API server accepts, documented field by field,
// and its CEL rules have predicates and bounded costs.
import { expect } from "chai";
import { profilingPolicyCRD } from "./crd.ts";
import type { OpenAPISchema } from "./openapi.ts";
import { checkFor } from "./rules.ts";
import { validatePolicy } from "./validate.ts";

const crd = profilingPolicyCRD();
const [v1alpha1] = crd.spec.versions;
const root = v1alpha1!.schema.openAPIV3Schema;
const spec = root.properties!.spec!;

/** Every schema node below `schema`, with its dotted path. */
function* nodes(path: string, schema: OpenAPISchema): Generator<[string, OpenAPISchema]> {
  yield [path, schema];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    yield* nodes(`${path}.${name}`, prop);
  }
  if (schema.items) yield* nodes(`${path}[]`, schema.items);
  if (typeof schema.additionalProperties === "object") {
    yield* nodes(`${path}[*]`, schema.additionalProperties);
  }
}

const all = [...nodes("spec", spec), ...nodes("status", root.properties!.status!)];

describe("ProfilingPolicy CRD", () => {
  it("is cluster-scoped fleetscope.io/v1alpha1 with short names and a status subresource", () => {
    expect(crd.metadata.name).to.equal("profilingpolicies.fleetscope.io");
    expect(crd.spec.scope).to.equal("Cluster");
    expect(crd.spec.names.shortNames).to.include("pp");
    expect(v1alpha1!.name).to.equal("v1alpha1");
    expect(v1alpha1!.subresources).to.deep.equal({ status: {} });
  });

  it("prints mode, readiness, coverage, rollout phase and age", () => {
    const columns = v1alpha1!.additionalPrinterColumns.filter((c) => !("priority" in c));
    expect(columns.map((c) => c.name)).to.deep.equal([
      "Mode",
      "Ready",
      "Coverage",
      "Rollout",
      "Age",
    ]);
  });

  it("gives every field a type (or int-or-string) and a description", () => {
    for (const [path, node] of all) {
      if (path.endsWith("[]") || path.endsWith("[*]")) continue;
      expect(node.type ?? node["x-kubernetes-int-or-string"], `${path} type`).to.not.equal(
        undefined,
      );
      expect(node.description, `${path} description`).to.be.a("string").and.not.equal("");
    }
  });

  it("uses only structural keywords: no additionalProperties false, no $ref, no TypeBox keys", () => {
    const allowed = new Set([
      "type",
      "description",
      "default",
      "enum",
      "format",
      "pattern",
      "minimum",
      "maximum",
      "minLength",
      "maxLength",
      "minItems",
      "maxItems",
      "maxProperties",
      "required",
      "properties",
      "additionalProperties",
      "items",
      "anyOf",
      "x-kubernetes-validations",
      "x-kubernetes-int-or-string",
      "x-kubernetes-list-type",
      "x-kubernetes-list-map-keys",
      "x-kubernetes-map-type",
    ]);
    for (const [path, node] of all) {
      for (const key of Object.keys(node)) expect(allowed, `${path}: ${key}`).to.include(key);
      expect(node.additionalProperties, path).to.not.equal(false);
      expect(
        node.properties !== undefined && node.additionalProperties !== undefined,
        path,
      ).to.equal(false);
      expect(JSON.stringify(node), path).to.not.include("x-kubernetes-preserve-unknown-fields");
    }
  });

  it("turns literal unions into enums", () => {
    expect(spec.properties!.pyroscope!.properties!.mode).to.include({ type: "string" });
    expect(spec.properties!.pyroscope!.properties!.mode!.enum).to.deep.equal([
      "Monolithic",
      "Microservices",
      "External",
    ]);
  });

  it("writes label maps as additionalProperties of strings", () => {
    const labels = spec.properties!.agent!.properties!.labels!;
    expect(labels.type).to.equal("object");
    expect((labels.additionalProperties as OpenAPISchema).type).to.equal("string");
  });

  it("requires no field that has a default", () => {
    for (const [path, node] of all) {
      for (const name of node.required ?? []) {
        expect(node.properties?.[name]?.default, `${path}.${name}`).to.equal(undefined);
      }
    }
  });

  it("has a predicate for every CEL rule and messages that name the field", () => {
    for (const [path, node] of all) {
      for (const rule of node["x-kubernetes-validations"] ?? []) {
        expect(checkFor(rule.rule), `${path}: ${rule.rule}`).to.be.a("function");
        expect(rule.message, path).to.not.equal("");
      }
    }
  });

  it("bounds every string, list and map that a CEL rule reads, to keep its cost estimate low", () => {
    for (const [path, node] of all) {
      if (!node["x-kubernetes-validations"]) continue;
      for (const [inner, n] of nodes(path, node)) {
        if (n.type === "string" && !n.enum)
          expect(n.maxLength, `${inner} maxLength`).to.be.a("number");
        if (n.type === "array") expect(n.maxItems, `${inner} maxItems`).to.be.a("number");
        if (n.type === "object" && n.additionalProperties) {
          expect(n.maxProperties, `${inner} maxProperties`).to.be.a("number");
        }
      }
    }
  });

  it("has defaults that are valid policies", () => {
    const policy = (s: unknown) => ({
      apiVersion: "fleetscope.io/v1alpha1",
      kind: "ProfilingPolicy",
      metadata: { name: "d" },
      spec: s,
    });
    for (const [name, prop] of Object.entries(spec.properties!)) {
      if (prop.default === undefined) continue;
      const result = validatePolicy(policy({ [name]: prop.default }));
      expect(result.errors, `spec.${name}`).to.deep.equal([]);
    }
  });

  it("writes object defaults out in full, because the API server checks them against CEL as they are", () => {
    expect(spec.properties!.pyroscope!.default).to.include({ mode: "Monolithic" });
    expect(spec.properties!.rollout!.default).to.include({ strategy: "OnRestart" });
  });
});
