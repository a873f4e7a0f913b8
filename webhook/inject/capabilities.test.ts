import { expect } from "chai";
import { labelledLevel, namespaceCapabilityLevel, planCapabilities } from "./capabilities.ts";
import type { PodSecurityLevel, ProbedLevel, ProfilerEvent, SysPtraceMode } from "./settings.ts";
import { namespace } from "./testing.ts";

const known = (level: PodSecurityLevel): ProbedLevel => ({ kind: "known", level });
const failed: ProbedLevel = { kind: "unknown", why: "the dry run answered 503: unavailable" };

describe("labelledLevel", () => {
  const rows: [Record<string, string>, string | undefined][] = [
    [{}, undefined],
    [{ "pod-security.kubernetes.io/enforce": "privileged" }, "privileged"],
    [{ "pod-security.kubernetes.io/enforce": "baseline" }, "baseline"],
    [{ "pod-security.kubernetes.io/enforce": "restricted" }, "restricted"],
    [{ "pod-security.kubernetes.io/enforce": "bogus" }, "restricted"],
    [{ "pod-security.kubernetes.io/enforce": "" }, "restricted"],
    [{ "pod-security.kubernetes.io/warn": "privileged" }, undefined],
  ];
  for (const [labels, want] of rows) {
    it(`${JSON.stringify(labels)} → ${want ?? "none"}`, () =>
      expect(labelledLevel(labels)).to.equal(want));
  }
});

describe("namespaceCapabilityLevel", () => {
  // enforce label, probed level → what SYS_PTRACE is decided against
  const rows: [string | undefined, ProbedLevel | undefined, string][] = [
    [undefined, undefined, "unknown: not probed yet"],
    [undefined, known("privileged"), "privileged from probe"],
    [undefined, known("baseline"), "baseline from probe"],
    [undefined, failed, `unknown: ${failed.kind === "unknown" ? failed.why : ""}`],
    // The label is seen at once; a probe may predate a label change.
    ["restricted", known("privileged"), "restricted from label"],
    ["privileged", known("baseline"), "privileged from label"],
    ["baseline", undefined, "baseline from label"],
    ["privileged", failed, "privileged from label"],
  ];
  for (const [label, probed, want] of rows) {
    it(`label ${label ?? "none"}, probe ${probed ? JSON.stringify(probed) : "none"} → ${want}`, () => {
      const got = namespaceCapabilityLevel(namespace("ns", label), probed);
      expect(
        got.kind === "known" ? `${got.level} from ${got.source}` : `unknown: ${got.why}`,
      ).to.equal(want);
    });
  }
});

describe("planCapabilities", () => {
  // mode, event, enforce label, probed level → add SYS_PTRACE?, resulting event, falls back?
  const rows: [
    SysPtraceMode,
    ProfilerEvent,
    string | undefined,
    ProbedLevel | undefined,
    boolean,
    ProfilerEvent,
    boolean,
  ][] = [
    ["Auto", "cpu", undefined, known("privileged"), true, "cpu", false],
    ["Auto", "cpu", undefined, known("baseline"), false, "itimer", true],
    ["Auto", "cpu", undefined, known("restricted"), false, "itimer", true],
    ["Auto", "cpu", undefined, undefined, false, "itimer", true],
    ["Auto", "cpu", undefined, failed, false, "itimer", true],
    ["Auto", "cpu", "privileged", undefined, true, "cpu", false],
    ["Auto", "cpu", "privileged", known("baseline"), true, "cpu", false],
    ["Auto", "cpu", "baseline", known("privileged"), false, "itimer", true],
    ["Auto", "cpu", "restricted", undefined, false, "itimer", true],
    ["Auto", "itimer", undefined, undefined, false, "itimer", false],
    ["Auto", "wall", "restricted", undefined, false, "wall", false],
    ["Always", "itimer", undefined, known("privileged"), true, "itimer", false],
    ["Always", "itimer", undefined, known("baseline"), false, "itimer", false],
    ["Always", "itimer", undefined, undefined, false, "itimer", false],
    ["Always", "wall", "privileged", undefined, true, "wall", false],
    ["Always", "cpu", "baseline", undefined, false, "itimer", true],
    ["Always", "itimer", "restricted", undefined, false, "itimer", false],
    ["Never", "cpu", undefined, known("privileged"), false, "cpu", false],
    ["Never", "cpu", undefined, undefined, false, "cpu", false],
    ["Never", "cpu", "restricted", undefined, false, "cpu", false],
  ];
  for (const [mode, event, label, probed, add, want, fallback] of rows) {
    const p = probed ? (probed.kind === "known" ? probed.level : "failed") : "not probed";
    it(`${mode}, ${event}, label ${label ?? "none"}, probe ${p}`, () => {
      const plan = planCapabilities(mode, event, namespace("ns", label), probed);
      expect(plan.addPtrace).to.equal(add);
      expect(plan.event).to.equal(want);
      expect(plan.fallback !== undefined).to.equal(fallback);
      // Wanted but not added is always said, and why.
      const wanted = mode === "Always" || (mode === "Auto" && event === "cpu");
      expect(plan.notAdded !== undefined).to.equal(wanted && !add);
    });
  }

  it("a level probed from a cluster default is reported in the words used for a label", () => {
    const byLabel = planCapabilities("Auto", "cpu", namespace("shop", "baseline"), undefined);
    const byProbe = planCapabilities("Auto", "cpu", namespace("shop"), known("baseline"));
    expect(byProbe.notAdded).to.equal(byLabel.notAdded);
    expect(byProbe.fallback).to.equal(byLabel.fallback);
    expect(byProbe.notAdded).to.equal(
      "namespace shop enforces Pod Security level baseline, which forbids SYS_PTRACE",
    );
  });

  it("an unknown level says so, and why", () => {
    const plan = planCapabilities("Always", "wall", namespace("shop"), failed);
    expect(plan.notAdded).to.equal(
      "the Pod Security level namespace shop enforces is not known (the dry run answered 503: unavailable), and SYS_PTRACE is added only where it is known to be admitted",
    );
  });
});
