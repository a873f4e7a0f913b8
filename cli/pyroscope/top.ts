// Pure functions turning a Pyroscope flame graph into "top functions" rows and a text table.
import { FIGURES, table } from "../table.ts";
import type { FlameGraph } from "./query.ts";

/** One flame graph node with absolute x offset and the index of its parent (-1 for the root). */
export interface FlameNode {
  name: string;
  depth: number;
  x: number;
  total: number;
  self: number;
  parent: number;
}

export interface TopFunction {
  name: string;
  self: number;
  total: number;
}

/** Decodes the level encoding ([x delta, total, self, name index] per node) into nodes. */
export function flameNodes(fg: FlameGraph): FlameNode[] {
  const nodes: FlameNode[] = [];
  let prevLevel: number[] = [];
  fg.levels.forEach((values, depth) => {
    if (values.length % 4 !== 0)
      throw new Error(`flame graph level ${depth} is not a multiple of 4`);
    const level: number[] = [];
    let prevEnd = 0;
    let p = 0; // parents are ordered by x, so one forward scan finds each child's parent
    for (let i = 0; i < values.length; i += 4) {
      const [dx, total, self, nameIdx] = values.slice(i, i + 4) as [number, number, number, number];
      const x = prevEnd + dx;
      prevEnd = x + total;
      let parent = -1;
      if (depth > 0) {
        while (p < prevLevel.length) {
          const cand = nodes[prevLevel[p]!]!;
          if (x >= cand.x && x < cand.x + cand.total) break;
          p++;
        }
        if (p === prevLevel.length) throw new Error(`node at depth ${depth}, x ${x} has no parent`);
        parent = prevLevel[p]!;
      }
      const name = fg.names[nameIdx];
      if (name === undefined) throw new Error(`name index ${nameIdx} out of range`);
      level.push(nodes.length);
      nodes.push({ name, depth, x, total, self, parent });
    }
    prevLevel = level;
  });
  return nodes;
}

/**
 * Self and total per function name. Self sums every node; total counts a node only when the same
 * function is not already on the stack above it, so recursion is not counted twice.
 */
export function topFunctions(fg: FlameGraph, limit = Number.POSITIVE_INFINITY): TopFunction[] {
  const nodes = flameNodes(fg);
  const rows = new Map<string, TopFunction>();
  nodes.forEach((n, i) => {
    if (i === 0 && n.depth === 0 && n.name === "total") return;
    const row = rows.get(n.name) ?? { name: n.name, self: 0, total: 0 };
    row.self += n.self;
    if (!hasAncestorNamed(nodes, n)) row.total += n.total;
    rows.set(n.name, row);
  });
  return sortRows([...rows.values()]).slice(0, limit);
}

/**
 * Attributes the self value of library frames (JDK, native, the agent) to the nearest own frame
 * above them, so the row for e.g. `computeHash` also holds the time spent in `MessageDigest`
 * under it. Samples with no own frame on the stack are left out.
 */
export function topOwnFunctions(
  fg: FlameGraph,
  isOwn: (name: string) => boolean = (name) => !isLibraryFrame(name),
  limit = Number.POSITIVE_INFINITY,
): TopFunction[] {
  const nodes = flameNodes(fg);
  const owner: number[] = new Array(nodes.length).fill(-1);
  const rows = new Map<string, TopFunction>();
  nodes.forEach((n, i) => {
    const own = n.depth > 0 && isOwn(n.name);
    owner[i] = own ? i : n.parent >= 0 ? owner[n.parent]! : -1;
    if (own) {
      const row = rows.get(n.name) ?? { name: n.name, self: 0, total: 0 };
      if (!hasAncestorNamed(nodes, n)) row.total += n.total;
      rows.set(n.name, row);
    }
    const o = owner[i]!;
    if (o >= 0 && n.self > 0) rows.get(nodes[o]!.name)!.self += n.self;
  });
  return sortRows([...rows.values()]).slice(0, limit);
}

const LIBRARY_PREFIXES = [
  "java/",
  "javax/",
  "jdk/",
  "sun/",
  "com/sun/",
  "io/pyroscope/",
  "one/profiler/",
];

/** JDK classes, the agent's own classes and native/VM frames (no slash-separated class). */
export function isLibraryFrame(name: string): boolean {
  if (LIBRARY_PREFIXES.some((p) => name.startsWith(p))) return true;
  return !/^[\w$]+(\/[\w$]+)+\.[\w$<>]+/.test(name);
}

function hasAncestorNamed(nodes: FlameNode[], n: FlameNode): boolean {
  for (let p = n.parent; p >= 0; p = nodes[p]!.parent) {
    if (nodes[p]!.name === n.name) return true;
  }
  return false;
}

function sortRows(rows: TopFunction[]): TopFunction[] {
  return rows.sort((a, b) => b.self - a.self || b.total - a.total || a.name.localeCompare(b.name));
}

/** Formats a value in the profile's sample unit (nanoseconds, bytes, count). */
export function formatValue(value: number, unit: string): string {
  if (unit === "nanoseconds") {
    const steps: [number, string][] = [
      [1e9, "s"],
      [1e6, "ms"],
      [1e3, "µs"],
    ];
    for (const [f, u] of steps) if (Math.abs(value) >= f) return `${(value / f).toFixed(2)} ${u}`;
    return `${value} ns`;
  }
  if (unit === "bytes") {
    const steps: [number, string][] = [
      [2 ** 30, "GiB"],
      [2 ** 20, "MiB"],
      [2 ** 10, "KiB"],
    ];
    for (const [f, u] of steps) if (Math.abs(value) >= f) return `${(value / f).toFixed(2)} ${u}`;
    return `${value} B`;
  }
  const steps: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [f, u] of steps) if (Math.abs(value) >= f) return `${(value / f).toFixed(2)}${u}`;
  return String(value);
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-";
}

export interface TableOptions {
  /** The flame graph's total, for the percentage columns. */
  total: number;
  /** Sample unit of the profile type, e.g. `nanoseconds`. */
  unit: string;
  title?: string;
}

/** Renders rows as a fixed-width table: Self, Self%, Total, Total%, Function. */
export function renderTopTable(rows: TopFunction[], opts: TableOptions): string {
  const header = ["Self", "Self%", "Total", "Total%", "Function"];
  const body = rows.map((r) => [
    formatValue(r.self, opts.unit),
    percent(r.self, opts.total),
    formatValue(r.total, opts.unit),
    percent(r.total, opts.total),
    r.name,
  ]);
  const out: string[] = [];
  if (opts.title) out.push(`${opts.title} (total ${formatValue(opts.total, opts.unit)})`);
  out.push(table(header, body, FIGURES));
  if (rows.length === 0) out.push("(no samples)");
  return `${out.join("\n")}\n`;
}
