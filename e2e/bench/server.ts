// Child process serving either the real webhook or a no-op fastify HTTPS route, driven over IPC.
import Fastify, { LogController } from "fastify";
import pino from "pino";
import { Registry } from "prom-client";
import { MUTATE_PATH } from "../../webhook/server/paths.ts";
import { startWebhookServer } from "../../webhook/server/server.ts";
import { admitWith } from "./pods.ts";

export type ServerMode = "webhook" | "noop";
export type ServerCommand =
  | { type: "start"; mode: ServerMode; tls: { cert: string; key: string }; policies: number }
  | { type: "usage" }
  | { type: "stop" };
export type ServerReply =
  | { type: "listening"; url: string }
  | { type: "usage"; cpuMicros: number; rss: number; maxRss: number };

/** The response the no-op route returns: what an allowing webhook without a patch would say. */
const CANNED = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  response: { uid: "00000000-0000-0000-0000-000000000000", allowed: true },
});

async function start(cmd: Extract<ServerCommand, { type: "start" }>) {
  const logger = pino({ level: "silent" });
  if (cmd.mode === "webhook") {
    const server = await startWebhookServer({
      tls: cmd.tls,
      admit: admitWith(cmd.policies),
      ready: () => true,
      registry: new Registry(),
      logger,
      host: "127.0.0.1",
      port: 0,
    });
    return { url: server.url, close: () => server.close() };
  }
  // The same fastify options as the webhook server; the route parses the body and answers.
  const app = Fastify({
    https: { cert: cmd.tls.cert, key: cmd.tls.key, minVersion: "TLSv1.2" },
    bodyLimit: 8 * 1024 * 1024,
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.post(MUTATE_PATH, async (_req, reply) => {
    reply.header("content-type", "application/json; charset=utf-8");
    return CANNED;
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as { port: number };
  return { url: `https://127.0.0.1:${port}`, close: () => app.close() };
}

let close: (() => Promise<void>) | undefined;
const send = (m: ServerReply) => process.send?.(m);

process.on("message", async (cmd: ServerCommand) => {
  if (cmd.type === "start") {
    const s = await start(cmd);
    close = s.close;
    send({ type: "listening", url: s.url });
  } else if (cmd.type === "usage") {
    const cpu = process.cpuUsage();
    const res = process.resourceUsage();
    send({
      type: "usage",
      cpuMicros: cpu.user + cpu.system,
      rss: process.memoryUsage.rss(),
      maxRss: res.maxRSS * 1024,
    });
  } else if (cmd.type === "stop") {
    await close?.();
    process.exit(0);
  }
});
// The parent going away ends this process too.
process.on("disconnect", () => process.exit(0));
