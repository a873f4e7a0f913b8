// The webhook certificate Secret on a real API server: created once, shared by racing replicas,
// reissued (same CA) when the host list changes.
import { expect } from "chai";
import {
  ensureCertificates,
  readCertificates,
} from "../../operator/controllers/webhook-certificates.ts";
import { KubeClient } from "../../operator/kube/client.ts";
import { createBundle } from "../../webhook/tls/certificates.ts";
import { connection, kubectl, uniqueName } from "../harness/cluster.ts";

describe("webhook certificate store", () => {
  const client = new KubeClient(connection());
  const namespace = uniqueName("certs");
  const opts = { namespace, secretName: "fleetscope-webhook-tls", hosts: ["wh.ns.svc"] };

  before(() => kubectl(["create", "namespace", namespace]));
  after(() => kubectl(["delete", "namespace", namespace, "--wait=false"]));

  it("three replicas racing on an empty namespace end up with one bundle", async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureCertificates(client, opts)));
    const certs = new Set(results.map((r) => r.bundle.cert));
    expect(certs.size).to.equal(1);
    expect(results.filter((r) => r.changed).length).to.be.at.least(1);
  });

  it("keeps a valid bundle and reissues for new hosts under the same CA", async () => {
    const first = await ensureCertificates(client, opts);
    expect(first.changed).to.equal(false);
    const moved = await ensureCertificates(client, { ...opts, hosts: ["wh.ns.svc", "127.0.0.1"] });
    expect(moved.changed).to.equal(true);
    expect(moved.reason).to.match(/missing hosts 127.0.0.1/);
    expect(moved.bundle.caCert).to.equal(first.bundle.caCert);
    expect(moved.bundle.cert).to.not.equal(first.bundle.cert);
  });

  it("with cert-manager, waits for its Secret and never writes to it", async () => {
    const issued = await createBundle({ hosts: ["wh.ns.svc"] });
    const pending = readCertificates(client, { namespace, secretName: "issued-elsewhere" });
    await new Promise((r) => setTimeout(r, 1500));
    // As cert-manager writes it: no ca.key.
    await kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "issued-elsewhere", namespace },
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": Buffer.from(issued.cert).toString("base64"),
          "tls.key": Buffer.from(issued.key).toString("base64"),
          "ca.crt": Buffer.from(issued.caCert).toString("base64"),
        },
      }),
    );
    const before = await kubectl([
      "get",
      "secret",
      "issued-elsewhere",
      "-n",
      namespace,
      "-o",
      "jsonpath={.metadata.resourceVersion}",
    ]);
    expect((await pending).cert).to.equal(issued.cert);
    const after = await kubectl([
      "get",
      "secret",
      "issued-elsewhere",
      "-n",
      namespace,
      "-o",
      "jsonpath={.metadata.resourceVersion}",
    ]);
    expect(after).to.equal(before);
  });
});
