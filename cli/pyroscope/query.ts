// Client for Pyroscope's Connect query API (querier.v1.QuerierService) with JSON bodies and tenant header.

/** Milliseconds since the epoch, both ends inclusive. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface ProfileType {
  /** `<name>:<sample type>:<sample unit>:<period type>:<period unit>` */
  id: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

/** Pyroscope's flame graph: `levels[i]` holds groups of [x delta, total, self, name index]. */
export interface FlameGraph {
  names: string[];
  levels: number[][];
  total: number;
  maxSelf: number;
}

export interface SeriesPoint {
  timestamp: number;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  points: SeriesPoint[];
}

export interface SelectMergeStacktracesRequest extends Partial<TimeRange> {
  profileTypeId: string;
  labelSelector?: string;
  maxNodes?: number;
}

export interface SelectSeriesRequest extends Partial<TimeRange> {
  profileTypeId: string;
  labelSelector?: string;
  groupBy?: string[];
  /** Step in seconds. */
  step?: number;
}

export interface PyroscopeClientOptions {
  /** e.g. `http://pyroscope.monitoring.svc:4040` */
  baseUrl: string;
  /** Sent as `X-Scope-OrgID` when set. */
  tenantId?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A non-2xx answer: `code` is the Connect error code when the server sent one. */
export class PyroscopeQueryError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(method: string, status: number, code: string, message: string) {
    super(`${method}: HTTP ${status}${code ? ` ${code}` : ""}: ${message}`);
    this.name = "PyroscopeQueryError";
    this.status = status;
    this.code = code;
  }
}

const SERVICE = "/querier.v1.QuerierService/";

export class PyroscopeClient {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: PyroscopeClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#headers = { "content-type": "application/json", ...options.headers };
    if (options.tenantId) this.#headers["x-scope-orgid"] = options.tenantId;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async profileTypes(range?: TimeRange): Promise<ProfileType[]> {
    const res = await this.#call("ProfileTypes", { ...range });
    return asArray(asObject(res).profileTypes).map(decodeProfileType);
  }

  async labelNames(range?: TimeRange, matchers: string[] = []): Promise<string[]> {
    const res = await this.#call("LabelNames", { matchers, ...range });
    return asArray(asObject(res).names).map(String);
  }

  async labelValues(name: string, range?: TimeRange, matchers: string[] = []): Promise<string[]> {
    const res = await this.#call("LabelValues", { name, matchers, ...range });
    return asArray(asObject(res).names).map(String);
  }

  async selectMergeStacktraces(req: SelectMergeStacktracesRequest): Promise<FlameGraph> {
    const body: Record<string, unknown> = {
      profileTypeID: req.profileTypeId,
      labelSelector: req.labelSelector ?? "{}",
      start: req.start,
      end: req.end,
    };
    if (req.maxNodes !== undefined) body.maxNodes = req.maxNodes;
    const res = await this.#call("SelectMergeStacktraces", body);
    return decodeFlameGraph(asObject(res).flamegraph);
  }

  async selectSeries(req: SelectSeriesRequest): Promise<Series[]> {
    const res = await this.#call("SelectSeries", {
      profileTypeID: req.profileTypeId,
      labelSelector: req.labelSelector ?? "{}",
      start: req.start,
      end: req.end,
      groupBy: req.groupBy ?? [],
      step: req.step ?? 15,
    });
    return asArray(asObject(res).series).map(decodeSeries);
  }

  async #call(method: string, body: Record<string, unknown>): Promise<unknown> {
    const res = await this.#fetch(`${this.#baseUrl}${SERVICE}${method}`, {
      method: "POST",
      headers: this.#headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      let code = "";
      let message = text.trim();
      try {
        const err = asObject(JSON.parse(text));
        code = typeof err.code === "string" ? err.code : "";
        if (typeof err.message === "string") message = err.message;
      } catch {
        // not a Connect error body; keep the raw text
      }
      throw new PyroscopeQueryError(method, res.status, code, message);
    }
    return text.trim() === "" ? {} : JSON.parse(text);
  }
}

/** Splits a profile type ID into its five parts; throws on any other shape. */
export function parseProfileTypeId(id: string): ProfileType {
  const parts = id.split(":");
  if (parts.length !== 5 || parts.some((p) => p === "")) {
    throw new Error(`profile type ID must have five non-empty parts separated by ':': ${id}`);
  }
  const [name, sampleType, sampleUnit, periodType, periodUnit] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { id, name, sampleType, sampleUnit, periodType, periodUnit };
}

/** Decodes the protojson FlameGraph; int64 fields may arrive as strings or numbers. */
export function decodeFlameGraph(raw: unknown): FlameGraph {
  if (raw === undefined || raw === null) return { names: [], levels: [], total: 0, maxSelf: 0 };
  const o = asObject(raw);
  return {
    names: asArray(o.names).map(String),
    levels: asArray(o.levels).map((l) => asArray(asObject(l).values).map(int64)),
    total: int64(o.total),
    maxSelf: int64(o.maxSelf ?? o.max_self),
  };
}

function decodeProfileType(raw: unknown): ProfileType {
  const o = asObject(raw);
  const id = String(o.ID ?? o.id ?? "");
  return {
    id,
    name: String(o.name ?? ""),
    sampleType: String(o.sampleType ?? o.sample_type ?? ""),
    sampleUnit: String(o.sampleUnit ?? o.sample_unit ?? ""),
    periodType: String(o.periodType ?? o.period_type ?? ""),
    periodUnit: String(o.periodUnit ?? o.period_unit ?? ""),
  };
}

function decodeSeries(raw: unknown): Series {
  const o = asObject(raw);
  // fromEntries, not assignment: a label named __proto__ stays a label.
  const labels: Record<string, string> = Object.fromEntries(
    asArray(o.labels).map((l) => {
      const p = asObject(l);
      return [String(p.name), String(p.value ?? "")];
    }),
  );
  const points = asArray(o.points).map((p) => {
    const q = asObject(p);
    return { timestamp: int64(q.timestamp), value: Number(q.value ?? 0) };
  });
  return { labels, points };
}

function int64(v: unknown): number {
  if (v === undefined || v === null || v === "") return 0;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`not an integer: ${String(v)}`);
  return n;
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
