// Validation rules written once, as CEL for the API server and as a predicate for the ajv
// validator, so that both refuse the same input with the same message.

/** One entry of `x-kubernetes-validations`, exactly as the API server reads it. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
}

type Check = (self: never) => boolean;

// Keyed by the CEL text: the schema carries plain data (it must serialise into the CRD), and the
// validator finds the matching predicate here.
const checks = new Map<string, Check>();

/**
 * Declares a rule. `check` must say exactly what `rule` says, on the defaulted object; the
 * example manifests, applied to both ajv and a real API server, keep the two honest.
 */
export function celRule<T>(
  rule: string,
  message: string,
  check: (self: T) => boolean,
  fieldPath?: string,
): CelRule {
  const known = checks.get(rule);
  if (known !== undefined && known.toString() !== check.toString()) {
    throw new Error(`CEL rule declared twice with different predicates: ${rule}`);
  }
  checks.set(rule, check as Check);
  return fieldPath === undefined ? { rule, message } : { rule, message, fieldPath };
}

/**
 * A rule that a string matches `regex`. The regex is kept to the syntax RE2 (CEL) and
 * JavaScript read alike: anchored, no backslashes, no lookaround.
 */
export function matchesRule(regex: string, message: string): CelRule {
  if (/[\\']/.test(regex) || !regex.startsWith("^") || !regex.endsWith("$")) {
    throw new Error(`regex must be anchored and free of quotes and backslashes: ${regex}`);
  }
  const re = new RegExp(regex);
  return celRule<string>(`self.matches('${regex}')`, message, (self) => re.test(self));
}

/** The predicate for a CEL rule, or undefined when the rule was never declared. */
export function checkFor(rule: string): ((self: unknown) => boolean) | undefined {
  return checks.get(rule) as ((self: unknown) => boolean) | undefined;
}
