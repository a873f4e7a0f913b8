// What every part of the operator process shares, built once: configuration, API client, clock,
// logger, metrics, Event recorder, the caches, and the injection settings admission derives from
// each policy. Controllers set themselves up from it.
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { settingsCache } from "../webhook/admit-deps.ts";
import type { InjectionSettings } from "../webhook/inject/settings.ts";
import { type Caches, createCaches } from "./caches.ts";
import type { OperatorConfig } from "./config/config.ts";
import { KubeClient } from "./kube/client.ts";
import type { Connection } from "./kube/connection.ts";
import { type EventRecorder, eventRecorder } from "./kube/events.ts";
import { pyroscopeEndpoints } from "./render/pyroscope/urls.ts";
import { type Clock, realClock } from "./runtime/clock.ts";
import { type ControllerMetrics, controllerMetrics } from "./runtime/metrics.ts";

export interface ManagerContext {
  config: OperatorConfig;
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** The work queues' and watches' metrics, shared by every controller. */
  metrics: ControllerMetrics;
  events: EventRecorder;
  caches: Caches;
  /** A policy's injection settings as the webhook applies them, memoised per policy object. */
  settingsFor: (policy: ProfilingPolicy) => InjectionSettings;
}

export function createContext(
  config: OperatorConfig,
  connection: Connection,
  opts: { logger: Logger; clock?: Clock },
): ManagerContext {
  const { logger } = opts;
  const clock = opts.clock ?? realClock;
  const client = new KubeClient(connection);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const apiRequests = new Counter({
    name: "fleetscope_api_requests_total",
    help: "Requests the operator sent to the Kubernetes API server, watches included",
    labelNames: ["verb", "resource"],
    registers: [registry],
  });
  client.onRequest = (verb, resource) => apiRequests.inc({ verb, resource });
  const metrics = controllerMetrics(registry);
  const events = eventRecorder(
    client,
    clock,
    {
      controller: "fleetscope.io/operator",
      instance: config.podName,
    },
    (err) => logger.debug({ err: String(err) }, "event not recorded"),
  );
  const settingsFor = settingsCache({
    clusterName: config.clusterName,
    writeURL: (p) => pyroscopeEndpoints(p).writeURL,
  });
  const caches = createCaches({ client, clock, logger, registry, metrics, config, settingsFor });
  return { config, client, clock, logger, registry, metrics, events, caches, settingsFor };
}
