import { expect } from "chai";
import { enforcedLevel, planCapabilities } from "./capabilities.ts";
import type { ProfilerEvent, SysPtraceMode } from "./settings.ts";
import { namespace } from "./testing.ts";

describe("enforcedLevel", () => {
  const rows: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ["privileged", "privileged"],
    ["baseline", "baseline"],
    ["restricted", "restricted"],
    ["bogus", "restricted"],
  ];
  for (const [label, want] of rows) {
    it(`${label ?? "no label"} → ${want ?? "none"}`, () =>
      expect(enforcedLevel(namespace("ns", label))).to.equal(want));
  }
});

describe("planCapabilities", () => {
  // mode, event, enforce label → add SYS_PTRACE?, resulting event, falls back?
  const rows: [
    SysPtraceMode,
    ProfilerEvent,
    string | undefined,
    boolean,
    ProfilerEvent,
    boolean,
  ][] = [
    ["Auto", "cpu", undefined, true, "cpu", false],
    ["Auto", "cpu", "privileged", true, "cpu", false],
    ["Auto", "cpu", "baseline", false, "itimer", true],
    ["Auto", "cpu", "restricted", false, "itimer", true],
    ["Auto", "itimer", undefined, false, "itimer", false],
    ["Auto", "wall", "restricted", false, "wall", false],
    ["Always", "itimer", undefined, true, "itimer", false],
    ["Always", "wall", "privileged", true, "wall", false],
    ["Always", "cpu", "baseline", false, "itimer", true],
    ["Always", "itimer", "restricted", false, "itimer", false],
    ["Never", "cpu", undefined, false, "cpu", false],
    ["Never", "cpu", "restricted", false, "cpu", false],
  ];
  for (const [mode, event, level, add, want, fallback] of rows) {
    it(`${mode}, ${event}, ${level ?? "no level"}`, () => {
      const plan = planCapabilities(mode, event, namespace("ns", level));
      expect(plan.addPtrace).to.equal(add);
      expect(plan.event).to.equal(want);
      expect(plan.fallback !== undefined).to.equal(fallback);
    });
  }
});
