// Public entry point of rollout planning: the pure planner, readiness facts and the record.
export { planRollout, workloadName } from "./plan.ts";
export {
  CRASH_RESTARTS,
  crashLooping,
  podsSince,
  type Readiness,
  type WorkloadObject,
  workloadReadiness,
} from "./readiness.ts";
export {
  ANNOTATION_RESTARTED_AT,
  ANNOTATION_ROLLOUT,
  ANNOTATION_ROLLOUT_PHASE,
  ANNOTATION_ROLLOUT_REASON,
  ANNOTATION_ROLLOUT_TIME,
  type MergePatch,
  parseRecord,
  phasePatch,
  type RecordPhase,
  type RolloutRecord,
  recordPhases,
  restartPatch,
  rollbackPatch,
} from "./record.ts";
export type * from "./types.ts";
