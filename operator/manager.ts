// Wires the operator process: the shared context and caches (every replica), the webhook server
// that reads them (every replica), and the controllers, which run on the elected leader only.
// What each controller watches and how a change becomes a key lives with the controller.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createAdmit } from "../webhook/admit.ts";
import { admissionDeps } from "../webhook/admit-deps.ts";
import type { WebhookServer } from "../webhook/server/server.ts";
import { startWebhook } from "../webhook/start.ts";
import type { OperatorConfig } from "./config/config.ts";
import { createContext } from "./context.ts";
import { setupCoverageController } from "./controllers/coverage.ts";
import { setupNamespaceLabelsController } from "./controllers/namespace-labels.ts";
import { setupPolicyController } from "./controllers/policy.ts";
import {
  servingCertificate,
  setupWebhookConfigController,
  storedCertificates,
  WebhookRegistration,
} from "./controllers/webhook-config.ts";
import type { Connection } from "./kube/connection.ts";
import { leadControllers } from "./leading.ts";
import type { PodSecurityCache } from "./pod-security/cache.ts";
import type { Clock } from "./runtime/clock.ts";

export interface Operator {
  server: WebhookServer;
  registry: Registry;
  /** The probed Pod Security level of each namespace the webhook serves, as admission reads it. */
  podSecurity: PodSecurityCache;
  isLeader(): boolean;
  /** Stops controllers, releases the lease, closes the server and the watches. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Called when leadership is lost; the default exits so a fresh process campaigns again. */
  onLostLeadership?: () => void;
}

export async function startOperator(
  config: OperatorConfig,
  connection: Connection,
  opts: StartOptions,
): Promise<Operator> {
  const mgr = createContext(config, connection, opts);
  const { caches, events, registry, logger } = mgr;

  // Every replica: a serving certificate, the caches, and the webhook that reads them.
  const tls = await servingCertificate(mgr);
  caches.start();
  const server = await startWebhook({
    tls,
    certificates: storedCertificates(mgr),
    admit: createAdmit(
      admissionDeps(caches.admission, {
        probedLevel: (name, labels) => caches.podSecurity.lookup(name, labels),
        warn: (regarding, reason, message) => events.record(regarding, "Warning", reason, message),
      }),
    ),
    ready: caches.admissionSynced,
    registry,
    logger,
    host: config.host,
    port: config.port,
  });

  // Controllers: set up now (their watches enqueue from here on), started only while leading.
  const webhook = new WebhookRegistration(config.manageWebhook);
  const controllers = [
    setupNamespaceLabelsController(mgr),
    setupPolicyController(mgr, webhook),
    setupCoverageController(mgr, webhook),
    ...(config.manageWebhook ? [setupWebhookConfigController(mgr, webhook)] : []),
  ];
  const leadership = leadControllers(mgr, controllers, opts.onLostLeadership);

  return {
    server,
    registry,
    podSecurity: caches.podSecurity,
    isLeader: () => leadership.isLeader(),
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      await leadership.stop();
      await server.close();
      await caches.stop();
    },
  };
}
