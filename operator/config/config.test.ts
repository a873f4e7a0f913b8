// Operator settings from the environment: defaults, in-cluster vs local webhook, clear errors.
import { expect } from "chai";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("defaults to an in-cluster webhook Service with every name the API server may use", () => {
    const c = loadConfig({ FLEETSCOPE_NAMESPACE: "ops" });
    expect(c.webhookService).to.deep.equal({
      name: "fleetscope-webhook",
      namespace: "ops",
      port: 443,
    });
    expect(c.certHosts).to.include("fleetscope-webhook.ops.svc");
    expect(c).to.include({ port: 9443, leaderElection: true, manageWebhook: true });
  });

  it("a local webhook URL puts its host into the certificate", () => {
    const c = loadConfig({ FLEETSCOPE_WEBHOOK_URL: "https://127.0.0.1:9443/" });
    expect(c.webhookURL).to.equal("https://127.0.0.1:9443");
    expect(c.webhookService).to.equal(undefined);
    expect(c.certHosts).to.deep.equal(["127.0.0.1"]);
  });

  const bad = [
    { env: { FLEETSCOPE_PORT: "99999" }, error: /FLEETSCOPE_PORT must be a port number/ },
    {
      env: { FLEETSCOPE_LEADER_ELECTION: "yes" },
      error: /FLEETSCOPE_LEADER_ELECTION must be true or false/,
    },
    { env: { FLEETSCOPE_WEBHOOK_URL: "http://127.0.0.1:9443" }, error: /must be https/ },
    { env: { FLEETSCOPE_WEBHOOK_URL: "not a url" }, error: /FLEETSCOPE_WEBHOOK_URL must be a URL/ },
  ];
  for (const c of bad) {
    it(`refuses ${JSON.stringify(c.env)} naming the variable`, () => {
      expect(() => loadConfig(c.env)).to.throw(c.error);
    });
  }
});
