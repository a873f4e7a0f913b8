// Public entry point of the ProfilingPolicy API for the operator and the webhook.
export { applicationNamePlaceholders } from "./agent.ts";
export { parseOperatorDuration } from "./common.ts";
export { crdName, profilingPolicyCRD } from "./crd.ts";
export { withDefaults } from "./defaults.ts";
export { workloadKinds } from "./rollout.ts";
export {
  apiVersion,
  group,
  kind,
  ProfilingPolicy as ProfilingPolicySchema,
  ProfilingPolicySpec as ProfilingPolicySpecSchema,
  plural,
  singular,
  version,
} from "./schema.ts";
export { conditionTypes } from "./status.ts";
export type * from "./types.ts";
export type { FieldError, ValidationResult } from "./validate.ts";
export { formatErrors, parsePolicy, validatePolicy } from "./validate.ts";
