// Unit tests of the diff flame graph: merging two profiles stack by stack, colours, and the page.
import { expect } from "chai";
import { diffColour, diffFrames, renderDiffFlameHtml, UNCHANGED } from "./diff-flamegraph.ts";
import { checkoutFlameGraph, hashAndHex as profile } from "./fixtures.ts";

describe("diffFrames", () => {
  it("merges the same stacks and keeps shares of each profile", () => {
    const frames = diffFrames(profile(90, 10), profile(60, 40));
    const by = Object.fromEntries(frames.map((f) => [f.name, f]));
    expect(frames.map((f) => [f.name, f.depth])).to.deep.equal([
      ["total", 0],
      ["java/lang/Thread.run", 1],
      ["com/shop/App.handle", 2],
      ["com/shop/App.computeHash", 3],
      ["com/shop/App.toHex", 3],
    ]);
    expect(by["com/shop/App.toHex"]).to.deep.include({ before: 0.1, after: 0.4, afterSelf: 0.4 });
    expect(by["com/shop/App.toHex"]!.width).to.be.closeTo(0.25, 1e-12);
    expect(by["com/shop/App.toHex"]!.x).to.be.closeTo(0.75, 1e-12);
    expect(by.total).to.deep.include({ x: 0, width: 1, before: 1, after: 1 });
  });

  it("keeps frames that exist on one side only, at half their share", () => {
    const frames = diffFrames(profile(100, 0), checkoutFlameGraph());
    // Both have Thread.run -> handle -> computeHash; checkout's goes on to MessageDigest.
    const hash = frames.find((f) => f.name === "com/shop/App.computeHash")!;
    expect(hash).to.deep.include({ before: 1, after: 0.6, beforeSelf: 1, afterSelf: 0.1 });
    const added = frames.find((f) => f.name === "GCTaskThread::run")!;
    expect(added).to.deep.include({ before: 0, after: 0.15, width: 0.075 });
    const widthAtDepth1 = frames.filter((f) => f.depth === 1).reduce((s, f) => s + f.width, 0);
    expect(widthAtDepth1).to.be.closeTo(1, 1e-12);
  });

  it("is empty when both profiles are", () => {
    const empty = { names: [], levels: [], total: 0, maxSelf: 0 };
    expect(diffFrames(empty, empty)).to.deep.equal([]);
  });
});

describe("diffColour", () => {
  const cases: [string, number, number, RegExp][] = [
    ["grew", 0.1, 0.4, /^hsl\(0, 78%, \d+%\)$/],
    ["shrank", 0.4, 0.1, /^hsl\(130, 50%, \d+%\)$/],
    ["unchanged", 0.3, 0.3 + UNCHANGED / 2, /^hsl\(0, 0%, 82%\)$/],
    ["new", 0, 0.2, /^hsl\(0, 78%, 52%\)$/],
  ];
  for (const [what, b, a, want] of cases) it(what, () => expect(diffColour(b, a)).to.match(want));

  it("deepens with the relative change", () => {
    const light = (s: string) => Number(/(\d+)%\)$/.exec(s)![1]);
    expect(light(diffColour(0.1, 0.4))).to.be.lessThan(light(diffColour(0.1, 0.12)));
  });
});

describe("renderDiffFlameHtml", () => {
  it("is one page with the frames, their shares, escaped names and the zoom script", () => {
    const fg = checkoutFlameGraph("com/shop/Gen<T>.apply");
    const html = renderDiffFlameHtml(profile(90, 10), fg, { title: "shop/checkout <cpu>" });
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain("<title>shop/checkout &lt;cpu&gt;</title>");
    expect(html).to.contain('data-name="com/shop/Gen&lt;T&gt;.apply"');
    expect(html).to.match(/com\/shop\/App\.toHex\ntotal 10\.00% → 20\.00% \(\+10\.00 pp\)/);
    expect(html).to.contain("addEventListener");
    expect(html).not.to.match(/<script[^>]+src=|<link /); // self-contained
  });
});
