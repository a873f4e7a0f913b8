// Public entry point of coverage: pure computation from pod metadata, and its gauges.
export { type CoveragePolicy, classifyPod, ineligibility } from "./classify.ts";
export { type CoverageInput, type CoverageResult, computeCoverage, summary } from "./compute.ts";
export { type CoverageMetrics, coverageMetrics } from "./metrics.ts";
export { type PodLike, podMeta } from "./pod-meta.ts";
export {
  type Prediction,
  podFromTemplate,
  predictionOf,
  predictTemplate,
  type TemplateOwner,
} from "./predict.ts";
export { applyPrediction } from "./predicted.ts";
export { camelReason, describeReason, REASONS } from "./reasons.ts";
export {
  type PredictionContext,
  type PredictionLookup,
  TemplatePredictions,
} from "./template-predictions.ts";
export type * from "./types.ts";
