// Pure rendering of a diff flame graph: two profiles merged stack by stack, each frame as wide
// as its average share of both and coloured by how its share changed (red grew, green shrank),
// as a self-contained HTML page with the zoom and search of the plain flame graph.
import {
  escapeXml,
  FONT,
  FOOTER,
  fitLabel,
  flameHtmlPage,
  HEADER,
  PAD,
  ROW_HEIGHT,
  shortName,
} from "./flamegraph.ts";
import type { FlameGraph } from "./query.ts";
import { flameNodes } from "./top.ts";

/** One stack prefix of either profile, its values as fractions of that profile's total. */
export interface DiffFrame {
  name: string;
  depth: number;
  /** Left edge and width as fractions of the root's width. */
  x: number;
  width: number;
  before: number;
  after: number;
  beforeSelf: number;
  afterSelf: number;
}

interface MergedNode {
  name: string;
  depth: number;
  before: number;
  after: number;
  beforeSelf: number;
  afterSelf: number;
  children: Map<string, MergedNode>;
}

const node = (name: string, depth: number): MergedNode => ({
  name,
  depth,
  before: 0,
  after: 0,
  beforeSelf: 0,
  afterSelf: 0,
  children: new Map(),
});

function addProfile(root: MergedNode, fg: FlameGraph, side: "before" | "after"): void {
  const total = fg.total;
  if (total <= 0) return;
  const self = side === "before" ? "beforeSelf" : "afterSelf";
  const nodes = flameNodes(fg);
  const merged: MergedNode[] = [];
  nodes.forEach((n, i) => {
    let m: MergedNode;
    if (n.parent < 0) {
      m = root; // the root frame ("total") of either profile
    } else {
      const parent = merged[n.parent]!;
      m = parent.children.get(n.name) ?? node(n.name, parent.depth + 1);
      parent.children.set(n.name, m);
    }
    merged[i] = m;
    m[side] += n.total / total;
    m[self] += n.self / total;
  });
}

/**
 * Merges two profiles into frames laid out root first: a frame is as wide as the mean of its
 * two shares, so frames that vanished or appeared stay visible; siblings are ordered by name.
 */
export function diffFrames(before: FlameGraph, after: FlameGraph): DiffFrame[] {
  const root = node("total", 0);
  addProfile(root, before, "before");
  addProfile(root, after, "after");
  const out: DiffFrame[] = [];
  const visit = (m: MergedNode, x: number) => {
    const width = (m.before + m.after) / 2;
    if (width <= 0) return;
    out.push({
      name: m.name,
      depth: m.depth,
      x,
      width,
      before: m.before,
      after: m.after,
      beforeSelf: m.beforeSelf,
      afterSelf: m.afterSelf,
    });
    let cx = x;
    for (const c of [...m.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      visit(c, cx);
      cx += (c.before + c.after) / 2;
    }
  };
  visit(root, 0);
  return out;
}

/** Changes of share below this many points of the total are shown as unchanged. */
export const UNCHANGED = 0.001;

/** Red for growth, green for shrink, deeper the larger the change relative to the share; grey when unchanged. */
export function diffColour(before: number, after: number): string {
  const d = after - before;
  if (Math.abs(d) < UNCHANGED) return "hsl(0, 0%, 82%)";
  const rel = Math.min(1, Math.abs(d) / Math.max(before, after));
  const light = Math.round(88 - 36 * rel);
  return d > 0 ? `hsl(0, 78%, ${light}%)` : `hsl(130, 50%, ${light}%)`;
}

const pct = (f: number) => `${(100 * f).toFixed(2)}%`;
const num = (n: number) => String(Math.round(n * 100) / 100);
/** Frames carry integer positions (millionths of the root) for the page's zoom script. */
const UNITS = 1_000_000;

export interface DiffFlameOptions {
  title?: string;
  /** e.g. "revision 7d9f8b6c4d (…) → revision 5c8d7f6b9 (…)". */
  subtitle?: string;
  width?: number;
  minFramePx?: number;
}

/** The diff flame graph as SVG; every frame's tooltip gives both shares, total and self. */
export function renderDiffFlameSvg(frames: DiffFrame[], opts: DiffFlameOptions): string {
  const width = opts.width ?? 1200;
  const minPx = opts.minFramePx ?? 0.5;
  const scale = width - 2 * PAD;
  const drawn = frames.filter((f) => f.width * scale >= minPx);
  const maxDepth = Math.max(0, ...drawn.map((f) => f.depth));
  const height = HEADER + (maxDepth + 1) * ROW_HEIGHT + FOOTER;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}" font-size="12">`,
    "<style>.frame rect { stroke: #fdfdfb; stroke-width: 0.5; } .frame text { pointer-events: none; }</style>",
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fdfdfb"/>`,
    `<text class="title" x="${PAD}" y="20" font-size="15" font-weight="bold" fill="#222">${escapeXml(opts.title ?? "Diff flame graph")}</text>`,
    `<text class="subtitle" x="${PAD}" y="38" fill="#555">${escapeXml(opts.subtitle ?? "")}</text>`,
    `<g class="frames" transform="translate(0 ${HEADER})">`,
  ];
  for (const f of drawn) {
    const label = f.depth === 0 ? "all" : f.name;
    const w = f.width * scale;
    const x = PAD + f.x * scale;
    const y = f.depth * ROW_HEIGHT;
    const change = (100 * (f.after - f.before)).toFixed(2);
    const tip = `${label}\ntotal ${pct(f.before)} → ${pct(f.after)} (${f.after >= f.before ? "+" : ""}${change} pp), self ${pct(f.beforeSelf)} → ${pct(f.afterSelf)}`;
    const short = shortName(label);
    const shortAttr = short === label ? "" : ` data-short="${escapeXml(short)}"`;
    out.push(
      `<g class="frame" data-name="${escapeXml(label)}" data-depth="${f.depth}" data-x="${Math.round(f.x * UNITS)}" data-total="${Math.round(f.width * UNITS)}" data-before="${f.before.toFixed(6)}" data-after="${f.after.toFixed(6)}"${shortAttr}>` +
        `<title>${escapeXml(tip)}</title>` +
        `<rect x="${num(x)}" y="${y}" width="${num(w)}" height="${ROW_HEIGHT - 1}" rx="2" fill="${diffColour(f.before, f.after)}"/>` +
        `<text x="${num(x + 3)}" y="${y + 13}" fill="#111">${escapeXml(fitLabel(label, w))}</text></g>`,
    );
  }
  out.push("</g>");
  if (drawn.length === 0)
    out.push(`<text x="${PAD}" y="${HEADER + 13}" fill="#555">no samples in either profile</text>`);
  out.push(
    `<text class="footer" x="${PAD}" y="${height - 7}" font-size="11" fill="#777">Width: the mean share of both profiles. Red: a larger share after, green: smaller, grey: within ±${(100 * UNCHANGED).toFixed(1)} pp. Hover a frame for both shares.</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

/** A self-contained HTML page: the diff flame graph with click-to-zoom and search. */
export function renderDiffFlameHtml(
  before: FlameGraph,
  after: FlameGraph,
  opts: DiffFlameOptions,
): string {
  const svg = renderDiffFlameSvg(diffFrames(before, after), opts);
  return flameHtmlPage(svg, { title: opts.title ?? "Diff flame graph", width: opts.width ?? 1200 });
}
