// The webhook follows its stored certificate: a new one is served without a restart, an
// incomplete or unchanged one changes nothing.
import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import { Agent, fetch } from "undici";
import type { WebhookServer } from "./server/server.ts";
import { type StoredCertificate, startWebhook } from "./start.ts";
import { type CertBundle, createBundle } from "./tls/certificates.ts";

describe("startWebhook", () => {
  let first: CertBundle;
  let next: CertBundle;
  let server: WebhookServer;
  let report: (stored: StoredCertificate) => void = () => {};
  const messages: string[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => messages.push(JSON.parse(line).msg) },
  );

  before(async () => {
    [first, next] = await Promise.all([
      createBundle({ hosts: ["127.0.0.1"] }),
      createBundle({ hosts: ["127.0.0.1"] }),
    ]);
    server = await startWebhook({
      tls: first,
      certificates: (listener) => {
        report = listener;
      },
      admit: () => ({ patch: [], result: "skipped", reason: "not-a-pod" }),
      ready: () => true,
      registry: new Registry(),
      logger,
      host: "127.0.0.1",
      port: 0,
    });
  });
  after(() => server.close());

  /** Whether a client trusting only `ca` completes a request. */
  async function trusts(ca: string): Promise<boolean> {
    const agent = new Agent({ connect: { ca } });
    try {
      return (await fetch(`${server.url}/healthz`, { dispatcher: agent })).ok;
    } catch {
      return false;
    } finally {
      await agent.close();
    }
  }
  const reloads = () => messages.filter((m) => m === "serving certificate reloaded").length;

  const steps: { name: string; stored: () => StoredCertificate; serves: "first" | "next" }[] = [
    {
      name: "no Secret: the certificate it started with",
      stored: () => undefined,
      serves: "first",
    },
    {
      name: "a certificate without its key: still the one it started with",
      stored: () => ({ cert: next.cert }),
      serves: "first",
    },
    {
      name: "the certificate it serves, stored again: no reload",
      stored: () => ({ cert: first.cert, key: first.key }),
      serves: "first",
    },
    {
      name: "a new certificate with its key: served from then on",
      stored: () => ({ cert: next.cert, key: next.key }),
      serves: "next",
    },
  ];
  for (const s of steps) {
    it(s.name, async () => {
      report(s.stored());
      const trusted = [await trusts(first.caCert), await trusts(next.caCert)];
      expect(trusted).to.deep.equal(s.serves === "first" ? [true, false] : [false, true]);
      expect(reloads()).to.equal(s.serves === "next" ? 1 : 0);
    });
  }
});
