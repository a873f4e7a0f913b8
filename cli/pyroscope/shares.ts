// Pure comparison of two profiles by share: which functions take a larger or smaller part of the
// whole after a change. Shares compare revisions fairly whatever their replica counts, load or
// range lengths, which absolute values (diff.ts) do not.
import { FIGURES, tableLines } from "../table.ts";
import type { FlameGraph } from "./query.ts";
import { type TopFunction, topFunctions, topOwnFunctions } from "./top.ts";

export interface ShareRow {
  name: string;
  /** Self value (own code: with the library time under it) as a fraction of the total, 0..1. */
  before: number;
  after: number;
  /** after - before, in fractions of the total. */
  delta: number;
}

export interface ShareDiff {
  /** Largest growth first. */
  grew: ShareRow[];
  /** Largest drop first. */
  shrank: ShareRow[];
  beforeTotal: number;
  afterTotal: number;
}

export interface ShareOptions {
  /** Own-code predicate, as in `top`: library time counts to the nearest own frame above it. */
  isOwn?: (name: string) => boolean;
  /** Every frame with its own self time, no attribution. Wins over `isOwn`. */
  allFrames?: boolean;
}

function shares(rows: TopFunction[], total: number): Map<string, number> {
  const out = new Map<string, number>();
  if (total <= 0) return out;
  for (const r of rows) out.set(r.name, r.self / total);
  return out;
}

export function shareDiff(
  before: FlameGraph,
  after: FlameGraph,
  opts: ShareOptions = {},
): ShareDiff {
  const list = (fg: FlameGraph) =>
    opts.allFrames ? topFunctions(fg) : topOwnFunctions(fg, opts.isOwn);
  const b = shares(list(before), before.total);
  const a = shares(list(after), after.total);
  const rows: ShareRow[] = [];
  for (const name of new Set([...b.keys(), ...a.keys()])) {
    const rb = b.get(name) ?? 0;
    const ra = a.get(name) ?? 0;
    if (ra !== rb) rows.push({ name, before: rb, after: ra, delta: ra - rb });
  }
  const byName = (x: ShareRow, y: ShareRow) => x.name.localeCompare(y.name);
  return {
    grew: rows.filter((r) => r.delta > 0).sort((x, y) => y.delta - x.delta || byName(x, y)),
    shrank: rows.filter((r) => r.delta < 0).sort((x, y) => x.delta - y.delta || byName(x, y)),
    beforeTotal: before.total,
    afterTotal: after.total,
  };
}

/** `12.3%` for a fraction. */
export function pct(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

/** `+4.2 pp` / `-0.8 pp`: percentage points, the unit of a change of share. */
export function points(delta: number): string {
  return `${delta >= 0 ? "+" : "-"}${Math.abs(100 * delta).toFixed(1)} pp`;
}

export interface ShareTableOptions {
  /** Rows per section (default 10 grew, 5 shrank). */
  limit?: number;
  beforeLabel: string;
  afterLabel: string;
  /** Totals as the reader should see them, e.g. `41.20 s`. */
  beforeTotal: string;
  afterTotal: string;
}

/** "Grew" then "Shrank": share before, share after, the change in points, the function. */
export function renderShareTable(d: ShareDiff, opts: ShareTableOptions): string {
  const limit = opts.limit ?? 10;
  const header = ["Before", "After", "Change", "Function"];
  const cells = (r: ShareRow) => [pct(r.before), pct(r.after), points(r.delta), r.name];
  const grew = d.grew.slice(0, limit).map(cells);
  const shrank = d.shrank.slice(0, Math.max(1, Math.ceil(limit / 2))).map(cells);
  const line = tableLines([header, ...grew, ...shrank], FIGURES);
  const out = [
    `Before: ${opts.beforeLabel}, total ${opts.beforeTotal}`,
    `After:  ${opts.afterLabel}, total ${opts.afterTotal}`,
    "",
    "Grew (share of the total):",
    line(header),
  ];
  if (grew.length === 0) out.push("(nothing grew)");
  for (const r of grew) out.push(line(r));
  if (d.grew.length > grew.length) out.push(`... ${d.grew.length - grew.length} more`);
  out.push("", "Shrank (share of the total):", line(header));
  if (shrank.length === 0) out.push("(nothing shrank)");
  for (const r of shrank) out.push(line(r));
  if (d.shrank.length > shrank.length) out.push(`... ${d.shrank.length - shrank.length} more`);
  return `${out.join("\n")}\n`;
}
