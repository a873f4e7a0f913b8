// Pure comparison of two profiles (before/after): per-function self and total deltas, ranked by growth.
import { FIGURES, tableLines } from "../table.ts";
import type { FlameGraph } from "./query.ts";
import { formatValue, type TopFunction, topFunctions, topOwnFunctions } from "./top.ts";

export interface DiffRow {
  name: string;
  before: { self: number; total: number };
  after: { self: number; total: number };
  selfDelta: number;
  totalDelta: number;
}

export interface ProfileDiff {
  /** Grew, largest self growth first (ties: total growth). */
  grew: DiffRow[];
  /** Shrank or vanished, largest self drop first. */
  shrank: DiffRow[];
  /** Totals of both profiles; `before` already scaled. */
  beforeTotal: number;
  afterTotal: number;
  /** Factor the before values were multiplied by so both cover the same length of time. */
  scale: number;
}

export interface DiffOptions {
  /** Own-code predicate: library time is attributed to the nearest own frame, as in `top`. */
  isOwn?: (name: string) => boolean;
  /** Every function with its own self time, no attribution. Wins over `isOwn`. */
  allFrames?: boolean;
  /** Lengths of the two ranges; when they differ the before values are scaled to the after's. */
  beforeMs?: number;
  afterMs?: number;
}

/** Per-function deltas between two lists of top functions; `scale` multiplies the before values. */
export function diffTop(before: TopFunction[], after: TopFunction[], scale = 1): DiffRow[] {
  const rows = new Map<string, DiffRow>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) {
      r = {
        name,
        before: { self: 0, total: 0 },
        after: { self: 0, total: 0 },
        selfDelta: 0,
        totalDelta: 0,
      };
      rows.set(name, r);
    }
    return r;
  };
  for (const f of before) row(f.name).before = { self: f.self * scale, total: f.total * scale };
  for (const f of after) row(f.name).after = { self: f.self, total: f.total };
  for (const r of rows.values()) {
    r.selfDelta = r.after.self - r.before.self;
    r.totalDelta = r.after.total - r.before.total;
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.selfDelta - a.selfDelta || b.totalDelta - a.totalDelta || a.name.localeCompare(b.name),
  );
}

/** Compares two flame graphs function by function. */
export function diffProfiles(
  before: FlameGraph,
  after: FlameGraph,
  opts: DiffOptions = {},
): ProfileDiff {
  const scale =
    opts.beforeMs && opts.afterMs && opts.beforeMs !== opts.afterMs
      ? opts.afterMs / opts.beforeMs
      : 1;
  const list = (fg: FlameGraph) =>
    opts.allFrames ? topFunctions(fg) : topOwnFunctions(fg, opts.isOwn);
  const rows = diffTop(list(before), list(after), scale);
  const grows = (r: DiffRow) => r.selfDelta > 0 || (r.selfDelta === 0 && r.totalDelta > 0);
  const shrinks = (r: DiffRow) => r.selfDelta < 0 || (r.selfDelta === 0 && r.totalDelta < 0);
  return {
    grew: rows.filter(grows),
    shrank: rows
      .filter(shrinks)
      .sort(
        (a, b) =>
          a.selfDelta - b.selfDelta || a.totalDelta - b.totalDelta || a.name.localeCompare(b.name),
      ),
    beforeTotal: before.total * scale,
    afterTotal: after.total,
    scale,
  };
}

/** `+12.5%`, `-3.0%`, `new` (nothing before), `gone` (nothing after) or `±0%`. */
export function formatChange(before: number, after: number): string {
  if (before === after) return "±0%";
  if (before === 0) return "new";
  if (after === 0) return "gone";
  const p = (100 * (after - before)) / before;
  return `${p > 0 ? "+" : ""}${p.toFixed(1)}%`;
}

/** A value with its sign: `+1.20 s`, `-300 ns`. */
export function formatDelta(delta: number, unit: string): string {
  if (delta === 0) return "0";
  return `${delta > 0 ? "+" : "-"}${formatValue(Math.abs(delta), unit)}`;
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-";
}

export interface DiffTableOptions {
  unit: string;
  /** Rows per section (default 15 grew, 5 shrank). */
  limit?: number;
  beforeLabel?: string;
  afterLabel?: string;
}

/**
 * Two fixed-width tables, "Grew" then "Shrank": self before and after, the change with its
 * percentage, the function's share of each profile, the change of its total, and the function.
 */
export function renderDiffTable(d: ProfileDiff, opts: DiffTableOptions): string {
  const limit = opts.limit ?? 15;
  const header = ["Self before", "Self after", "Δ self", "Δ%", "Share", "Δ total", "Function"];
  const cells = (r: DiffRow) => [
    formatValue(Math.round(r.before.self), opts.unit),
    formatValue(Math.round(r.after.self), opts.unit),
    formatDelta(Math.round(r.selfDelta), opts.unit),
    formatChange(r.before.self, r.after.self),
    `${share(r.before.self, d.beforeTotal)} → ${share(r.after.self, d.afterTotal)}`,
    formatDelta(Math.round(r.totalDelta), opts.unit),
    r.name,
  ];
  const grew = d.grew.slice(0, limit).map(cells);
  const shrank = d.shrank.slice(0, Math.max(1, Math.ceil(limit / 3))).map(cells);
  const line = tableLines([header, ...grew, ...shrank], FIGURES);
  const out: string[] = [];
  const before = opts.beforeLabel ? ` (${opts.beforeLabel})` : "";
  const after = opts.afterLabel ? ` (${opts.afterLabel})` : "";
  out.push(`Before${before}: total ${formatValue(Math.round(d.beforeTotal), opts.unit)}`);
  out.push(
    `After${after}: total ${formatValue(Math.round(d.afterTotal), opts.unit)} (${formatChange(d.beforeTotal, d.afterTotal)})`,
  );
  if (d.scale !== 1)
    out.push(
      `The ranges differ in length: before values are scaled by ${d.scale.toFixed(3)} to compare like for like.`,
    );
  out.push("", "Grew:", line(header));
  if (grew.length === 0) out.push("(nothing grew)");
  for (const r of grew) out.push(line(r));
  if (d.grew.length > grew.length) out.push(`... ${d.grew.length - grew.length} more`);
  out.push("", "Shrank:", line(header));
  if (shrank.length === 0) out.push("(nothing shrank)");
  for (const r of shrank) out.push(line(r));
  if (d.shrank.length > shrank.length) out.push(`... ${d.shrank.length - shrank.length} more`);
  return `${out.join("\n")}\n`;
}
