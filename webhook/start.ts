// Starts the webhook's server and keeps its serving certificate current: whoever stores the
// certificate reports each version it sees, and a new one is swapped in without a restart.
import {
  startWebhookServer,
  type WebhookServer,
  type WebhookServerOptions,
} from "./server/server.ts";

/** A certificate as stored; either half may be missing while it is being written. */
export type StoredCertificate = { cert?: string; key?: string } | undefined;

export interface WebhookOptions extends WebhookServerOptions {
  /** Subscribes to the stored certificate: the listener is called after every change. */
  certificates: (listener: (stored: StoredCertificate) => void) => void;
}

export async function startWebhook(opts: WebhookOptions): Promise<WebhookServer> {
  const { certificates, ...serverOptions } = opts;
  const server = await startWebhookServer(serverOptions);
  let served = opts.tls.cert;
  certificates((stored) => {
    if (stored?.cert && stored.key && stored.cert !== served) {
      server.reloadTls({ cert: stored.cert, key: stored.key });
      served = stored.cert;
      opts.logger.info("serving certificate reloaded");
    }
  });
  return server;
}
