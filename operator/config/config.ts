// The operator's process settings, read once from the environment with clear errors.
import { hostname } from "node:os";

export interface OperatorConfig {
  /** Namespace the operator runs in: its Secret, Lease and Events live here. */
  namespace: string;
  /** Identity in the leader election; unique per replica. */
  podName: string;
  clusterName: string;
  logLevel: string;
  /** Port of the HTTPS server (webhook, health, metrics). */
  port: number;
  /** Address the server binds. */
  host: string;
  leaderElection: boolean;
  webhookConfigName: string;
  certSecretName: string;
  /** In-cluster: the Service the API server calls. */
  webhookService?: { name: string; namespace: string; port: number };
  /** Out of cluster: a URL the API server can reach (e.g. https://127.0.0.1:9443). */
  webhookURL?: string;
  /** Where an out-of-cluster webhook listens, as the URL's host: goes into the certificate. */
  certHosts: string[];
  /** Whether this process writes the webhook configuration and certificate Secret. */
  manageWebhook: boolean;
  /**
   * A ClusterRole installed with the operator (the chart's): the webhook configuration and the
   * certificate Secret are owned by it, so uninstalling the release garbage-collects them.
   */
  ownerClusterRole?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined>): OperatorConfig {
  const get = (k: string, fallback: string) => (env[k] ?? "").trim() || fallback;
  const port = Number(get("FLEETSCOPE_PORT", "9443"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`FLEETSCOPE_PORT must be a port number, got ${env.FLEETSCOPE_PORT}`);
  }
  const namespace = get("FLEETSCOPE_NAMESPACE", "fleetscope");
  const bool = (k: string, fallback: boolean) => {
    const v = get(k, String(fallback)).toLowerCase();
    if (v !== "true" && v !== "false")
      throw new ConfigError(`${k} must be true or false, got ${v}`);
    return v === "true";
  };
  const webhookURL = env.FLEETSCOPE_WEBHOOK_URL?.trim() || undefined;
  const serviceName = get("FLEETSCOPE_WEBHOOK_SERVICE", "fleetscope-webhook");
  const config: OperatorConfig = {
    namespace,
    podName: get("POD_NAME", `${hostname()}-${process.pid}`),
    clusterName: get("FLEETSCOPE_CLUSTER_NAME", "kubernetes"),
    logLevel: get("FLEETSCOPE_LOG_LEVEL", "info"),
    port,
    host: get("FLEETSCOPE_HOST", "0.0.0.0"),
    leaderElection: bool("FLEETSCOPE_LEADER_ELECTION", true),
    webhookConfigName: get("FLEETSCOPE_WEBHOOK_CONFIG", "fleetscope"),
    certSecretName: get("FLEETSCOPE_CERT_SECRET", "fleetscope-webhook-tls"),
    manageWebhook: bool("FLEETSCOPE_MANAGE_WEBHOOK", true),
    certHosts: [],
  };
  const owner = env.FLEETSCOPE_OWNER_CLUSTERROLE?.trim();
  if (owner) config.ownerClusterRole = owner;
  if (webhookURL) {
    let url: URL;
    try {
      url = new URL(webhookURL);
    } catch {
      throw new ConfigError(`FLEETSCOPE_WEBHOOK_URL must be a URL, got ${webhookURL}`);
    }
    if (url.protocol !== "https:") {
      throw new ConfigError(
        "FLEETSCOPE_WEBHOOK_URL must be https: the API server calls webhooks over TLS",
      );
    }
    config.webhookURL = webhookURL.replace(/\/$/, "");
    config.certHosts = [url.hostname.replace(/^\[|\]$/g, "")];
  } else {
    config.webhookService = { name: serviceName, namespace, port: 443 };
    config.certHosts = [
      serviceName,
      `${serviceName}.${namespace}`,
      `${serviceName}.${namespace}.svc`,
      `${serviceName}.${namespace}.svc.cluster.local`,
    ];
  }
  return config;
}
