// What every request of the client carries, as a loopback HTTP server receives it: the
// User-Agent fleetscope/<version> and, on writes, a field manager.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Agent } from "undici";
import { KubeClient } from "./client.ts";
import { USER_AGENT, VERSION } from "./identity.ts";

describe("KubeClient identity", () => {
  let server: Server;
  const seen: { method?: string; url?: string; agent?: string }[] = [];
  let client: KubeClient;
  const dispatcher = new Agent();

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method, url: req.url, agent: req.headers["user-agent"] });
      res.setHeader("content-type", "application/json");
      if (req.url?.includes("watch=true")) res.end('{"type":"BOOKMARK","object":{}}\n');
      else res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const connection = {
      server: `http://127.0.0.1:${port}`,
      authorize: async () => ({ headers: {}, dispatcher }),
    };
    client = new KubeClient(connection, { fieldManager: "fleetscope-test" });
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await dispatcher.close();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it("the version is package.json's", () => {
    const pkg = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(VERSION).to.equal(pkg.version);
    expect(USER_AGENT).to.equal(`fleetscope/${pkg.version}`);
  });

  it("writes name the client's field manager unless they name their own", async () => {
    await client.request("POST", "/api/v1/namespaces/a/events", { body: {} });
    await client.request("PATCH", "/apis/apps/v1/namespaces/a/deployments/d", {
      body: {},
      query: { fieldManager: "fleetscope-rollout" },
    });
    await client.request("PUT", "/apis/coordination.k8s.io/v1/namespaces/a/leases/l", {
      body: {},
    });
    await client.request("DELETE", "/api/v1/namespaces/a/pods/p");
    await client.request("GET", "/api/v1/pods");
    const query = (i: number) =>
      new URL(seen[i]!.url!, "http://x").searchParams.get("fieldManager");
    expect(seen.map((s) => s.method)).to.deep.equal(["POST", "PATCH", "PUT", "DELETE", "GET"]);
    expect([0, 1, 2, 3, 4].map(query)).to.deep.equal([
      "fleetscope-test",
      "fleetscope-rollout",
      "fleetscope-test",
      null,
      null,
    ]);
  });

  it("every request and watch sends User-Agent fleetscope/<version>", async () => {
    await client.request("GET", "/api/v1/pods");
    await client.watch("/api/v1/pods", {}, () => {});
    expect(seen.map((s) => s.agent)).to.deep.equal([USER_AGENT, USER_AGENT]);
  });
});
