// Runs the operator in-process against the local control plane, the way `make run` does, with
// names unique to the test so parallel or leftover runs never meet.
import { createServer } from "node:net";
import { resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import pino, { type Logger } from "pino";
import { loadConfig, type OperatorConfig } from "../../operator/config/config.ts";
import { type Operator, startOperator } from "../../operator/manager.ts";
import { connection, eventually, kubeConfig, kubectl } from "./cluster.ts";

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

/** Into the local control plane, or the cluster of another kubeconfig. */
export async function installCRDs(kubeconfig?: string): Promise<void> {
  await kubectl(
    [
      "apply",
      "--server-side",
      "--force-conflicts",
      "-f",
      resolve(import.meta.dirname, "../../crds"),
    ],
    undefined,
    kubeconfig,
  );
  // On a fresh API server the CRD may have no conditions yet, which kubectl wait takes as an
  // error rather than as not yet: ask again.
  await eventually("the CRD to be Established", () =>
    kubectl(
      [
        "wait",
        "--for=condition=Established",
        "crd/profilingpolicies.fleetscope.io",
        "--timeout=60s",
      ],
      undefined,
      kubeconfig,
    ),
  );
}

export interface TestOperator {
  operator: Operator;
  config: OperatorConfig;
}

export interface TestOperatorOptions {
  /** Credentials the operator runs with; the admin kubeconfig by default. */
  kubeConfig?: KubeConfig;
  /** Another cluster's admin kubeconfig file (e2e/harness/local-cluster.ts): the operator's
   * namespace is created there, and it runs with these credentials unless kubeConfig is set. */
  kubeconfigPath?: string;
  /** Where its logs go; by default pino at $FLEETSCOPE_TEST_LOG_LEVEL (silent). */
  logger?: Logger;
}

/** Starts an operator whose webhook the API server reaches on 127.0.0.1. */
export async function startTestOperator(
  env: Record<string, string> = {},
  opts: TestOperatorOptions = {},
): Promise<TestOperator> {
  const port = await freePort();
  const config = loadConfig({
    FLEETSCOPE_PORT: String(port),
    FLEETSCOPE_HOST: "127.0.0.1",
    FLEETSCOPE_WEBHOOK_URL: `https://127.0.0.1:${port}`,
    FLEETSCOPE_LOG_LEVEL: process.env.FLEETSCOPE_TEST_LOG_LEVEL ?? "silent",
    // Each replica needs its own identity in the leader election, as pods have in a cluster.
    POD_NAME: `test-operator-${port}`,
    ...env,
  });
  await kubectl(["create", "namespace", config.namespace], undefined, opts.kubeconfigPath).catch(
    (e: Error) => {
      if (!/AlreadyExists/.test(e.message)) throw e;
    },
  );
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const kc = opts.kubeConfig ?? (opts.kubeconfigPath ? kubeConfig(opts.kubeconfigPath) : undefined);
  const operator = await startOperator(config, connection(kc), {
    logger,
    onLostLeadership: () => logger.warn("lost leadership"),
  });
  return { operator, config };
}

export interface LogRecord {
  level: number;
  msg?: string;
  err?: unknown;
  [k: string]: unknown;
}

/** A pino logger that keeps every record at `level` or above in memory, for assertions. */
export function recordingLogger(level = "debug"): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino(
    { level },
    {
      write(line: string) {
        records.push(JSON.parse(line) as LogRecord);
      },
    },
  );
  return { logger, records };
}
