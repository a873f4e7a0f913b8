// A pod's coverage corrected by its workload's prediction: a pod waiting for a restart that
// would not bring the agent is not pending but skipped, for the reason the webhook would give.
import type { PredictionLookup } from "./template-predictions.ts";
import type { PodCoverage } from "./types.ts";

/** Kinds whose template the operator predicts from; other pods keep their classification. */
const PREDICTED = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export function applyPrediction(
  c: PodCoverage,
  predict: PredictionLookup | undefined,
): PodCoverage {
  if (!predict || (c.state !== "pending" && c.state !== "outdated")) return c;
  if (!PREDICTED.has(c.workload.kind)) return c;
  const p = predict(c.workload.kind, c.namespace, c.workload.name);
  if (p?.outcome !== "skip") return c;
  return {
    ...c,
    state: "skipped",
    reason: p.reason,
    message: `its pod template would not be injected: ${p.message}`,
    predicted: true,
  };
}
