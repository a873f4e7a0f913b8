// The operator's own kubeconfig handling against the real API server: each kind of credential
// authenticates as the identity it names, and one TLS connection serves many requests.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { stringify } from "yaml";
import { KubeClient } from "../../operator/kube/client.ts";
import { loadConnection } from "../../operator/kube/connection.ts";
import { kubeConfig, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { serviceAccountToken } from "../harness/credentials.ts";

interface SelfSubjectReview {
  status: { userInfo: { username: string } };
}

const whoAmI = async (client: KubeClient) =>
  (
    await client.request<SelfSubjectReview>(
      "POST",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } },
    )
  ).status.userInfo.username;

describe("connection: kubeconfig credentials on the real API server", () => {
  const namespace = uniqueName("conn");
  const account = "reader";
  const sa = `system:serviceaccount:${namespace}:${account}`;
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-kubeconfig-"));
  let token: string;

  /** A kubeconfig file for the local cluster (CA from the admin's) with `user` as credential. */
  function kubeconfigWith(user: Record<string, unknown>): string {
    const cluster = kubeConfig().getCurrentCluster()!;
    const path = join(dir, `${Object.keys(user).join("-")}.yaml`);
    const ca = cluster.caData ?? readFileSync(cluster.caFile!).toString("base64");
    writeFileSync(
      path,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "test",
        clusters: [
          { name: "local", cluster: { server: cluster.server, "certificate-authority-data": ca } },
        ],
        users: [{ name: "test", user }],
        contexts: [{ name: "test", context: { cluster: "local", user: "test" } }],
      }),
    );
    return path;
  }

  before(async () => {
    await kubectl(["create", "namespace", namespace]);
    await kubectl(["create", "serviceaccount", account, "-n", namespace]);
    token = await serviceAccountToken(namespace, account, "1h");
  });
  after(() => kubectl(["delete", "namespace", namespace, "--wait=false"]));

  it("client certificates from files: the admin", async () => {
    const client = new KubeClient(loadConnection({ KUBECONFIG: kubeconfigPath() }));
    expect(await whoAmI(client)).to.equal("kwok-admin");
  });

  it("a bearer token: the ServiceAccount", async () => {
    const client = new KubeClient(loadConnection({ KUBECONFIG: kubeconfigWith({ token }) }));
    expect(await whoAmI(client)).to.equal(sa);
  });

  it("a token file, re-read from disk: the ServiceAccount", async () => {
    writeFileSync(join(dir, "token"), `${token}\n`);
    const path = kubeconfigWith({ tokenFile: "token" });
    const client = new KubeClient(loadConnection({ KUBECONFIG: path }));
    expect(await whoAmI(client)).to.equal(sa);
  });

  it("an exec plugin, delegated to client-node: the ServiceAccount", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token },
    });
    const path = kubeconfigWith({
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "sh",
        args: ["-c", `echo '${credential}'`],
        interactiveMode: "Never",
      },
    });
    const client = new KubeClient(loadConnection({ KUBECONFIG: path }));
    expect(await whoAmI(client)).to.equal(sa);
  });

  it("a wrong token is refused with 401, not silently anonymous", async () => {
    const client = new KubeClient(loadConnection({ KUBECONFIG: kubeconfigWith({ token: "x" }) }));
    const err = await whoAmI(client).catch((e: unknown) => e);
    expect(err).to.have.property("status", 401);
  });

  it("serves 200 sequential requests over one kept-alive TLS connection", async () => {
    const conn = loadConnection({ KUBECONFIG: kubeconfigWith({ token }) });
    const client = new KubeClient(conn);
    let connects = 0;
    const { dispatcher } = await conn.authorize("GET", `${conn.server}/version`);
    dispatcher.on("connect", () => connects++);
    for (let i = 0; i < 200; i++) await client.request("GET", "/version");
    expect(connects).to.equal(1);
  });
});
