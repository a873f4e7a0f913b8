// How requests reach the API server: one keep-alive TLS agent per process and the credential
// of the kubeconfig context (or the in-cluster ServiceAccount). client-node is loaded only for
// the auth it alone implements (exec plugins, auth providers, proxies): see ADR 0009.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { Agent, type Dispatcher } from "undici";
import { parse } from "yaml";
import {
  type Endpoint,
  inClusterEndpoint,
  type KubeconfigDoc,
  KubeconfigError,
  mergeKubeconfigs,
  resolveContext,
} from "./kubeconfig.ts";

export interface Authorized {
  headers: Record<string, string>;
  dispatcher: Dispatcher;
}

export interface Connection {
  readonly server: string;
  /** The headers and dispatcher of one request; async because tokens are re-read from disk. */
  authorize(method: string, url: string): Promise<Authorized>;
}

/** Bound ServiceAccount tokens rotate; client-go re-reads the file about this often. */
const TOKEN_FILE_TTL_MS = 60_000;

const readFile = (path: string) => readFileSync(path);

function connect(endpoint: Endpoint, doc?: KubeconfigDoc): Connection {
  const { tls, credential } = endpoint;
  if (credential.kind === "delegated") return delegated(endpoint, doc);
  const dispatcher = new Agent({
    connect: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      ...(tls.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      keepAlive: true,
      // Below common load-balancer idle timeouts, as client-go does.
      keepAliveInitialDelay: 30_000,
    },
  });
  const headers = credentialHeaders(credential);
  return {
    server: endpoint.server,
    async authorize() {
      return { headers: headers(), dispatcher };
    },
  };
}

function credentialHeaders(credential: Endpoint["credential"]): () => Record<string, string> {
  switch (credential.kind) {
    case "token":
      return () => ({ authorization: `Bearer ${credential.token}` });
    case "basic": {
      const basic = Buffer.from(`${credential.username}:${credential.password}`).toString("base64");
      return () => ({ authorization: `Basic ${basic}` });
    }
    case "tokenFile": {
      let token = "";
      let readAt = Number.NEGATIVE_INFINITY;
      return () => {
        if (Date.now() - readAt > TOKEN_FILE_TTL_MS) {
          token = readFileSync(credential.path, "utf8").trim();
          readAt = Date.now();
        }
        return { authorization: `Bearer ${token}` };
      };
    }
    default:
      return () => ({});
  }
}

/** client-node's KubeConfig for this one context, imported only when it is needed. */
function delegated(endpoint: Endpoint, doc: KubeconfigDoc | undefined): Connection {
  if (!doc) throw new Error(`${endpoint.credential.kind} credential needs its kubeconfig`);
  const loaded = import("@kubernetes/client-node").then((k8s) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(JSON.stringify(doc));
    kc.setCurrentContext(endpoint.context);
    return { k8s, kc };
  });
  let plain: Agent | undefined;
  return {
    server: endpoint.server,
    async authorize(method, url) {
      const { k8s, kc } = await loaded;
      const ctx = new k8s.RequestContext(url, method as never);
      await kc.applySecurityAuthentication(ctx);
      // client-node gives no dispatcher when there is no TLS material to apply.
      plain ??= new Agent();
      return {
        headers: ctx.getHeaders(),
        dispatcher: (ctx.getDispatcher() as Dispatcher | undefined) ?? plain,
      };
    },
  };
}

/** Reads and merges the kubeconfig files named by $KUBECONFIG (colon-separated). */
function readKubeconfigs(paths: string[]): KubeconfigDoc {
  return mergeKubeconfigs(
    paths
      .filter((p) => existsSync(p))
      .map((p) => ({ ...(parse(readFileSync(p, "utf8")) as KubeconfigDoc), source: resolve(p) })),
  );
}

/**
 * The ambient connection, in client-node's `loadFromDefault` order: $KUBECONFIG, then
 * ~/.kube/config, then the in-cluster ServiceAccount.
 */
export function loadConnection(
  env: Record<string, string | undefined> = process.env,
  context?: string,
): Connection {
  const paths = env.KUBECONFIG
    ? env.KUBECONFIG.split(":").filter(Boolean)
    : [resolve(env.HOME ?? homedir(), ".kube/config")];
  if (paths.some((p) => existsSync(p)))
    return connectionFromKubeconfig(readKubeconfigs(paths), context);
  if (env.KUBECONFIG)
    throw new KubeconfigError(`KUBECONFIG names no file that exists: ${env.KUBECONFIG}`);
  return connect(inClusterEndpoint(env, readFile));
}

export function connectionFromKubeconfig(doc: KubeconfigDoc, context?: string): Connection {
  return connect(resolveContext(doc, readFile, context), doc);
}
