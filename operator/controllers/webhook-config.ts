// Keeps the webhook registered and trusted: the certificate Secret valid (rotated early), and
// the MutatingWebhookConfiguration applied with the CA that signed the serving certificate.

import { nextCheck } from "../../webhook/tls/certificates.ts";
import type { OperatorConfig } from "../config/config.ts";
import type { KubeClient } from "../kube/client.ts";
import { apply, type ObjectRef, objectPath } from "../kube/resources.ts";
import { renderWebhookConfiguration } from "../render/webhook-configuration.ts";
import type { Reconciler } from "../runtime/worker.ts";
import { ensureCertificates } from "./webhook-certificates.ts";

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
