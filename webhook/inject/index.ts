// Public surface of the pod mutation for the webhook server.
export { applyPatch, diff, type JsonPatchOp } from "./json-patch.ts";
export { mutate } from "./mutate.ts";
export * as names from "./names.ts";
export {
  DEFAULT_INIT_RESOURCES,
  type EventRecord,
  type InjectionSettings,
  type MutationInput,
  type MutationResult,
  type NamespaceInfo,
  type SkipRecord,
} from "./settings.ts";
export { POD_PREDICATES } from "./skip-reasons.ts";
export { settingsProblems } from "./validate-settings.ts";
