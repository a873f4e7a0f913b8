// Prometheus metrics of the admission path: every admission counted by result and reason.
import { Counter, Histogram, type Registry } from "prom-client";

export interface AdmissionMetrics {
  admissions: Counter<"result" | "reason">;
  latency: Histogram<"result">;
}

export function admissionMetrics(registry: Registry): AdmissionMetrics {
  return {
    admissions: new Counter({
      name: "fleetscope_webhook_admissions_total",
      help: "Pod admissions by result (injected, skipped, dry-run, error, rejected) and reason.",
      labelNames: ["result", "reason"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "fleetscope_webhook_admission_duration_seconds",
      help: "Time to answer one AdmissionReview, from parsed request to response.",
      labelNames: ["result"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers: [registry],
    }),
  };
}
