// Unit tests for the flame graph SVG/HTML renderer: geometry, nesting, labels, colours, escaping.
import { expect } from "chai";
import { checkoutFlameGraph } from "./fixtures.ts";
import {
  escapeXml,
  fitLabel,
  frameColour,
  framePackage,
  renderFlameHtml,
  renderFlameSvg,
} from "./flamegraph.ts";
import type { FlameGraph } from "./query.ts";

const fixture = checkoutFlameGraph("java/security/MessageDigest.digest");

interface Frame {
  name: string;
  depth: number;
  x: number;
  y: number;
  width: number;
  title: string;
  label: string;
  fill: string;
}

/** Reads the frame groups back out of the SVG text. */
function frames(svg: string): Frame[] {
  const re =
    /<g class="frame" data-name="([^"]*)" data-depth="(\d+)"[^>]*><title>([^<]*)<\/title><rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"[^>]* fill="([^"]+)"\/><text[^>]*>([^<]*)<\/text><\/g>/g;
  return [...svg.matchAll(re)].map((m) => ({
    name: m[1]!,
    depth: Number(m[2]),
    title: m[3]!,
    x: Number(m[4]),
    y: Number(m[5]),
    width: Number(m[6]),
    fill: m[7]!,
    label: m[8]!,
  }));
}

describe("renderFlameSvg", () => {
  const svg = renderFlameSvg(fixture, { unit: "nanoseconds", title: "shop/checkout · cpu" });
  const fs = frames(svg);
  const byName = (n: string) => fs.find((f) => f.name === n)!;

  it("draws one frame per node, root first and as wide as the plot", () => {
    expect(fs).to.have.length(7);
    expect(fs[0]).to.include({ name: "all", depth: 0, x: 10, width: 1180 });
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200"/);
    expect(svg.trimEnd()).to.match(/<\/svg>$/);
  });

  it("makes widths proportional to totals and children no wider than their parent", () => {
    expect(byName("com/shop/App.computeHash").width).to.be.closeTo(1180 * 0.6, 0.01);
    expect(byName("GCTaskThread::run").width + byName("java/lang/Thread.run").width).to.be.closeTo(
      1180,
      0.02,
    );
    expect(byName("com/shop/App.computeHash").width + byName("com/shop/App.toHex").width).to.be.lte(
      byName("com/shop/App.handle").width + 0.02,
    );
  });

  it("nests each frame inside its parent, one row lower", () => {
    const parent = byName("com/shop/App.computeHash");
    const child = byName("java/security/MessageDigest.digest");
    expect(child.y - parent.y).to.equal(18);
    expect(child.x).to.be.gte(parent.x);
    expect(child.x + child.width).to.be.lte(parent.x + parent.width + 0.02);
    expect(byName("com/shop/App.toHex").x).to.be.closeTo(10 + 1180 * 0.75, 0.01);
  });

  it("puts values in the tooltip and truncates labels to fit", () => {
    expect(byName("com/shop/App.computeHash").title).to.equal(
      "com/shop/App.computeHash\ntotal 60 ns (60.00%), self 10 ns (10.00%)",
    );
    expect(byName("com/shop/App.computeHash").label).to.equal("com/shop/App.computeHash");
    const narrow = frames(renderFlameSvg(fixture, { unit: "nanoseconds", width: 120 }));
    const label = narrow.find((f) => f.name === "com/shop/App.toHex")!.label;
    expect(label).to.equal(""); // 20 px: not even three characters
    const hash = narrow.find((f) => f.name === "com/shop/App.computeHash")!;
    expect(hash.label).to.equal("App.c.."); // the package goes first
    expect(hash.label.length * 7.2).to.be.lte(hash.width);
  });

  it("leaves out frames narrower than the minimum, with their children", () => {
    const tiny = frames(renderFlameSvg(fixture, { unit: "nanoseconds", minFramePx: 300 }));
    expect(tiny.map((f) => f.name)).to.deep.equal([
      "all",
      "java/lang/Thread.run",
      "com/shop/App.handle",
      "com/shop/App.computeHash",
      "java/security/MessageDigest.digest",
    ]);
  });

  it("escapes <, & and > in names, titles and labels", () => {
    const fg: FlameGraph = {
      names: ["total", 'a/B.<init>&"x"', "c/D.m<lambda>"],
      levels: [
        [0, 10, 0, 0],
        [0, 6, 6, 1, 0, 4, 4, 2],
      ],
      total: 10,
      maxSelf: 6,
    };
    const out = renderFlameSvg(fg, { unit: "count", title: "<app> & co" });
    expect(out).to.contain("a/B.&lt;init&gt;&amp;&quot;x&quot;");
    expect(out).to.contain("&lt;app&gt; &amp; co");
    expect(out).not.to.contain("<init>");
    expect(out).not.to.contain("<lambda>");
    expect(out).not.to.match(/&(?!amp;|lt;|gt;|quot;|#39;)/);
    expect(frames(out)).to.have.length(3);
  });

  it("says so when there are no samples", () => {
    const out = renderFlameSvg({ names: [], levels: [], total: 0, maxSelf: 0 }, { unit: "bytes" });
    expect(out).to.contain("no samples");
    expect(frames(out)).to.have.length(0);
  });
});

describe("frame colours", () => {
  it("depend on the package only", () => {
    expect(framePackage("com/shop/checkout/App.run")).to.equal("com/shop/checkout");
    expect(framePackage("GCTaskThread::run")).to.equal("native");
    expect(frameColour("com/shop/A.x")).to.equal(frameColour("com/shop/B.y"));
    expect(frameColour("com/shop/A.x")).not.to.equal(frameColour("com/other/A.x"));
    expect(frameColour("java/lang/Thread.run")).to.match(/^hsl\(\d+, 28%, 78%\)$/);
    expect(frameColour("com/shop/A.x")).to.match(/^hsl\(\d+, 72%, 70%\)$/);
  });
});

describe("labels and escaping", () => {
  it("fits labels by character width", () => {
    expect(fitLabel("abcdef", 100)).to.equal("abcdef");
    expect(fitLabel("abcdefghijklmnop", 6 + 7.2 * 6)).to.equal("abcd..");
    expect(fitLabel("abcdef", 20)).to.equal("");
  });
  it("escapes the five XML characters", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).to.equal(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });
});

describe("renderFlameHtml", () => {
  it("embeds the SVG with the zoom and search script", () => {
    const html = renderFlameHtml(fixture, { unit: "nanoseconds", title: "a <b>" });
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain("<title>a &lt;b&gt;</title>");
    expect(html).to.contain(renderFlameSvg(fixture, { unit: "nanoseconds", title: "a <b>" }));
    expect(html).to.contain('id="search"');
    expect(html).to.contain("function zoom(f)");
  });
});
