// Validators compiled once from the schema: what the API server checks, for code paths that
// see a ProfilingPolicy before (or without) the API server, with errors naming the field.
import { Ajv, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";
import { applyDefaults } from "./defaults.ts";
import { toOpenAPI } from "./openapi.ts";
import { checkFor } from "./rules.ts";
import { ProfilingPolicy as PolicySchema } from "./schema.ts";
import type { ProfilingPolicy } from "./types.ts";

export interface FieldError {
  /** Dotted path of the offending field, e.g. `spec.agent.profiles.lock` or `...matchExpressions[0].values`. */
  path: string;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: FieldError[];
}

const policySchema = toOpenAPI(PolicySchema, "strict");

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ["date-time"]);
for (const keyword of [
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
]) {
  ajv.addKeyword({ keyword });
}

type Rule = { rule: string; message: string; fieldPath?: string };

function celRules(rules: Rule[], data: unknown): boolean {
  const failed: Partial<ErrorObject>[] = [];
  for (const r of rules) {
    const check = checkFor(r.rule);
    if (check === undefined) throw new Error(`no predicate for CEL rule ${r.rule}`);
    let ok: boolean;
    try {
      ok = check(data);
    } catch {
      // Malformed data; the structural keywords report it.
      ok = true;
    }
    if (!ok)
      failed.push({
        keyword: "x-kubernetes-validations",
        message: r.message,
        params: { fieldPath: r.fieldPath ?? "" },
      });
  }
  celRules.errors = failed;
  return failed.length === 0;
}
celRules.errors = [] as Partial<ErrorObject>[];
ajv.addKeyword({
  keyword: "x-kubernetes-validations",
  schemaType: "array",
  errors: true,
  validate: celRules,
});

type ListParent = { "x-kubernetes-list-map-keys"?: string[] };

// Structural schemas forbid uniqueItems; list types say the same thing, so ajv learns them.
function listType(kind: string, data: unknown, parent?: ListParent): boolean {
  listType.errors = [] as Partial<ErrorObject>[];
  if (!Array.isArray(data) || kind === "atomic") return true;
  const keys = parent?.["x-kubernetes-list-map-keys"] ?? [];
  const seen = new Set<string>();
  for (const item of data) {
    const id = JSON.stringify(
      kind === "map" ? keys.map((k) => (item as Record<string, unknown>)?.[k]) : item,
    );
    if (seen.has(id)) {
      listType.errors = [
        {
          keyword: "x-kubernetes-list-type",
          message: `must not hold duplicates (${id})`,
          params: {},
        },
      ];
      return false;
    }
    seen.add(id);
  }
  return true;
}
listType.errors = [] as Partial<ErrorObject>[];
ajv.addKeyword({
  keyword: "x-kubernetes-list-type",
  schemaType: "string",
  errors: true,
  validate: listType,
});

const validateSchema = ajv.compile(policySchema);

/**
 * Validates a whole ProfilingPolicy as the API server would: defaults first (on a copy), then
 * the schema and its CEL rules. Unknown fields are errors, as kubectl's strict field validation
 * makes them.
 */
export function validatePolicy(obj: unknown): ValidationResult {
  const defaulted = applyDefaults(policySchema, obj);
  if (validateSchema(defaulted)) return { ok: true, errors: [] };
  const errors = (validateSchema.errors ?? []).map(toFieldError);
  return { ok: false, errors: dedupe(errors) };
}

/** Validates and, when valid, returns the policy with its defaults filled in. */
export function parsePolicy(
  obj: unknown,
): { ok: true; policy: ProfilingPolicy } | { ok: false; errors: FieldError[] } {
  const result = validatePolicy(obj);
  if (!result.ok) return { ok: false, errors: result.errors };
  return { ok: true, policy: applyDefaults(policySchema, obj) as ProfilingPolicy };
}

/** `spec.agent.profiles.lock: message`, one line per error. */
export function formatErrors(errors: FieldError[]): string {
  return errors.map((e) => (e.path === "" ? e.message : `${e.path}: ${e.message}`)).join("\n");
}

function toFieldError(e: ErrorObject): FieldError {
  const segments = e.instancePath.split("/").slice(1).map(unescapePointer);
  switch (e.keyword) {
    case "required":
      return {
        path: dotted([...segments, e.params.missingProperty as string]),
        message: "is required",
      };
    case "additionalProperties":
      return {
        path: dotted([...segments, e.params.additionalProperty as string]),
        message: "unknown field",
      };
    case "enum":
      return {
        path: dotted(segments),
        message: `must be one of: ${(e.params.allowedValues as unknown[]).map(String).join(", ")}`,
      };
    case "x-kubernetes-validations": {
      const fieldPath = (e.params as { fieldPath?: string }).fieldPath ?? "";
      const extra = fieldPath.split(".").filter((s) => s !== "");
      return { path: dotted([...segments, ...extra]), message: e.message ?? "is invalid" };
    }
    default:
      return { path: dotted(segments), message: e.message ?? "is invalid" };
  }
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

// Kubernetes' own notation: dots between field names, [i] for list items, [key] for map keys
// that are not plain identifiers.
function dotted(segments: string[]): string {
  let path = "";
  for (const s of segments) {
    if (/^[0-9]+$/.test(s) || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) path += `[${s}]`;
    else path += path === "" ? s : `.${s}`;
  }
  return path;
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
