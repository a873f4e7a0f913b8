// Prometheus metrics of the controllers: reconciles by result, their duration, queue depth,
// and informer restarts, so a stuck or flapping controller is visible before users notice.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ControllerMetrics {
  reconciles: Counter<"controller" | "result">;
  duration: Histogram<"controller">;
  queueDepth: Gauge<"controller">;
  watchRestarts: Counter<"resource" | "reason">;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return {
    reconciles: new Counter({
      name: "fleetscope_reconciles_total",
      help: "Reconciles by controller and result (success, requeue, error, terminal).",
      labelNames: ["controller", "result"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "fleetscope_reconcile_duration_seconds",
      help: "Time one reconcile took.",
      labelNames: ["controller"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "fleetscope_workqueue_depth",
      help: "Keys waiting in a controller's work queue.",
      labelNames: ["controller"],
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: "fleetscope_watch_restarts_total",
      help: "Informer restarts by resource and reason (gone: relist after 410; error: backoff).",
      labelNames: ["resource", "reason"],
      registers: [registry],
    }),
  };
}
