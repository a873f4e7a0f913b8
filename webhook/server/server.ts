// The webhook's HTTPS server: AdmissionReview v1 on POST /mutate/pods, health, readiness and
// metrics. It only parses, calls the pure admit function, and answers; any failure of admit
// allows the pod unchanged, because a broken webhook must never block a workload.
import type { AddressInfo } from "node:net";
import Fastify, { LogController } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import {
  type Admission,
  type AdmissionRequest,
  BadReviewError,
  parseReview,
  reviewResponse,
} from "./admission-review.ts";
import { admissionMetrics } from "./metrics.ts";
import { MUTATE_PATH } from "./paths.ts";

export { MUTATE_PATH };

/** AdmissionReviews of a pod are far below this; the API server caps objects at 3 MiB. */
const BODY_LIMIT = 8 * 1024 * 1024;

export interface WebhookServerOptions {
  tls: { cert: string; key: string };
  admit: (req: AdmissionRequest) => Admission;
  /** True once the caches the admit function reads have synced. */
  ready: () => boolean;
  registry: Registry;
  logger: Logger;
  host?: string;
  port?: number;
}

export interface WebhookServer {
  url: string;
  /** Swaps the serving certificate without dropping connections or restarting. */
  reloadTls(tls: { cert: string; key: string }): void;
  close(): Promise<void>;
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const metrics = admissionMetrics(opts.registry);
  const app = Fastify({
    https: { cert: opts.tls.cert, key: opts.tls.key, minVersion: "TLSv1.2" },
    bodyLimit: BODY_LIMIT,
    loggerInstance: opts.logger,
    // Per-request logs would dominate the admission path's cost; metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // A pod may hold `__proto__` as a key of its own, e.g. in a CSI volume's volumeAttributes,
    // which the API server accepts: refusing the review would leave such a pod uninjected.
    // Every reader of the review takes own properties only and nothing merges it into another
    // object (see core/own.ts), so the key stays data and pollutes no prototype.
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
  });

  // Only JSON is an AdmissionReview; anything else gets 415 from fastify's content-type check.
  app.removeContentTypeParser("text/plain");

  app.setErrorHandler(
    (err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) opts.logger.error({ err }, "webhook request failed");
      metrics.admissions.inc({ result: "rejected", reason: err.code ?? "bad-request" });
      reply.code(status).send({ error: err.message });
    },
  );

  app.post(MUTATE_PATH, async (req, reply) => {
    const started = process.hrtime.bigint();
    let request: AdmissionRequest;
    try {
      request = parseReview(req.body);
    } catch (err) {
      if (err instanceof BadReviewError) {
        metrics.admissions.inc({ result: "rejected", reason: "malformed-review" });
        return reply.code(400).send({ error: err.message });
      }
      throw err;
    }
    let admission: Admission;
    try {
      admission = opts.admit(request);
    } catch (err) {
      opts.logger.error({ err, uid: request.uid, namespace: request.namespace }, "admit failed");
      admission = { patch: [], result: "error", reason: "internal-error" };
    }
    metrics.admissions.inc({ result: admission.result, reason: admission.reason });
    metrics.latency.observe(
      { result: admission.result },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    return reviewResponse(request.uid, admission);
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) =>
    opts.ready() ? { status: "ready" } : reply.code(503).send({ status: "caches not synced" }),
  );
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", opts.registry.contentType);
    return opts.registry.metrics();
  });

  await app.listen({ host: opts.host ?? "0.0.0.0", port: opts.port ?? 9443 });
  const { port } = app.server.address() as AddressInfo;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  return {
    url: `https://${host}:${port}`,
    reloadTls(tls) {
      (app.server as import("node:https").Server).setSecureContext({
        cert: tls.cert,
        key: tls.key,
        minVersion: "TLSv1.2",
      });
    },
    close: () => app.close(),
  };
}
