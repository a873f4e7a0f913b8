// The rollout's words, each from the codes and facts it is given: record reasons, Events, the
// halt in the status, and the RolloutComplete condition.
import { expect } from "chai";
import type { HaltCause } from "./health.ts";
import type { RollingStep, Transition } from "./rolling.ts";
import {
  canaryMessage,
  haltedStatus,
  haltReason,
  onRestartCondition,
  rollingCondition,
  transitionEvents,
} from "./wording.ts";

const w = (name: string, kind = "Deployment") => ({ kind, namespace: "shop", name });
const policy = { name: "shop", revision: "r5" };
const counts = { inFlight: 1, done: 2, total: 5 };
const none = { notRestartable: [], unknown: [], waitingForAvailable: false };
const crashLoop: HaltCause = { code: "CrashLoop" };

describe("haltReason", () => {
  const rows: [HaltCause, string][] = [
    [{ code: "CrashLoop" }, "CrashLoop: its new pods are crash-looping"],
    [
      { code: "CrashLoop", blocking: "pod p is in CrashLoopBackOff" },
      "CrashLoop: pod p is in CrashLoopBackOff",
    ],
    [
      { code: "NotInjected", healthTimeout: "5m" },
      "NotInjected: rolled out, but its pods do not carry the agent 5m after the restart (is the webhook reachable?)",
    ],
    [
      { code: "HealthTimeout", healthTimeout: "5m" },
      "HealthTimeout: not available 5m after the restart (not ready)",
    ],
    [
      {
        code: "HealthTimeout",
        healthTimeout: "1h",
        readiness: "1 of 2 pods available",
        blocking: "pod p",
      },
      "HealthTimeout: not available 1h after the restart (1 of 2 pods available; pod p)",
    ],
  ];
  for (const [cause, reason] of rows) {
    it(reason, () => expect(haltReason(cause)).to.equal(reason));
  }
});

describe("transitionEvents", () => {
  const rows: { name: string; t: Transition; events: string[] }[] = [
    {
      name: "a restart: on the workload, then the policy, numbered",
      t: { type: "Restart", workload: w("a"), n: 2, total: 5 },
      events: [
        "workload Normal ProfilingRestart: Restarted by ProfilingPolicy shop (revision r5) to add the Pyroscope agent",
        "policy Normal WorkloadRestarted: Restarted Deployment/shop/a (2/5)",
      ],
    },
    {
      name: "a retry: on the workload only",
      t: { type: "Retry", workload: w("a") },
      events: [
        "workload Normal ProfilingRestartRetried: Restarted once more: its pods came up without the agent",
      ],
    },
    {
      name: "a restart done",
      t: { type: "MarkAvailable", workload: w("a") },
      events: [
        "workload Normal ProfilingRestartComplete: Available again with the Pyroscope agent of policy shop",
        "policy Normal WorkloadAvailable: Deployment/shop/a is available with the agent",
      ],
    },
    {
      name: "a halt with rollback: Warnings, the policy's first",
      t: { type: "Halt", workload: w("a"), cause: crashLoop, rollback: true },
      events: [
        "policy Warning RolloutHalted: Deployment/shop/a: CrashLoop: its new pods are crash-looping",
        "workload Warning ProfilingRolledBack: CrashLoop: its new pods are crash-looping; labelled fleetscope.io/inject=false and restarted without the agent",
      ],
    },
    {
      name: "a halt without rollback",
      t: { type: "Halt", workload: w("a"), cause: crashLoop, rollback: false },
      events: [
        "policy Warning RolloutHalted: Deployment/shop/a: CrashLoop: its new pods are crash-looping",
        "workload Warning ProfilingRestartFailed: CrashLoop: its new pods are crash-looping",
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const events = transitionEvents(row.t, policy);
      expect(events.map((e) => `${e.on} ${e.type} ${e.reason}: ${e.message}`)).to.deep.equal(
        row.events,
      );
    });
  }
});

describe("haltedStatus", () => {
  const rows = [
    {
      name: "decided now, rolled back",
      halt: { workload: w("a"), rolledBack: true, cause: crashLoop },
      status: {
        reason: "CrashLoop",
        workload: "Deployment/shop/a",
        message:
          "Deployment/shop/a: CrashLoop: its new pods are crash-looping (rolled back: excluded from injection and restarted)",
      },
    },
    {
      name: "read back from the record: its code leads the reason",
      halt: { workload: w("a"), rolledBack: false, recorded: "HealthTimeout: not available" },
      status: {
        reason: "HealthTimeout",
        workload: "Deployment/shop/a",
        message: "Deployment/shop/a: HealthTimeout: not available",
      },
    },
    {
      name: "a record without a reason",
      halt: { workload: w("a"), rolledBack: false },
      status: {
        reason: "Failed",
        workload: "Deployment/shop/a",
        message: "Deployment/shop/a: failed",
      },
    },
  ];
  for (const row of rows) {
    it(row.name, () => expect(haltedStatus(row.halt)).to.deep.equal(row.status));
  }
});

describe("the RolloutComplete condition", () => {
  const many = ["a", "b", "c", "d", "e", "f", "g"].map((n) => w(n));
  const rolling = (verdict: RollingStep["verdict"]) =>
    rollingCondition({ counts, verdict }, "shop");
  const rows = [
    {
      name: "OnRestart: what waits for a restart",
      condition: onRestartCondition("OnRestart", [w("a"), w("b")]),
      reason: "OnRestart",
      message:
        "2 workloads get the agent when they next restart: Deployment/shop/a, Deployment/shop/b",
    },
    {
      name: "a dry run says nothing is restarted, and names five at most",
      condition: onRestartCondition("DryRun", many),
      reason: "DryRun",
      message:
        "7 workloads get the agent when they next restart (dry run: nothing is restarted): Deployment/shop/a, Deployment/shop/b, Deployment/shop/c, Deployment/shop/d, Deployment/shop/e and 2 more",
    },
    {
      name: "nothing waits: complete",
      condition: onRestartCondition("OnRestart", []),
      reason: "Complete",
      message: "Every selected workload runs the current agent configuration.",
    },
    {
      name: "halted: where, and how to go on",
      condition: rolling({
        phase: "Halted",
        halt: { workload: w("a"), rolledBack: false, cause: crashLoop },
      }),
      reason: "Halted",
      message:
        "Rollout halted at Deployment/shop/a: CrashLoop: its new pods are crash-looping. Fix the cause, then run: fleetscope rollout resume shop",
    },
    {
      name: "complete but for OnDelete workloads",
      condition: rolling({ phase: "Complete", notRestartable: [w("ds", "DaemonSet")] }),
      reason: "NotRestartable",
      message:
        "2/5 restarted; 1 not restartable (updateStrategy OnDelete): DaemonSet/shop/ds; restart them by hand",
    },
    {
      name: "complete",
      condition: rolling({ phase: "Complete", notRestartable: [] }),
      reason: "Complete",
      message: "Every selected workload runs the current agent configuration.",
    },
    {
      name: "progressing: the counts alone",
      condition: rolling({ phase: "Progressing", progress: none }),
      reason: "Progressing",
      message: "2/5 restarted, 1 in flight",
    },
    {
      name: "paused, with everything that holds it up, in order",
      condition: rolling({
        phase: "Paused",
        progress: {
          blocked: { workload: w("slow"), blocking: "pod p is Pending" },
          canary: { gate: "Wave", started: 1, count: 2 },
          notRestartable: [w("ds", "DaemonSet")],
          unknown: [w("new")],
          waitingForAvailable: true,
        },
      }),
      reason: "Paused",
      message:
        "Paused: 2/5 restarted, 1 in flight; Deployment/shop/slow not available yet: pod p is Pending; canary wave: 1/2 started; 1 not restartable (updateStrategy OnDelete): DaemonSet/shop/ds; not in the cache yet: Deployment/shop/new; waiting for workloads to be available before restarting them",
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(row.condition).to.deep.equal({
        type: "RolloutComplete",
        status: row.reason === "Complete" ? "True" : "False",
        reason: row.reason,
        message: row.message,
      });
    });
  }
});

describe("canaryMessage", () => {
  const rows = [
    { wait: { gate: "Wave" as const, started: 0, count: 1 }, message: "canary wave: 0/1 started" },
    {
      wait: { gate: "Canaries" as const, restarting: [w("a")] },
      message: "waiting for canaries: Deployment/shop/a",
    },
    {
      wait: { gate: "Pause" as const, until: Date.parse("2025-06-10T12:06:00Z") },
      message: "canaries healthy; the rest follows at 2025-06-10T12:06:00.000Z",
    },
  ];
  for (const row of rows) {
    it(row.message, () => expect(canaryMessage(row.wait)).to.equal(row.message));
  }
});
