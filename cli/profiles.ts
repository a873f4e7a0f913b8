// Pure helpers of the profile commands (top, flamegraph, diff): times, ranges, profile types, servers.

import { own } from "../core/own.ts";
import type { ProfileType } from "./pyroscope/query.ts";

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch for `now`, `now-15m`, `now-1h30m`, `now+5m`, RFC3339
 * (`2025-06-01T10:00:00Z`, `...+02:00`) or epoch milliseconds (`1748772000000`).
 */
export function parseTime(text: string, now: number): number {
  const s = text.trim();
  const rel = /^now(?:([+-])((?:\d+(?:ms|s|m|h|d|w))+))?$/.exec(s);
  if (rel) {
    if (!rel[1]) return now;
    let ms = 0;
    for (const [, n, unit] of rel[2]!.matchAll(/(\d+)(ms|s|m|h|d|w)/g))
      ms += Number(n) * UNIT_MS[unit!]!;
    return rel[1] === "-" ? now - ms : now + ms;
  }
  if (/^\d{10,}$/.test(s)) return Number(s);
  if (RFC3339.test(s)) {
    const t = Date.parse(s.replace(" ", "T"));
    if (Number.isFinite(t)) return t;
  }
  throw new Error(
    `cannot read time ${JSON.stringify(text)}: use now, now-15m, an RFC3339 time or epoch milliseconds`,
  );
}

export interface Range {
  start: number;
  end: number;
}

/** A checked range: start before end. */
export function makeRange(from: string, to: string, now: number): Range {
  const start = parseTime(from, now);
  const end = parseTime(to, now);
  if (start >= end) throw new Error(`the range ${from} .. ${to} is empty: start is not before end`);
  return { start, end };
}

/** `FROM..TO`, e.g. `now-2h..now-1h` or `2025-06-01T10:00:00Z..2025-06-01T10:15:00Z`. */
export function parseRangeText(text: string, now: number): Range {
  const i = text.indexOf("..");
  if (i <= 0 || i + 2 >= text.length)
    throw new Error(`range ${JSON.stringify(text)} must be FROM..TO, e.g. now-2h..now-1h`);
  return makeRange(text.slice(0, i), text.slice(i + 2), now);
}

/** `2025-06-01 10:00:00Z .. 10:15:00Z (15m)`: a range a person can read back. */
export function formatRange(r: Range): string {
  const a = new Date(r.start)
    .toISOString()
    .replace("T", " ")
    .replace(/\.000Z$/, "Z");
  const b = new Date(r.end)
    .toISOString()
    .replace("T", " ")
    .replace(/\.000Z$/, "Z");
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a} .. ${sameDay ? b.slice(11) : b} (${formatDuration(r.end - r.start)})`;
}

export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let left = Math.round(ms / 1000);
  for (const [unit, s] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (left >= s) {
      parts.push(`${Math.floor(left / s)}${unit}`);
      left %= s;
    }
  }
  return parts.join("") || `${ms}ms`;
}

export type ProfileKind = "cpu" | "alloc" | "lock" | "wall";
export const PROFILE_KINDS: readonly ProfileKind[] = ["cpu", "alloc", "lock", "wall"];

/** Profile type IDs per kind, most useful first; the first the server has is used. */
export const PROFILE_TYPE_IDS: Record<ProfileKind, readonly string[]> = {
  cpu: ["process_cpu:cpu:nanoseconds:cpu:nanoseconds"],
  alloc: [
    "memory:alloc_in_new_tlab_bytes:bytes:space:bytes",
    "memory:alloc_in_new_tlab_objects:count:space:bytes",
  ],
  lock: ["mutex:delay:nanoseconds:mutex:count", "mutex:contentions:count:mutex:count"],
  wall: ["wall:wall:nanoseconds:wall:nanoseconds"],
};

/**
 * The profile type to query for `--type`: a kind (cpu, alloc, lock, wall) picks the first
 * known ID the server lists (or the first known ID when the list is empty); a full ID is
 * taken as it is.
 */
export function chooseProfileType(type: string, available: readonly ProfileType[]): string {
  if (type.includes(":")) return type;
  const ids = own<readonly string[]>(PROFILE_TYPE_IDS, type);
  if (!ids) throw new Error(`unknown profile type ${type}: use ${PROFILE_KINDS.join(", ")}`);
  const have = new Set(available.map((t) => t.id));
  return ids.find((id) => have.has(id)) ?? ids[0]!;
}

/** Sample unit of a profile type ID (its third part). */
export function unitOf(profileTypeId: string): string {
  return profileTypeId.split(":")[2] ?? "";
}

const quote = (v: string) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** `{service_name="shop/checkout"}` with quotes and backslashes escaped. */
export function appSelector(app: string): string {
  return `{service_name=${quote(app)}}`;
}

/**
 * `{namespace="shop",workload="checkout"}`, plus `revision="…"` when given: the labels the
 * webhook puts on every profile, whatever the application name template.
 */
export function workloadSelector(namespace: string, workload: string, revision?: string): string {
  const rev = revision === undefined ? "" : `,revision=${quote(revision)}`;
  return `{namespace=${quote(namespace)},workload=${quote(workload)}${rev}}`;
}

export interface ServerChoice {
  url: string;
  /** Where the URL came from: `--server`, `$PYROSCOPE_URL` or `policy <name>`. */
  source: string;
  tenant?: string;
}

export interface PolicyEndpoints {
  name: string;
  readURL?: string;
  tenantID?: string;
}

/**
 * The query URL and tenant: `--server`, else `$PYROSCOPE_URL`, else the policy's
 * `status.pyroscope.readURL`. The tenant is `--tenant`, else `$PYROSCOPE_TENANT_ID`, else the
 * policy's `spec.pyroscope.tenantID`. Returns an error when none is given.
 */
export function chooseServer(
  flags: { server?: string; tenant?: string },
  env: Record<string, string | undefined>,
  policy?: PolicyEndpoints,
): ServerChoice | { error: string } {
  const tenant = flags.tenant ?? env.PYROSCOPE_TENANT_ID ?? policy?.tenantID;
  const withTenant = (url: string, source: string): ServerChoice =>
    tenant ? { url, source, tenant } : { url, source };
  if (flags.server) return withTenant(flags.server, "--server");
  if (env.PYROSCOPE_URL) return withTenant(env.PYROSCOPE_URL, "$PYROSCOPE_URL");
  if (policy?.readURL) return withTenant(policy.readURL, `policy ${policy.name}`);
  if (policy)
    return {
      error: `ProfilingPolicy ${policy.name} has no status.pyroscope.readURL yet; pass --server URL`,
    };
  return {
    error:
      "no Pyroscope server: pass --server URL, set $PYROSCOPE_URL, or name a policy (--policy)",
  };
}

/** Whether a URL names a Service inside a cluster (`*.svc`, `*.cluster.local` or a bare name). */
export function isClusterInternal(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  if (host === "localhost" || /^[\d.]+$/.test(host) || host.startsWith("[")) return false;
  return /\.svc$|\.svc\.cluster\.local$|\.cluster\.local$/.test(host) || !host.includes(".");
}

/** The `kubectl port-forward` line that makes an in-cluster Service URL reachable from here. */
export function portForwardHint(url: string): string {
  const u = new URL(url);
  const [service = u.hostname, namespace] = u.hostname.split(".");
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const ns = namespace && namespace !== "svc" ? ` -n ${namespace}` : "";
  return [
    `${url} is an address inside the cluster and is not reachable from this machine.`,
    "Forward it and query the local end:",
    `  kubectl${ns} port-forward svc/${service} ${port}:${port} &`,
    `  fleetscope ... --server http://127.0.0.1:${port}`,
  ].join("\n");
}
