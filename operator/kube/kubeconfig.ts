// Kubeconfig files as data: merging several, and resolving one context into the server, TLS
// material and credential a request needs. Pure apart from the injected file reader.
import { dirname, isAbsolute, resolve } from "node:path";

type Fields = Record<string, unknown>;

/** A named cluster, user or context; `source` is the file it came from. */
interface Entry {
  name: string;
  source?: string;
  cluster?: Fields;
  user?: Fields;
  context?: Fields;
}

/** The parts of a kubeconfig file this module reads; everything else is kept for the fallback. */
export interface KubeconfigDoc {
  "current-context"?: string;
  clusters?: Entry[];
  users?: Entry[];
  contexts?: Entry[];
  /** Where the file was read from: relative certificate and token paths are relative to it. */
  source?: string;
}

export interface Tls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  insecureSkipVerify?: boolean;
}

export type Credential =
  | { kind: "none" }
  | { kind: "token"; token: string }
  | { kind: "tokenFile"; path: string }
  | { kind: "basic"; username: string; password: string }
  /** Exec plugins, auth providers and proxies: handed to client-node, which implements them. */
  | { kind: "delegated"; reason: string };

export interface Endpoint {
  context: string;
  server: string;
  tls: Tls;
  credential: Credential;
}

export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

/**
 * Merges files as $KUBECONFIG lists them: the first file to name a cluster, user or context
 * wins, and the first current-context set wins (kubectl's rules).
 */
export function mergeKubeconfigs(docs: KubeconfigDoc[]): KubeconfigDoc {
  const out: Required<Pick<KubeconfigDoc, "clusters" | "users" | "contexts">> & KubeconfigDoc = {
    clusters: [],
    users: [],
    contexts: [],
  };
  for (const doc of docs) {
    out["current-context"] ||= doc["current-context"];
    for (const key of ["clusters", "users", "contexts"] as const) {
      for (const entry of doc[key] ?? []) {
        if (out[key].some((e) => e.name === entry.name)) continue;
        out[key].push(doc.source ? { ...entry, source: doc.source } : entry);
      }
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The server, TLS material and credential of a context (the current one by default). Errors
 * name the kubeconfig field at fault.
 */
export function resolveContext(
  doc: KubeconfigDoc,
  read: (path: string) => Buffer,
  contextName?: string,
): Endpoint {
  const name = contextName ?? str(doc["current-context"]);
  if (!name) throw new KubeconfigError("kubeconfig: current-context is not set");
  const find = (key: "clusters" | "users" | "contexts", n: string, field: string) => {
    const entry = doc[key]?.find((e) => e.name === n);
    if (!entry) throw new KubeconfigError(`kubeconfig: ${field}: no ${key} entry named "${n}"`);
    return entry;
  };
  const ctx = find("contexts", name, "current-context").context ?? {};
  const clusterName = str(ctx.cluster);
  if (!clusterName)
    throw new KubeconfigError(`kubeconfig: contexts[${name}].context.cluster is not set`);
  const clusterEntry = find("clusters", clusterName, `contexts[${name}].context.cluster`);
  const cluster = clusterEntry.cluster ?? {};
  const userName = str(ctx.user);
  const userEntry = userName
    ? find("users", userName, `contexts[${name}].context.user`)
    : undefined;
  const user = userEntry?.user ?? {};

  const server = str(cluster.server);
  if (!server)
    throw new KubeconfigError(`kubeconfig: clusters[${clusterName}].cluster.server is not set`);
  const insecure = cluster["insecure-skip-tls-verify"] === true;
  if (server.startsWith("http:") && !insecure) {
    throw new KubeconfigError(
      `kubeconfig: clusters[${clusterName}].cluster.server is plain http without insecure-skip-tls-verify`,
    );
  }

  // Paths in a file are relative to that file, as kubectl resolves them.
  const pathOf = (entry: Entry, p: string) => {
    const source = entry.source ?? doc.source;
    return isAbsolute(p) || !source ? p : resolve(dirname(source), p);
  };
  const material = (entry: Entry, obj: Fields, field: string, at: string) => {
    const data = str(obj[`${field}-data`]);
    if (data) return Buffer.from(data, "base64");
    const file = str(obj[field]);
    if (!file) return undefined;
    try {
      return read(pathOf(entry, file));
    } catch (err) {
      throw new KubeconfigError(`kubeconfig: ${at}.${field}: ${(err as Error).message}`);
    }
  };
  const clusterAt = `clusters[${clusterName}].cluster`;
  const userAt = `users[${userName}].user`;
  const tls: Tls = {};
  const ca = material(clusterEntry, cluster, "certificate-authority", clusterAt);
  if (ca) tls.ca = ca;
  const cert = material(userEntry ?? clusterEntry, user, "client-certificate", userAt);
  const key = material(userEntry ?? clusterEntry, user, "client-key", userAt);
  if (!cert !== !key) {
    throw new KubeconfigError(
      `kubeconfig: ${userAt}: client-certificate and client-key go together`,
    );
  }
  if (cert && key) Object.assign(tls, { cert, key });
  const servername = str(cluster["tls-server-name"]);
  if (servername) tls.servername = servername;
  if (insecure) tls.insecureSkipVerify = true;

  return { context: name, server: server.replace(/\/$/, ""), tls, credential: credential() };

  function credential(): Credential {
    if (str(cluster["proxy-url"])) return { kind: "delegated", reason: `${clusterAt}.proxy-url` };
    if (user.exec) return { kind: "delegated", reason: `${userAt}.exec` };
    if (user["auth-provider"]) return { kind: "delegated", reason: `${userAt}.auth-provider` };
    const token = str(user.token);
    if (token) return { kind: "token", token };
    const tokenFile = str(user.tokenFile);
    if (tokenFile) return { kind: "tokenFile", path: pathOf(userEntry!, tokenFile) };
    const username = str(user.username);
    if (username) return { kind: "basic", username, password: str(user.password) ?? "" };
    return { kind: "none" };
  }
}

/** The ServiceAccount mount every pod gets, read the way client-go's in-cluster config reads it. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function inClusterEndpoint(
  env: Record<string, string | undefined>,
  read: (path: string) => Buffer,
): Endpoint {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeconfigError(
      "no kubeconfig: set KUBECONFIG, or run in a pod (KUBERNETES_SERVICE_HOST/PORT are not set)",
    );
  }
  return {
    context: "in-cluster",
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    tls: { ca: read(`${SERVICE_ACCOUNT_DIR}/ca.crt`) },
    credential: { kind: "tokenFile", path: `${SERVICE_ACCOUNT_DIR}/token` },
  };
}
