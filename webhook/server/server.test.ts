// The webhook server over real HTTPS: answers, clear 4xx for bad input, never a crash.
import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import { Agent, fetch } from "undici";
import { createBundle } from "../tls/certificates.ts";
import type { Admission, AdmissionRequest } from "./admission-review.ts";
import { MUTATE_PATH, startWebhookServer, type WebhookServer } from "./server.ts";

const review = (request: Partial<AdmissionRequest> = {}) => ({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "6b1b7c9e-0001",
    kind: { group: "", version: "v1", kind: "Pod" },
    operation: "CREATE",
    namespace: "shop",
    object: { metadata: { name: "p" }, spec: { containers: [] } },
    ...request,
  },
});

describe("webhook server", () => {
  let server: WebhookServer;
  let agent: Agent;
  let ready = false;
  let admit: (r: AdmissionRequest) => Admission;
  const registry = new Registry();

  before(async () => {
    const bundle = await createBundle({ hosts: ["127.0.0.1"] });
    agent = new Agent({ connect: { ca: bundle.caCert } });
    server = await startWebhookServer({
      tls: bundle,
      admit: (r) => admit(r),
      ready: () => ready,
      registry,
      logger: pino({ level: "silent" }),
      host: "127.0.0.1",
      port: 0,
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  const post = (body: string, contentType = "application/json") =>
    fetch(`${server.url}${MUTATE_PATH}`, {
      method: "POST",
      body,
      headers: { "content-type": contentType },
      dispatcher: agent,
    });

  it("answers an AdmissionReview with the uid and the base64 JSON Patch", async () => {
    const patch = [{ op: "add", path: "/metadata/labels", value: { a: "b" } }];
    admit = () => ({ patch, result: "injected", reason: "injected", warnings: ["w1"] });
    const res = await post(JSON.stringify(review()));
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { response: Record<string, unknown> };
    expect(body.response).to.include({
      uid: "6b1b7c9e-0001",
      allowed: true,
      patchType: "JSONPatch",
    });
    expect(JSON.parse(Buffer.from(String(body.response.patch), "base64").toString())).to.deep.equal(
      patch,
    );
    expect(body.response.warnings).to.deep.equal(["w1"]);
  });

  it("allows the pod unchanged when admit throws, and counts it", async () => {
    admit = () => {
      throw new Error("bug");
    };
    const res = await post(JSON.stringify(review()));
    const body = (await res.json()) as { response: Record<string, unknown> };
    expect(res.status).to.equal(200);
    expect(body.response.allowed).to.equal(true);
    expect(body.response.patch).to.equal(undefined);
    const metrics = await registry.metrics();
    expect(metrics).to.match(
      /fleetscope_webhook_admissions_total\{result="error",reason="internal-error"\} 1/,
    );
  });

  it("passes a pod holding __proto__ keys to admit as data (e.g. a CSI volume attribute)", async () => {
    let seen: AdmissionRequest | undefined;
    admit = (r) => {
      seen = r;
      return { patch: [], result: "skipped", reason: "x" };
    };
    // Written out by hand: JSON.stringify of an object literal would never produce the key.
    const pod =
      '{"metadata":{"name":"p","labels":{"__proto__":"l"}},"spec":{"containers":[],' +
      '"volumes":[{"name":"v","csi":{"driver":"d","volumeAttributes":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}}]}}';
    const body = JSON.stringify(review()).replace(
      '{"metadata":{"name":"p"},"spec":{"containers":[]}}',
      pod,
    );
    expect(body).to.include("__proto__");
    const res = await post(body);
    expect(res.status).to.equal(200);
    const object = seen?.object as {
      metadata: { labels: object };
      spec: { volumes: { csi: { volumeAttributes: Record<string, unknown> } }[] };
    };
    expect(Object.keys(object.metadata.labels)).to.deep.equal(["__proto__"]);
    const attrs = object.spec.volumes[0]!.csi.volumeAttributes;
    expect(Object.keys(attrs)).to.deep.equal(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(attrs)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  const bad: { name: string; body: string; contentType?: string; status: number; error: RegExp }[] =
    [
      { name: "invalid JSON", body: "{not json", status: 400, error: /JSON/i },
      {
        name: "a JSON array",
        body: "[]",
        status: 400,
        error: /body: must be an AdmissionReview/,
      },
      {
        name: "wrong apiVersion",
        body: JSON.stringify({ ...review(), apiVersion: "admission.k8s.io/v1beta1" }),
        status: 400,
        error: /apiVersion: must be admission.k8s.io\/v1/,
      },
      {
        name: "missing request.uid",
        body: JSON.stringify(review({ uid: "" })),
        status: 400,
        error: /request\.uid/,
      },
      {
        name: "a plain-text body",
        body: "hello",
        contentType: "text/plain",
        status: 415,
        error: /content-type|Unsupported Media Type/i,
      },
      {
        name: "a body over 8 MiB",
        body: JSON.stringify({ pad: "x".repeat(9 * 1024 * 1024) }),
        status: 413,
        error: /too large/i,
      },
    ];
  for (const c of bad) {
    it(`refuses ${c.name} with ${c.status}`, async () => {
      admit = () => ({ patch: [], result: "skipped", reason: "x" });
      const res = await post(c.body, c.contentType);
      expect(res.status).to.equal(c.status);
      expect(((await res.json()) as { error: string }).error).to.match(c.error);
    });
  }

  it("is ready only once the caches have synced", async () => {
    ready = false;
    const before = await fetch(`${server.url}/readyz`, { dispatcher: agent });
    ready = true;
    const after = await fetch(`${server.url}/readyz`, { dispatcher: agent });
    expect([before.status, after.status]).to.deep.equal([503, 200]);
  });

  it("serves a rotated certificate after reloadTls without restarting", async () => {
    const next = await createBundle({ hosts: ["127.0.0.1"] });
    server.reloadTls(next);
    const fresh = new Agent({ connect: { ca: next.caCert } });
    try {
      const res = await fetch(`${server.url}/healthz`, { dispatcher: fresh });
      expect(res.status).to.equal(200);
    } finally {
      await fresh.close();
    }
  });
});
