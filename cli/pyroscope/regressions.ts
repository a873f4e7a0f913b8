// Pure core of `fleetscope regressions`: one row per workload with a new revision, naming the
// function whose share grew most, or why no function can be named (too few samples).
import { type Align, table } from "../table.ts";
import type { FlameGraph } from "./query.ts";
import { type ShareOptions, shareDiff } from "./shares.ts";

/**
 * The fewest samples each revision must have before a change of share is reported: with n
 * samples a share p is known to about ±sqrt(p(1-p)/n), so 500 samples put a 10 % share within
 * ±1.3 points, well below the changes worth a look.
 */
export const MIN_SAMPLES = 500;

/**
 * What one sample is worth in a profile's unit, to turn totals into sample counts: 10 ms of CPU
 * or wall time (the agent's default 100 Hz), 512 KiB allocated (async-profiler's default
 * allocation interval), one for counts.
 */
export function sampleSize(unit: string): number {
  if (unit === "nanoseconds") return 10_000_000;
  if (unit === "bytes") return 512 * 1024;
  return 1;
}

export function sampleCount(total: number, unit: string): number {
  return Math.floor(total / sampleSize(unit));
}

export interface RevisionProfiles {
  namespace: string;
  workload: string;
  kind: string;
  oldRevision: string;
  newRevision: string;
  /** Creation time of the new revision, ms since the epoch. */
  deployedAt: number;
  profileTypeId: string;
  unit: string;
  before: FlameGraph;
  after: FlameGraph;
}

export interface RegressionRow {
  namespace: string;
  workload: string;
  kind: string;
  oldRevision: string;
  newRevision: string;
  deployedAt: string;
  profileType: string;
  samples: { before: number; after: number };
  /** Absent when there is no verdict: see `note`. */
  function?: string;
  /** Shares in percent of the total, one decimal. */
  beforePercent?: number;
  afterPercent?: number;
  /** afterPercent - beforePercent, in percentage points. */
  growth?: number;
  note?: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function regressionRow(
  p: RevisionProfiles,
  opts: ShareOptions & { minSamples?: number } = {},
): RegressionRow {
  const min = opts.minSamples ?? MIN_SAMPLES;
  const samples = {
    before: sampleCount(p.before.total, p.unit),
    after: sampleCount(p.after.total, p.unit),
  };
  const row: RegressionRow = {
    namespace: p.namespace,
    workload: p.workload,
    kind: p.kind,
    oldRevision: p.oldRevision,
    newRevision: p.newRevision,
    deployedAt: new Date(p.deployedAt).toISOString(),
    profileType: p.profileTypeId,
    samples,
  };
  const short = (["before", "after"] as const).filter((k) => samples[k] < min);
  if (short.length > 0) {
    row.note = `too few samples: ${short.map((k) => `${k} ${samples[k]}`).join(", ")} (minimum ${min} per revision)`;
    return row;
  }
  const d = shareDiff(p.before, p.after, opts);
  const top = d.grew[0];
  if (!top) {
    row.note = "no function grew";
    return row;
  }
  row.function = top.name;
  row.beforePercent = round1(100 * top.before);
  row.afterPercent = round1(100 * top.after);
  row.growth = round1(100 * top.delta);
  return row;
}

/** Largest growth first; rows without a verdict last, by namespace and workload. */
export function sortRegressions(rows: RegressionRow[]): RegressionRow[] {
  const key = (r: RegressionRow) => `${r.namespace}/${r.workload}`;
  return [...rows].sort((a, b) => {
    if (a.growth !== undefined && b.growth !== undefined)
      return b.growth - a.growth || key(a).localeCompare(key(b));
    if (a.growth !== undefined) return -1;
    if (b.growth !== undefined) return 1;
    return key(a).localeCompare(key(b));
  });
}

/** `process_cpu:cpu:nanoseconds:cpu:nanoseconds` -> `cpu`; other IDs by their first two parts. */
export function shortProfileType(id: string): string {
  const [name = id, sample = ""] = id.split(":");
  if (name === "process_cpu") return "cpu";
  if (name === "wall") return "wall";
  return sample ? `${name}:${sample}` : name;
}

/** The fixed-width table: workload, revisions, deployed, type, before, after, change, function. */
export function renderRegressionsTable(rows: RegressionRow[], since: string): string {
  if (rows.length === 0) return `no profiled workload got a new revision in the last ${since}\n`;
  const header = [
    "Workload",
    "Revisions",
    "Deployed",
    "Type",
    "Before",
    "After",
    "Change",
    "Function",
  ];
  const body = rows.map((r) => [
    `${r.namespace}/${r.workload}`,
    `${r.oldRevision}..${r.newRevision}`,
    r.deployedAt.replace("T", " ").replace(/:\d\d\.\d{3}Z$/, "Z"),
    shortProfileType(r.profileType),
    r.beforePercent === undefined ? "-" : `${r.beforePercent.toFixed(1)}%`,
    r.afterPercent === undefined ? "-" : `${r.afterPercent.toFixed(1)}%`,
    r.growth === undefined ? "-" : `${r.growth >= 0 ? "+" : ""}${r.growth.toFixed(1)} pp`,
    r.function ?? `(${r.note})`,
  ]);
  // Text left, the shares and their change right.
  const align = header.map((_, c): Align => ([4, 5, 6].includes(c) ? "right" : "left"));
  return `${table(header, body, { gap: 2, align })}\n`;
}
