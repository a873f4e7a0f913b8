// Keeps the webhook's CA and serving certificate in a Secret: created once, reissued before
// expiry, shared by every replica. Writes are guarded by resourceVersion, so replicas racing
// to create or rotate settle on one bundle.

import { own } from "../../core/own.ts";
import {
  assess,
  type CertBundle,
  createCA,
  issueServingCert,
} from "../../webhook/tls/certificates.ts";
import { ApiError, isNotFound, type KubeClient } from "../kube/client.ts";
import { collectionPath, mergePatch, objectPath } from "../kube/resources.ts";

interface Secret {
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  type?: string;
  data?: Record<string, string>;
}

const KEYS = { caCert: "ca.crt", caKey: "ca.key", cert: "tls.crt", key: "tls.key" } as const;

export function bundleFromSecret(secret: Secret | undefined): Partial<CertBundle> | undefined {
  if (!secret?.data) return undefined;
  const out: Partial<CertBundle> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof CertBundle, string][]) {
    const v = own(secret.data, key);
    if (v) out[field] = Buffer.from(v, "base64").toString();
  }
  return out;
}

function secretData(b: CertBundle): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof CertBundle, string][]) {
    data[key] = Buffer.from(b[field]).toString("base64");
  }
  return data;
}

export interface CertStoreOptions {
  namespace: string;
  secretName: string;
  hosts: string[];
  now?: () => Date;
  /** Set on the Secret, so that it goes when its owner (the installation) goes. */
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** Returns a valid bundle from the Secret, creating or reissuing it first when needed. */
export async function ensureCertificates(
  client: KubeClient,
  opts: CertStoreOptions,
): Promise<{ bundle: CertBundle; changed: boolean; reason: string }> {
  const now = opts.now?.() ?? new Date();
  for (let attempt = 0; attempt < 5; attempt++) {
    let secret: Secret | undefined;
    try {
      secret = await client.request<Secret>(
        "GET",
        objectPath("Secret", opts.secretName, opts.namespace),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const stored = bundleFromSecret(secret);
    const state = await assess(stored, opts.hosts, now);
    if (state.action === "keep") {
      const owners = (secret?.metadata.ownerReferences ?? []) as OwnerReference[];
      const missing = (opts.ownerReferences ?? []).filter(
        (o) => !owners.some((x) => x.uid === o.uid),
      );
      if (missing.length > 0) {
        // A Secret from before the owner was configured: adopt it, so uninstalling removes it.
        await mergePatch(
          client,
          "Secret",
          opts.secretName,
          { metadata: { ownerReferences: [...owners, ...missing] } },
          opts.namespace,
        );
      }
      return { bundle: stored as CertBundle, changed: false, reason: state.reason };
    }
    // A reissue keeps the CA, so the caBundle registered at the API server stays valid.
    const ca =
      state.action === "recreate"
        ? await createCA(now)
        : { caCert: stored!.caCert!, caKey: stored!.caKey! };
    const bundle: CertBundle = {
      ...ca,
      ...(await issueServingCert(ca, { hosts: opts.hosts, now })),
    };
    const body: Secret = {
      metadata: {
        name: opts.secretName,
        namespace: opts.namespace,
        labels: { "app.kubernetes.io/managed-by": "fleetscope" },
        ...(opts.ownerReferences ? { ownerReferences: opts.ownerReferences } : {}),
      },
      type: "Opaque",
      data: secretData(bundle),
    };
    try {
      if (secret) {
        body.metadata.resourceVersion = secret.metadata.resourceVersion;
        await client.request("PUT", objectPath("Secret", opts.secretName, opts.namespace), {
          body,
        });
      } else {
        await client.request("POST", collectionPath("Secret", opts.namespace), { body });
      }
      return { bundle, changed: true, reason: state.reason };
    } catch (err) {
      // Another replica wrote first: read its bundle on the next attempt.
      if (err instanceof ApiError && (err.status === 409 || err.status === 422)) continue;
      throw err;
    }
  }
  throw new Error(`could not settle the webhook certificate Secret ${opts.secretName}`);
}

/**
 * Reads the serving certificate another party manages (cert-manager), waiting until the Secret
 * holds one. Never writes: the Secret and the caBundle injection are the other party's.
 */
export async function readCertificates(
  client: KubeClient,
  opts: { namespace: string; secretName: string; timeoutMs?: number },
): Promise<{ cert: string; key: string }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    try {
      const secret = await client.request<Secret>(
        "GET",
        objectPath("Secret", opts.secretName, opts.namespace),
      );
      const b = bundleFromSecret(secret);
      if (b?.cert && b.key) return { cert: b.cert, key: b.key };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Secret ${opts.namespace}/${opts.secretName} has no tls.crt and tls.key; is cert-manager issuing it?`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
