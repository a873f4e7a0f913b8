// The webhook's PKI as pure-ish functions: a self-signed CA, a serving certificate it signs,
// and the rule for when to rotate. Keys are ECDSA P-256: small, fast, accepted by the API server.
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs this polyfill first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as never);

type Key = webcrypto.CryptoKey;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface CertBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface IssueOptions {
  /** DNS names (and IPs) the serving certificate is valid for. */
  hosts: string[];
  now?: Date;
  caValidityDays?: number;
  certValidityDays?: number;
}

async function exportKey(key: Key): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKey(pem: string): Promise<Key> {
  const der = x509.PemConverter.decodeFirst(pem);
  return (await webcrypto.subtle.importKey("pkcs8", der, ALG, true, ["sign"])) as Key;
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");

export async function createCA(now = new Date(), validityDays = 3650) {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=fleetscope-webhook-ca",
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + validityDays * DAY),
    keys: keys as never,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  return { caCert: cert.toString("pem"), caKey: await exportKey(keys.privateKey as Key) };
}

/** Issues a serving certificate for `hosts`, signed by the given CA. */
export async function issueServingCert(
  ca: { caCert: string; caKey: string },
  opts: IssueOptions,
): Promise<{ cert: string; key: string }> {
  const now = opts.now ?? new Date();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const issuer = new x509.X509Certificate(ca.caCert);
  const isIP = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.hosts[0] ?? "fleetscope-webhook"}`,
    issuer: issuer.subject,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + (opts.certValidityDays ?? 365) * DAY),
    publicKey: keys.publicKey as Key,
    signingKey: await importKey(ca.caKey),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        opts.hosts.map((h) => (isIP(h) ? { type: "ip", value: h } : { type: "dns", value: h })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return { cert: cert.toString("pem"), key: await exportKey(keys.privateKey as Key) };
}

export async function createBundle(opts: IssueOptions): Promise<CertBundle> {
  const ca = await createCA(opts.now, opts.caValidityDays);
  return { ...ca, ...(await issueServingCert(ca, opts)) };
}

export interface CertState {
  action: "keep" | "reissue" | "recreate";
  reason: string;
}

/**
 * What to do with a stored bundle. Rotation starts when a third of the serving certificate's
 * lifetime is left, long before expiry, so every replica reloads and the API server picks up
 * the CA (unchanged on a reissue) without a failed admission.
 */
export async function assess(
  bundle: Partial<CertBundle> | undefined,
  hosts: string[],
  now = new Date(),
): Promise<CertState> {
  if (!bundle?.caCert || !bundle.caKey) return { action: "recreate", reason: "no CA stored" };
  let ca: x509.X509Certificate;
  try {
    ca = new x509.X509Certificate(bundle.caCert);
  } catch {
    return { action: "recreate", reason: "stored CA is not a certificate" };
  }
  if (remainingFraction(ca, now) < 1 / 3) return { action: "recreate", reason: "CA near expiry" };
  if (!bundle.cert || !bundle.key) return { action: "reissue", reason: "no serving certificate" };
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(bundle.cert);
  } catch {
    return { action: "reissue", reason: "stored serving certificate is unreadable" };
  }
  const signedByCA = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  if (!signedByCA) return { action: "reissue", reason: "issued by another CA" };
  if (remainingFraction(cert, now) < 1 / 3) return { action: "reissue", reason: "near expiry" };
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = new Set(san?.names.items.map((n) => n.value) ?? []);
  const missing = hosts.filter((h) => !names.has(h));
  if (missing.length > 0)
    return { action: "reissue", reason: `missing hosts ${missing.join(", ")}` };
  return { action: "keep", reason: "valid" };
}

function remainingFraction(cert: x509.X509Certificate, now: Date): number {
  const total = cert.notAfter.getTime() - cert.notBefore.getTime();
  return (cert.notAfter.getTime() - now.getTime()) / total;
}

/** When the bundle will next need attention: the moment two thirds of its lifetime has passed. */
export function nextCheck(bundle: CertBundle): Date {
  const cert = new x509.X509Certificate(bundle.cert);
  const total = cert.notAfter.getTime() - cert.notBefore.getTime();
  return new Date(cert.notBefore.getTime() + (total * 2) / 3);
}
