// Kubeconfig resolution: which server, TLS material and credential a context yields, and the
// field an error names when the file is wrong.
import { expect } from "chai";
import {
  type Credential,
  inClusterEndpoint,
  type KubeconfigDoc,
  mergeKubeconfigs,
  resolveContext,
} from "./kubeconfig.ts";

const files: Record<string, string> = {
  "/etc/kube/ca.crt": "CA FROM FILE",
  "/etc/kube/pki/admin.crt": "CERT FROM FILE",
  "/etc/kube/pki/admin.key": "KEY FROM FILE",
  "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": "IN-CLUSTER CA",
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
  return Buffer.from(text);
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** One cluster, one user, one context named "dev"; `user` and `cluster` fields are merged in. */
function config(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
): KubeconfigDoc {
  return {
    source: "/etc/kube/config",
    "current-context": "dev",
    clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443/", ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "dev", context: { cluster: "c", user: "u" } }],
  };
}

describe("resolveContext: credentials", () => {
  const cases: {
    name: string;
    user: Record<string, unknown>;
    cluster?: Record<string, unknown>;
    credential: Credential;
  }[] = [
    { name: "a bearer token", user: { token: "abc" }, credential: { kind: "token", token: "abc" } },
    {
      name: "a token file, relative to the kubeconfig",
      user: { tokenFile: "token" },
      credential: { kind: "tokenFile", path: "/etc/kube/token" },
    },
    {
      name: "basic auth",
      user: { username: "ann", password: "pw" },
      credential: { kind: "basic", username: "ann", password: "pw" },
    },
    { name: "client certificates only", user: {}, credential: { kind: "none" } },
    {
      name: "an exec plugin is delegated",
      user: { exec: { command: "aws" } },
      credential: { kind: "delegated", reason: "users[u].user.exec" },
    },
    {
      name: "an auth provider is delegated",
      user: { "auth-provider": { name: "oidc" } },
      credential: { kind: "delegated", reason: "users[u].user.auth-provider" },
    },
    {
      name: "a proxy is delegated",
      user: { token: "abc" },
      cluster: { "proxy-url": "socks5://proxy:1080" },
      credential: { kind: "delegated", reason: "clusters[c].cluster.proxy-url" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resolveContext(config(c.user, c.cluster), read).credential).to.deep.equal(
        c.credential,
      );
    });
  }
});

describe("resolveContext: server and TLS", () => {
  it("reads inline data and strips the server's trailing slash", () => {
    const ep = resolveContext(
      config(
        { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") },
        { "certificate-authority-data": b64("CA"), "tls-server-name": "api.internal" },
      ),
      read,
    );
    expect(ep.server).to.equal("https://10.0.0.1:6443");
    expect(ep.tls.ca?.toString()).to.equal("CA");
    expect(ep.tls.cert?.toString()).to.equal("CERT");
    expect(ep.tls.key?.toString()).to.equal("KEY");
    expect(ep.tls.servername).to.equal("api.internal");
    expect(ep.tls.insecureSkipVerify).to.equal(undefined);
  });

  it("reads files, relative paths from the kubeconfig's folder", () => {
    const ep = resolveContext(
      config(
        { "client-certificate": "pki/admin.crt", "client-key": "/etc/kube/pki/admin.key" },
        { "certificate-authority": "ca.crt" },
      ),
      read,
    );
    expect([ep.tls.ca, ep.tls.cert, ep.tls.key].map(String)).to.deep.equal([
      "CA FROM FILE",
      "CERT FROM FILE",
      "KEY FROM FILE",
    ]);
  });

  it("prefers -data over the file when both are given", () => {
    const ep = resolveContext(
      config(
        {},
        { "certificate-authority": "ca.crt", "certificate-authority-data": b64("INLINE") },
      ),
      read,
    );
    expect(ep.tls.ca?.toString()).to.equal("INLINE");
  });

  it("allows plain http only with insecure-skip-tls-verify", () => {
    const ep = resolveContext(
      config({}, { server: "http://127.0.0.1:8080", "insecure-skip-tls-verify": true }),
      read,
    );
    expect(ep.tls.insecureSkipVerify).to.equal(true);
  });

  it("selects a context other than the current one", () => {
    const doc = config({ token: "dev" });
    doc.users!.push({ name: "ops", user: { token: "ops" } });
    doc.contexts!.push({ name: "prod", context: { cluster: "c", user: "ops" } });
    expect(resolveContext(doc, read, "prod")).to.include({ context: "prod" });
    expect(resolveContext(doc, read, "prod").credential).to.deep.equal({
      kind: "token",
      token: "ops",
    });
  });
});

describe("resolveContext: errors name the field", () => {
  const cases: { name: string; doc: () => KubeconfigDoc; context?: string; error: RegExp }[] = [
    {
      name: "no current context",
      doc: () => ({ ...config({}), "current-context": "" }),
      error: /kubeconfig: current-context is not set/,
    },
    {
      name: "a context that does not exist",
      doc: () => config({}),
      context: "staging",
      error: /current-context: no contexts entry named "staging"/,
    },
    {
      name: "a context pointing at a missing cluster",
      doc: () => ({
        ...config({}),
        contexts: [{ name: "dev", context: { cluster: "gone", user: "u" } }],
      }),
      error: /contexts\[dev\]\.context\.cluster: no clusters entry named "gone"/,
    },
    {
      name: "a context pointing at a missing user",
      doc: () => ({
        ...config({}),
        contexts: [{ name: "dev", context: { cluster: "c", user: "nobody" } }],
      }),
      error: /contexts\[dev\]\.context\.user: no users entry named "nobody"/,
    },
    {
      name: "a cluster without a server",
      doc: () => config({}, { server: "" }),
      error: /clusters\[c\]\.cluster\.server is not set/,
    },
    {
      name: "plain http without insecure-skip-tls-verify",
      doc: () => config({}, { server: "http://10.0.0.1" }),
      error: /clusters\[c\]\.cluster\.server is plain http/,
    },
    {
      name: "an unreadable CA file",
      doc: () => config({}, { "certificate-authority": "/nope/ca.crt" }),
      error: /clusters\[c\]\.cluster\.certificate-authority: ENOENT/,
    },
    {
      name: "a client certificate without its key",
      doc: () => config({ "client-certificate-data": b64("CERT") }),
      error: /users\[u\]\.user: client-certificate and client-key go together/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(() => resolveContext(c.doc(), read, c.context)).to.throw(c.error);
    });
  }
});

describe("mergeKubeconfigs", () => {
  it("keeps the first of each name and the first current-context, as $KUBECONFIG does", () => {
    const merged = mergeKubeconfigs([
      { source: "/a/config", clusters: [{ name: "c", cluster: { server: "https://a" } }] },
      {
        source: "/b/config",
        "current-context": "dev",
        clusters: [{ name: "c", cluster: { server: "https://b" } }],
        users: [{ name: "u", user: { tokenFile: "token" } }],
        contexts: [{ name: "dev", context: { cluster: "c", user: "u" } }],
      },
      { source: "/c/config", "current-context": "other" },
    ]);
    const ep = resolveContext(merged, read);
    expect(ep.server).to.equal("https://a");
    // Each entry keeps its own file, so its relative paths still resolve next to it.
    expect(ep.credential).to.deep.equal({ kind: "tokenFile", path: "/b/token" });
  });
});

describe("inClusterEndpoint", () => {
  it("uses the ServiceAccount mount and the service environment", () => {
    const ep = inClusterEndpoint(
      { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      read,
    );
    expect(ep.server).to.equal("https://10.96.0.1:443");
    expect(ep.tls.ca?.toString()).to.equal("IN-CLUSTER CA");
    expect(ep.credential).to.deep.equal({
      kind: "tokenFile",
      path: "/var/run/secrets/kubernetes.io/serviceaccount/token",
    });
  });

  it("brackets an IPv6 service address", () => {
    const ep = inClusterEndpoint(
      { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" },
      read,
    );
    expect(ep.server).to.equal("https://[fd00::1]:443");
  });

  it("says what is missing outside a pod", () => {
    expect(() => inClusterEndpoint({}, read)).to.throw(/set KUBECONFIG, or run in a pod/);
  });
});
