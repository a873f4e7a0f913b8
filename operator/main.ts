// The operator's entry point: read settings, connect with the ambient kubeconfig (in-cluster
// ServiceAccount or $KUBECONFIG), run until SIGTERM/SIGINT, then shut down gracefully.
import pino from "pino";
import { ConfigError, loadConfig } from "./config/config.ts";
import { loadConnection } from "./kube/connection.ts";
import { KubeconfigError } from "./kube/kubeconfig.ts";
import { startOperator } from "./manager.ts";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  let connection: ReturnType<typeof loadConnection>;
  try {
    config = loadConfig(process.env);
    connection = loadConnection();
  } catch (err) {
    // Settings and kubeconfig mistakes: the message names the field; a stack would hide it.
    if (err instanceof ConfigError || err instanceof KubeconfigError) {
      process.stderr.write(`fleetscope: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { pod: config.podName } });
  const operator = await startOperator(config, connection, { logger });
  logger.info(
    { url: operator.server.url, namespace: config.namespace },
    "fleetscope operator started",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await operator.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`fleetscope: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
