// Keeps the webhook registered and trusted: the certificate Secret valid (rotated early), and
// the MutatingWebhookConfiguration applied with the CA that signed the serving certificate.
// Also the serving certificate each replica starts with and follows, and whether the webhook
// is registered yet, which the policy and coverage controllers wait for.

import type { StoredCertificate } from "../../webhook/start.ts";
import { nextCheck } from "../../webhook/tls/certificates.ts";
import type { OperatorConfig } from "../config/config.ts";
import type { ManagerContext } from "../context.ts";
import type { KubeClient } from "../kube/client.ts";
import { apply, type ObjectRef, objectPath } from "../kube/resources.ts";
import { renderWebhookConfiguration } from "../render/webhook-configuration.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { bundleFromSecret, ensureCertificates, readCertificates } from "./webhook-certificates.ts";

export const WEBHOOK_KEY = "webhook";
const MAX_REQUEUE_MS = 6 * 60 * 60 * 1000;

export function webhookConfigReconciler(deps: {
  client: KubeClient;
  config: OperatorConfig;
  onRotated?: (reason: string) => void;
  now?: () => Date;
}): Reconciler {
  const { client, config } = deps;
  return async () => {
    const owner = config.ownerClusterRole
      ? await ownerReference(client, config.ownerClusterRole)
      : undefined;
    const { bundle, changed, reason } = await ensureCertificates(client, {
      namespace: config.namespace,
      secretName: config.certSecretName,
      hosts: config.certHosts,
      now: deps.now,
      ...(owner ? { ownerReferences: [owner] } : {}),
    });
    if (changed) deps.onRotated?.(reason);
    const rendered = renderWebhookConfiguration({
      name: config.webhookConfigName,
      operatorNamespace: config.namespace,
      caBundle: Buffer.from(bundle.caCert).toString("base64"),
      service: config.webhookService,
      url: config.webhookURL,
      ...(owner ? { owner } : {}),
    });
    await apply(client, rendered as ObjectRef);
    const due = nextCheck(bundle).getTime() - (deps.now?.() ?? new Date()).getTime();
    return { requeueAfterMs: Math.max(60_000, Math.min(MAX_REQUEUE_MS, due)) };
  };
}

/** The installation's ClusterRole as an owner; its UID pins the exact object, not just a name. */
export async function ownerReference(client: KubeClient, name: string) {
  const role = await client.request<{ metadata: { uid: string } }>(
    "GET",
    objectPath("ClusterRole", name),
  );
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    name,
    uid: role.metadata.uid,
  };
}

/**
 * The serving certificate at start-up: every replica makes sure one exists (or, when
 * cert-manager manages it, waits for it), then follows the Secret (`storedCertificates`).
 */
export async function servingCertificate({
  client,
  config,
}: ManagerContext): Promise<{ cert: string; key: string }> {
  if (!config.manageWebhook) {
    return readCertificates(client, {
      namespace: config.namespace,
      secretName: config.certSecretName,
    });
  }
  const { bundle } = await ensureCertificates(client, {
    namespace: config.namespace,
    secretName: config.certSecretName,
    hosts: config.certHosts,
    ...(config.ownerClusterRole
      ? { ownerReferences: [await ownerReference(client, config.ownerClusterRole)] }
      : {}),
  });
  return bundle;
}

/** The serving certificate as its Secret holds it, to each listener after every change. */
export function storedCertificates({ caches, config }: ManagerContext) {
  const key = `${config.namespace}/${config.certSecretName}`;
  return (listener: (stored: StoredCertificate) => void) => {
    caches.certSecret.onChange(() =>
      listener(bundleFromSecret(caches.certSecret.get(key) as never)),
    );
  };
}

/**
 * Whether this operator's webhook is registered yet: restarted pods and Ready wait for it.
 * Registered by someone else when the operator does not manage it.
 */
export class WebhookRegistration {
  private readonly managed: boolean;
  private done = false;
  private readonly waiting: (() => void)[] = [];

  constructor(managed: boolean) {
    this.managed = managed;
  }

  ready(): boolean {
    return this.done || !this.managed;
  }

  /** Runs `fn` when this operator first registers the webhook. */
  onRegistered(fn: () => void): void {
    this.waiting.push(fn);
  }

  registered(): void {
    if (this.done) return;
    this.done = true;
    for (const fn of this.waiting) fn();
  }
}

/**
 * Watches nothing: its one key is enqueued when leading starts, and requeued before the
 * certificate is due. Its first success marks the webhook registered.
 */
export function setupWebhookConfigController(
  mgr: ManagerContext,
  registration: WebhookRegistration,
): Controller {
  const { logger } = mgr;
  const reconcile = webhookConfigReconciler({
    client: mgr.client,
    config: mgr.config,
    onRotated: (reason) => logger.info({ reason }, "webhook certificate issued"),
  });
  return new Controller({
    name: "webhook",
    clock: mgr.clock,
    logger,
    metrics: mgr.metrics,
    workers: 1,
    reconcile: async (key) => {
      const result = await reconcile(key);
      registration.registered();
      return result;
    },
    initialKeys: () => [WEBHOOK_KEY],
  });
}
