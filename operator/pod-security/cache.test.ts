// The cache's bookkeeping over a fake clock; the dry run itself is exercised against the real
// API server in e2e/integration/pod-security.test.ts.
import { expect } from "chai";
import type { PodSecurityLevel, ProbedLevel } from "../../webhook/inject/settings.ts";
import { FakeClock } from "../runtime/clock.ts";
import { PodSecurityCache } from "./cache.ts";

const enforce = "pod-security.kubernetes.io/enforce";
const settle = () => new Promise((r) => setImmediate(r));

/** A cache whose dry run answers from `levels` (what the API server would enforce). */
function setup(opts: { maxEntries?: number } = {}) {
  const clock = new FakeClock();
  const levels = new Map<string, ProbedLevel>();
  const probed: string[] = [];
  const cache = new PodSecurityCache({
    clock,
    random: () => 0,
    ...opts,
    probe: async (ns) => {
      probed.push(ns);
      return levels.get(ns) ?? { kind: "unknown", why: "no answer" };
    },
  });
  const level = (ns: string, l: PodSecurityLevel) => levels.set(ns, { kind: "known", level: l });
  return { clock, cache, probed, level, levels };
}

describe("PodSecurityCache", () => {
  it("a lookup never waits: unknown at first, the probed level once the dry run answered", async () => {
    const { cache, level, probed } = setup();
    level("shop", "baseline");
    expect(cache.lookup("shop", {})).to.equal(undefined);
    await settle();
    expect(cache.lookup("shop", {})).to.deep.equal({ kind: "known", level: "baseline" });
    expect(probed).to.deep.equal(["shop"]);
  });

  it("probes once per namespace and enforce labels, not per lookup or unrelated change", async () => {
    const { cache, level, probed } = setup();
    level("shop", "privileged");
    cache.observe("shop", { team: "a" });
    cache.observe("shop", { team: "b" });
    for (let i = 0; i < 5; i++) cache.lookup("shop", { team: "c" });
    await settle();
    for (let i = 0; i < 5; i++) cache.lookup("shop", {});
    expect(probed).to.deep.equal(["shop"]);
  });

  it("a change of the enforce labels drops the level and probes again", async () => {
    const { cache, level, probed } = setup();
    level("shop", "privileged");
    cache.observe("shop", {});
    await settle();
    level("shop", "restricted");
    cache.observe("shop", { [enforce]: "restricted" });
    expect(cache.lookup("shop", { [enforce]: "restricted" })).to.equal(undefined);
    await settle();
    expect(cache.lookup("shop", { [enforce]: "restricted" })).to.deep.equal({
      kind: "known",
      level: "restricted",
    });
    expect(probed).to.deep.equal(["shop", "shop"]);
  });

  it("an answer to a probe started before an invalidation is dropped", async () => {
    const answers: ((p: ProbedLevel) => void)[] = [];
    const cache = new PodSecurityCache({
      clock: new FakeClock(),
      probe: () => new Promise<ProbedLevel>((r) => answers.push(r)),
    });
    cache.observe("shop", {});
    cache.observe("shop", { [enforce]: "baseline" });
    expect(answers).to.have.length(2);
    answers[1]!({ kind: "known", level: "baseline" });
    await settle();
    answers[0]!({ kind: "known", level: "privileged" });
    await settle();
    expect(cache.lookup("shop", { [enforce]: "baseline" })).to.deep.equal({
      kind: "known",
      level: "baseline",
    });
  });

  it("probes a known level again after the TTL, keeping it meanwhile; a failure forgets it", async () => {
    const { cache, clock, level, levels, probed } = setup();
    level("shop", "privileged");
    cache.observe("shop", {});
    await settle();
    clock.advance(9 * 60_000);
    expect(probed).to.have.length(1);
    levels.delete("shop");
    clock.advance(60_000);
    expect(probed).to.have.length(2);
    expect(cache.lookup("shop", {})).to.deep.equal({ kind: "known", level: "privileged" });
    await settle();
    expect(cache.lookup("shop", {})).to.deep.equal({ kind: "unknown", why: "no answer" });
  });

  it("retries an unknown answer soon, then less often", async () => {
    const { cache, clock, probed, level } = setup();
    cache.observe("shop", {});
    await settle();
    const times: number[] = [];
    for (let t = 0; t < 8_000; t += 250) {
      const before = probed.length;
      clock.advance(250);
      await settle();
      if (probed.length > before) times.push(clock.now());
    }
    expect(times).to.deep.equal([1_000, 3_000, 7_000]);
    level("shop", "baseline");
    clock.advance(8_000);
    await settle();
    expect(cache.lookup("shop", {})).to.deep.equal({ kind: "known", level: "baseline" });
  });

  it("keeps at most maxEntries namespaces, dropping the longest unprobed", async () => {
    const { cache, level, probed } = setup({ maxEntries: 2 });
    for (const ns of ["a", "b", "c"]) level(ns, "privileged");
    cache.observe("a", {});
    cache.observe("b", {});
    await settle();
    cache.observe("c", {});
    await settle();
    expect(cache.size).to.equal(2);
    expect(cache.lookup("b", {})).to.not.equal(undefined);
    expect(cache.lookup("c", {})).to.not.equal(undefined);
    // "a" was evicted: a lookup asks again.
    expect(cache.lookup("a", {})).to.equal(undefined);
    await settle();
    expect(probed.filter((n) => n === "a")).to.have.length(2);
  });

  it("forget and stop cancel the namespace's timers", async () => {
    const { cache, clock, level } = setup();
    level("a", "privileged");
    level("b", "privileged");
    cache.observe("a", {});
    cache.observe("b", {});
    await settle();
    expect(clock.pendingTimers()).to.equal(2);
    cache.forget("a");
    expect(clock.pendingTimers()).to.equal(1);
    cache.stop();
    expect(clock.pendingTimers()).to.equal(0);
    expect(cache.lookup("b", {})).to.equal(undefined);
  });
});
