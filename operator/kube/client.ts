// A thin HTTP client for the Kubernetes API over a Connection: explicit content types
// (server-side apply, merge patch), metadata-only reads, and watch streams.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { fetch } from "undici";
import type { Connection } from "./connection.ts";
import { FIELD_MANAGER, USER_AGENT } from "./identity.ts";

/** An error answer of the API server, with its HTTP status and Status reason. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly reason: string;
  readonly details: unknown;
  constructor(status: number, reason: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.status === 409;

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export const APPLY_PATCH = "application/apply-patch+yaml";
export const MERGE_PATCH = "application/merge-patch+json";
export const JSON_PATCH = "application/json-patch+json";
/** Accept header that turns a list or watch of any resource into PartialObjectMetadata. */
export const METADATA_ONLY =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
export const METADATA_ONLY_WATCH =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/** Kubernetes verb and resource of a request, as the API server's audit and metrics name them. */
export function requestKind(
  method: string,
  path: string,
  watch = false,
): { verb: string; resource: string } {
  // /api/v1/... or /apis/<group>/<version>/...; then [namespaces/<ns>/]<resource>[/<name>[/<sub>]]
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  let rest = parts[0] === "api" ? parts.slice(2) : parts.slice(3);
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  const resource = rest.length > 2 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? "");
  const named = rest.length >= 2;
  const m = method.toUpperCase();
  const verb = watch
    ? "watch"
    : m === "GET"
      ? named
        ? "get"
        : "list"
      : m === "POST"
        ? "create"
        : m === "PUT"
          ? "update"
          : m === "PATCH"
            ? "patch"
            : m === "DELETE"
              ? named
                ? "delete"
                : "deletecollection"
              : m.toLowerCase();
  return { verb, resource };
}

export interface ClientIdentity {
  /** The field manager of writes that do not name their own; `fleetscope` by default. */
  fieldManager?: string;
  /** `fleetscope/<version>` by default: what the API server's audit log shows. */
  userAgent?: string;
}

/** Methods that write and take a fieldManager; DELETE takes none. */
const WRITES = new Set<HttpMethod>(["POST", "PUT", "PATCH"]);

export class KubeClient {
  readonly connection: Connection;
  readonly fieldManager: string;
  readonly userAgent: string;
  /** Called once per request sent (watches included), e.g. to count them in a metric. */
  onRequest: ((verb: string, resource: string) => void) | undefined;
  constructor(connection: Connection, identity: ClientIdentity = {}) {
    this.connection = connection;
    this.fieldManager = identity.fieldManager ?? FIELD_MANAGER;
    this.userAgent = identity.userAgent ?? USER_AGENT;
  }

  private async context(method: HttpMethod, path: string, query?: Query) {
    const url = new URL(this.connection.server + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return { url, auth: await this.connection.authorize(method, url.toString()) };
  }

  async request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}) {
    // Without a fieldManager the API server names the writer after the User-Agent's product.
    const query =
      WRITES.has(method) && opts.query?.fieldManager === undefined
        ? { ...opts.query, fieldManager: this.fieldManager }
        : opts.query;
    const { url, auth } = await this.context(method, path, query);
    if (this.onRequest) {
      const k = requestKind(method, path);
      this.onRequest(k.verb, k.resource);
    }
    const headers: Record<string, string> = { ...auth.headers, "user-agent": this.userAgent };
    headers.accept = opts.accept ?? "application/json";
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] = opts.contentType ?? "application/json";
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(url, {
      method,
      headers,
      body,
      dispatcher: auth.dispatcher,
      signal: opts.signal ?? AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      throw new ApiError(
        res.status,
        parsed?.reason ?? res.statusText,
        `${method} ${path}: ${parsed?.message ?? text}`,
        parsed?.details,
      );
    }
    return parsed as T;
  }

  /**
   * Streams a watch until the server closes it (resolves) or it fails (rejects). Events are
   * delivered synchronously, in order. `idleMs` aborts a stream that sends nothing at all.
   */
  async watch<T>(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent<T>) => void,
    opts: { accept?: string; signal?: AbortSignal; idleMs?: number } = {},
  ): Promise<void> {
    const { url, auth } = await this.context("GET", path, { ...query, watch: true });
    if (this.onRequest) this.onRequest("watch", requestKind("GET", path, true).resource);
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort(opts.signal?.reason);
    opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error("watch idle timeout")), opts.idleMs ?? 120_000);
      idle.unref();
    };
    try {
      touch();
      const res = await fetch(url, {
        headers: {
          ...auth.headers,
          "user-agent": this.userAgent,
          accept: opts.accept ?? "application/json",
        },
        dispatcher: auth.dispatcher,
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        const text = await res.text();
        let reason = res.statusText;
        try {
          reason = JSON.parse(text).reason ?? reason;
        } catch {}
        throw new ApiError(res.status, reason, `watch ${path}: ${text}`);
      }
      const lines = createInterface({ input: Readable.fromWeb(res.body as never) });
      for await (const line of lines) {
        touch();
        if (line.trim()) onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } finally {
      clearTimeout(idle);
      opts.signal?.removeEventListener("abort", onOuterAbort);
      abort.abort();
    }
  }
}
