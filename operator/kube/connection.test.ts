// Which kubeconfig the ambient connection picks, from files on disk; requests are covered by
// e2e/integration/connection.test.ts against the real API server.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { stringify } from "yaml";
import { loadConnection } from "./connection.ts";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-connection-"));
function kubeconfig(name: string, server: string, token = "t"): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    stringify({
      "current-context": name,
      clusters: [{ name, cluster: { server } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
    }),
  );
  return path;
}

describe("loadConnection", () => {
  const a = kubeconfig("a", "https://a.example:6443");
  const b = kubeconfig("b", "https://b.example:6443", "token-b");

  it("takes the first file's current context from a $KUBECONFIG list, skipping missing files", () => {
    const conn = loadConnection({ KUBECONFIG: [join(dir, "missing"), a, b].join(":") });
    expect(conn.server).to.equal("https://a.example:6443");
  });

  it("switches to another context of the merged files", async () => {
    const conn = loadConnection({ KUBECONFIG: `${a}:${b}` }, "b");
    expect(conn.server).to.equal("https://b.example:6443");
    const { headers } = await conn.authorize("GET", `${conn.server}/version`);
    expect(headers).to.deep.equal({ authorization: "Bearer token-b" });
  });

  it("reads ~/.kube/config when $KUBECONFIG is unset", () => {
    const home = mkdtempSync(join(tmpdir(), "fleetscope-home-"));
    mkdirSync(join(home, ".kube"));
    writeFileSync(
      join(home, ".kube/config"),
      stringify({
        "current-context": "h",
        clusters: [{ name: "h", cluster: { server: "https://home.example" } }],
        contexts: [{ name: "h", context: { cluster: "h" } }],
      }),
    );
    expect(loadConnection({ HOME: home }).server).to.equal("https://home.example");
  });

  it("refuses a $KUBECONFIG naming no existing file rather than guessing", () => {
    expect(() => loadConnection({ KUBECONFIG: join(dir, "nope") })).to.throw(
      /KUBECONFIG names no file that exists/,
    );
  });

  it("outside a pod and without kubeconfig, says what to set", () => {
    const empty = mkdtempSync(join(tmpdir(), "fleetscope-home-"));
    expect(() => loadConnection({ HOME: empty })).to.throw(/set KUBECONFIG, or run in a pod/);
  });
});
