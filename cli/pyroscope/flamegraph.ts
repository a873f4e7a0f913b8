// Pure rendering of a Pyroscope flame graph as a self-contained SVG, and as HTML with zoom and search.
import type { FlameGraph } from "./query.ts";
import { type FlameNode, flameNodes, formatValue, isLibraryFrame } from "./top.ts";

export interface FlameSvgOptions {
  /** Sample unit of the profile type, e.g. `nanoseconds`, for tooltips and the subtitle. */
  unit: string;
  /** First line of the header, e.g. the application and profile type. */
  title?: string;
  /** Second line of the header, e.g. the time range. */
  subtitle?: string;
  /** Width of the picture in pixels (default 1200). */
  width?: number;
  /** Frames narrower than this many pixels are left out, and so are their children (default 0.5). */
  minFramePx?: number;
}

export const ROW_HEIGHT = 18;
export const CHAR_WIDTH = 7.2; // 12px monospace
export const PAD = 10;
export const HEADER = 48;
export const FOOTER = 22;
export const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

/** Escapes text for SVG/HTML content and double-quoted attributes. */
export function escapeXml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Fits a label into `px` pixels: the whole name, else the name without its package
 * (`BatchProcessor.computeHash`), cut with ".." when even that is too long, or empty when fewer
 * than 3 characters fit.
 */
export function fitLabel(label: string, px: number): string {
  const chars = Math.floor((px - 6) / CHAR_WIDTH);
  if (chars >= label.length) return label;
  if (chars < 3) return "";
  const short = shortName(label);
  if (chars >= short.length) return short;
  return `${short.slice(0, chars - 2)}..`;
}

/** `BatchProcessor.computeHash` for `com/shop/checkout/BatchProcessor.computeHash`. */
export function shortName(name: string): string {
  const pkg = framePackage(name);
  return pkg === "all" || pkg === "native" ? name : name.slice(pkg.length + 1);
}

/**
 * The package a frame belongs to: `com/shop/checkout` for `com/shop/checkout/App.run`,
 * `native` for VM and native frames, `all` for the root.
 */
export function framePackage(name: string): string {
  if (name === "total") return "all";
  if (!/^[\w$]+(\/[\w$]+)+\.[\w$<>]+/.test(name)) return "native";
  // Packages are the leading lower-case segments; a class (and a lambda's hidden class) follows.
  const segments = name.split("/");
  let n = 0;
  while (n < segments.length - 1 && /^[a-z_][\w]*$/.test(segments[n]!)) n++;
  return n > 0 ? segments.slice(0, n).join("/") : "native";
}

/** A fill colour that depends only on the frame's package: own code saturated, libraries muted. */
export function frameColour(name: string): string {
  const pkg = framePackage(name);
  if (pkg === "all") return "hsl(0, 0%, 82%)";
  if (pkg === "native") return "hsl(30, 10%, 74%)";
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < pkg.length; i++) {
    h ^= pkg.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const hue = h % 360;
  return isLibraryFrame(name) ? `hsl(${hue}, 28%, 78%)` : `hsl(${hue}, 72%, 70%)`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : "-";
}

const num = (n: number) => String(Math.round(n * 100) / 100);

/** The frames of a flame graph as SVG, root at the top, each a `<g class="frame">` group. */
export function renderFlameSvg(fg: FlameGraph, opts: FlameSvgOptions): string {
  const width = opts.width ?? 1200;
  const minPx = opts.minFramePx ?? 0.5;
  const nodes = flameNodes(fg);
  const total = fg.total || nodes[0]?.total || 0;
  const scale = total > 0 ? (width - 2 * PAD) / total : 0;
  const drawn = new Set<number>();
  let maxDepth = 0;
  nodes.forEach((n, i) => {
    if (n.parent >= 0 && !drawn.has(n.parent)) return;
    if (n.total * scale < minPx) return;
    drawn.add(i);
    maxDepth = Math.max(maxDepth, n.depth);
  });
  const height = HEADER + (drawn.size > 0 ? maxDepth + 1 : 1) * ROW_HEIGHT + FOOTER;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}" font-size="12">`,
    "<style>.frame rect { stroke: #fdfdfb; stroke-width: 0.5; } .frame text { pointer-events: none; }</style>",
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fdfdfb"/>`,
    `<text class="title" x="${PAD}" y="20" font-size="15" font-weight="bold" fill="#222">${escapeXml(opts.title ?? "Flame graph")}</text>`,
    `<text class="subtitle" x="${PAD}" y="38" fill="#555">${escapeXml(
      [opts.subtitle, `total ${formatValue(total, opts.unit)}`].filter(Boolean).join(" · "),
    )}</text>`,
  );
  out.push(`<g class="frames" transform="translate(0 ${HEADER})">`);
  for (const i of drawn) out.push(frameSvg(nodes[i]!, total, scale, opts.unit));
  out.push("</g>");
  if (drawn.size === 0)
    out.push(`<text x="${PAD}" y="${HEADER + 13}" fill="#555">no samples in this range</text>`);
  out.push(
    `<text class="footer" x="${PAD}" y="${height - 7}" font-size="11" fill="#777">Width is the share of the total; hover a frame for its values. Colours: one per package, JDK and libraries muted.</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

function frameSvg(n: FlameNode, total: number, scale: number, unit: string): string {
  const x = PAD + n.x * scale;
  const w = n.total * scale;
  const y = n.depth * ROW_HEIGHT;
  const label = n.depth === 0 && n.name === "total" ? "all" : n.name;
  const tip = `${label}\ntotal ${formatValue(n.total, unit)} (${percent(n.total, total)}), self ${formatValue(n.self, unit)} (${percent(n.self, total)})`;
  const text = fitLabel(label, w);
  const short = shortName(label);
  const shortAttr = short === label ? "" : ` data-short="${escapeXml(short)}"`;
  return [
    `<g class="frame" data-name="${escapeXml(label)}" data-depth="${n.depth}" data-x="${n.x}" data-total="${n.total}"${shortAttr}>`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect x="${num(x)}" y="${y}" width="${num(w)}" height="${ROW_HEIGHT - 1}" rx="2" fill="${frameColour(n.name)}"/>`,
    `<text x="${num(x + 3)}" y="${y + 13}" fill="#111">${escapeXml(text)}</text>`,
    "</g>",
  ].join("");
}

/** An HTML page holding the SVG with click-to-zoom, a search box and a reset button. */
export function renderFlameHtml(fg: FlameGraph, opts: FlameSvgOptions): string {
  return flameHtmlPage(renderFlameSvg(fg, opts), opts);
}

/**
 * The page around a flame graph SVG whose frames are `<g class="frame">` groups carrying
 * data-name, data-depth, data-x and data-total: zoom, search and reset work on any such SVG.
 */
export function flameHtmlPage(svg: string, opts: { title?: string; width?: number }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(opts.title ?? "Flame graph")}</title>
<style>
body { margin: 12px; font: 13px ${FONT}; color: #222; background: #fdfdfb; }
#bar { margin-bottom: 6px; display: flex; gap: 8px; align-items: center; }
#search { width: 28em; font: inherit; padding: 2px 4px; }
#matched { color: #555; }
g.frame { cursor: pointer; }
g.frame:hover rect { stroke: #000; stroke-width: 0.5; }
g.frame.match rect { fill: #e040fb; }
g.frame.faded { opacity: 0.35; }
</style>
</head>
<body>
<div id="bar">
<input id="search" placeholder="Search frames (regular expression), Enter to apply">
<button id="reset" type="button">Reset zoom</button>
<span id="matched"></span>
</div>
${svg}<script>
(() => {
  const W = ${opts.width ?? 1200}, PAD = ${PAD}, CW = ${CHAR_WIDTH};
  const frames = [...document.querySelectorAll("g.frame")].map((g) => ({
    g, rect: g.querySelector("rect"), text: g.querySelector("text"),
    name: g.dataset.name, short: g.dataset.short || g.dataset.name, depth: +g.dataset.depth, x: +g.dataset.x, total: +g.dataset.total,
  }));
  const root = frames[0];
  const fit = (o, px) => {
    const n = Math.floor((px - 6) / CW);
    if (n >= o.name.length) return o.name;
    if (n < 3) return "";
    return n >= o.short.length ? o.short : o.short.slice(0, n - 2) + "..";
  };
  function zoom(f) {
    const scale = (W - 2 * PAD) / f.total;
    for (const o of frames) {
      const inside = o.x >= f.x && o.x + o.total <= f.x + f.total && o.depth >= f.depth;
      const above = o.depth < f.depth && o.x <= f.x && o.x + o.total >= f.x + f.total;
      const x = above ? PAD : PAD + (o.x - f.x) * scale;
      const w = above ? W - 2 * PAD : o.total * scale;
      const show = (inside || above) && w >= 0.5;
      o.g.style.display = show ? "" : "none";
      o.g.classList.toggle("faded", above && o !== f);
      if (!show) continue;
      o.rect.setAttribute("x", x.toFixed(2));
      o.rect.setAttribute("width", w.toFixed(2));
      o.text.setAttribute("x", (x + 3).toFixed(2));
      o.text.textContent = fit(o, w);
    }
  }
  for (const f of frames) f.g.addEventListener("click", () => zoom(f));
  document.getElementById("reset").addEventListener("click", () => root && zoom(root));
  const search = document.getElementById("search");
  const matched = document.getElementById("matched");
  search.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    let re = null;
    try { re = search.value ? new RegExp(search.value) : null; } catch { matched.textContent = "invalid expression"; return; }
    let sum = 0;
    const counted = [];
    for (const f of frames) {
      const hit = !!re && re.test(f.name) && f !== root;
      f.g.classList.toggle("match", hit);
      if (hit && !counted.some((c) => f.x >= c.x && f.x + f.total <= c.x + c.total)) {
        counted.push(f);
        sum += f.total;
      }
    }
    matched.textContent = re && root ? "matched " + ((100 * sum) / root.total).toFixed(1) + "% of the total" : "";
  });
})();
</script>
</body>
</html>
`;
}
