// The Rolling state machine without its words: which transitions a step makes, with their facts,
// the counts, the verdict and when to look again.
import { expect } from "chai";
import {
  type Progress,
  type RollingStep,
  stepRolling,
  type Transition,
  type Verdict,
} from "./rolling.ts";
import { minutesAgo, NOW, rolling, workload } from "./testing.ts";
import type { RolloutPolicy, RolloutWorkload } from "./types.ts";

const canary = rolling({ maxConcurrent: 3, canary: { count: 1, pause: "10m" } });
const rest = [workload("b"), workload("c"), workload("d"), workload("e")];
const ref = (name: string, kind = "Deployment", namespace = "shop") => ({ kind, namespace, name });
const at = (minutesFromNow: number) => Date.parse(minutesAgo(-minutesFromNow));
/** Progress with nothing to report but what is given. */
const progress = (p: Partial<Progress>): Progress => ({
  notRestartable: [],
  unknown: [],
  waitingForAvailable: false,
  ...p,
});

/** `Type Kind/ns/name`, then what the transition carries: `n/total`, or the halt's code. */
function describeTransition(t: Transition): string {
  const w = `${t.type} ${t.workload.kind}/${t.workload.namespace}/${t.workload.name}`;
  if (t.type === "Restart") return `${w} ${t.n}/${t.total}`;
  if (t.type === "Halt") return `${w} ${t.cause.code}${t.rollback ? ", rolled back" : ""}`;
  return w;
}

interface Row {
  name: string;
  policy: RolloutPolicy;
  workloads: RolloutWorkload[];
  transitions?: string[];
  counts?: RollingStep["counts"];
  phase?: Verdict["phase"];
  /** The whole verdict, facts and all. */
  verdict?: Verdict;
  /** Progressing, with this progress and otherwise nothing to report. */
  progress?: Partial<Progress>;
  /** Absent when nothing is due. */
  requeueAfterMs?: number | "none";
}

const rows: Row[] = [
  {
    name: "restarts at most maxConcurrent, by namespace then name, numbered of all to do",
    policy: rolling({ maxConcurrent: 2 }),
    workloads: [
      workload("zeta", { namespace: "a-team" }),
      workload("b"),
      workload("alpha", { namespace: "b-team" }),
      workload("a"),
    ],
    transitions: ["Restart Deployment/a-team/zeta 1/4", "Restart Deployment/b-team/alpha 2/4"],
    counts: { inFlight: 2, done: 0, total: 4 },
    requeueAfterMs: 5 * 60_000,
  },
  {
    name: "never restarts a workload twice for one revision, whatever its coverage says",
    policy: rolling({ maxConcurrent: 5 }),
    workloads: [
      workload("done", { record: "Available@30" }),
      workload("acknowledged", { record: "Acknowledged@30" }),
      workload("older", { record: "Available@900", recordRevision: "r4", state: "outdated" }),
    ],
    transitions: ["Restart Deployment/shop/older 3/3"],
    counts: { inFlight: 1, done: 1, total: 3 },
  },
  {
    name: "a restart in flight takes the only slot until its health deadline",
    policy: rolling(),
    workloads: [
      workload("a", { record: "Restarting@2", state: "outdated", facts: { ready: false } }),
      workload("b"),
    ],
    transitions: [],
    counts: { inFlight: 1, done: 0, total: 2 },
    phase: "Progressing",
    requeueAfterMs: 3 * 60_000,
  },
  {
    name: "a rolled-out workload whose new pods are not yet seen with the agent stays in flight",
    policy: rolling(),
    workloads: [workload("a", { record: "Restarting@0", state: "pending" })],
    transitions: [],
    counts: { inFlight: 1, done: 0, total: 1 },
  },
  {
    name: "one missed by the webhook is retried, and stays in flight",
    policy: rolling(),
    workloads: [workload("a", { record: "Restarting@1", state: "pending" })],
    transitions: ["Retry Deployment/shop/a"],
    counts: { inFlight: 1, done: 0, total: 1 },
  },
  {
    name: "an available restart is done, and frees its slot in the same step",
    policy: rolling(),
    workloads: [workload("a", { record: "Restarting@2", state: "injected" }), workload("b")],
    transitions: ["MarkAvailable Deployment/shop/a", "Restart Deployment/shop/b 2/2"],
    counts: { inFlight: 1, done: 1, total: 2 },
  },
  {
    name: "nothing left: complete, with nothing due",
    policy: rolling(),
    workloads: [
      workload("a", { record: "Available@20", state: "injected" }),
      workload("b", { state: "injected" }),
    ],
    transitions: [],
    counts: { inFlight: 0, done: 1, total: 1 },
    verdict: { phase: "Complete", notRestartable: [] },
    requeueAfterMs: "none",
  },
  {
    name: "a halt decided now carries its cause and facts, not the record's old reason",
    policy: rolling(),
    workloads: [
      workload("slow", {
        record: "Restarting@6",
        reason: "Retried: pods admitted without the agent",
        facts: { ready: false, readiness: "0 of 2 updated replicas available" },
      }),
      workload("next"),
    ],
    transitions: ["Halt Deployment/shop/slow HealthTimeout, rolled back"],
    verdict: {
      phase: "Halted",
      halt: {
        workload: ref("slow"),
        rolledBack: true,
        cause: {
          code: "HealthTimeout",
          healthTimeout: "5m",
          readiness: "0 of 2 updated replicas available",
        },
      },
    },
  },
  {
    name: "the earliest failure halts, with the reason in its record, before one decided now",
    policy: rolling({ rollbackOnFailure: false, maxConcurrent: 2 }),
    workloads: [
      workload("a-crashy", { record: "Restarting@1", facts: { ready: false, crashLooping: true } }),
      workload("b-failed", { record: "Failed@3", reason: "HealthTimeout: not available" }),
    ],
    transitions: ["Halt Deployment/shop/a-crashy CrashLoop"],
    verdict: {
      phase: "Halted",
      halt: {
        workload: ref("b-failed"),
        rolledBack: false,
        recorded: "HealthTimeout: not available",
      },
    },
  },
  {
    name: "an acknowledged failure lets the rollout go on",
    policy: rolling(),
    workloads: [
      workload("broken", { record: "Acknowledged@5", state: "skipped" }),
      workload("waiting"),
    ],
    transitions: ["Restart Deployment/shop/waiting 2/2"],
  },
  {
    name: "paused: restarts in flight still settle, and a halt outranks the pause",
    policy: rolling({ paused: true, maxConcurrent: 2 }),
    workloads: [
      workload("a", { record: "Restarting@1", facts: { ready: false, crashLooping: true } }),
      workload("b", { record: "Restarting@1", facts: { ready: false } }),
      workload("c"),
    ],
    transitions: ["Halt Deployment/shop/a CrashLoop, rolled back"],
    counts: { inFlight: 1, done: 0, total: 3 },
    phase: "Halted",
  },
  {
    name: "unpaused: it resumes where it stopped",
    policy: rolling({ maxConcurrent: 2 }),
    workloads: [
      workload("a", { record: "Available@1", state: "injected" }),
      workload("b", { record: "Restarting@1", facts: { ready: false } }),
      workload("c"),
      workload("d"),
    ],
    transitions: ["Restart Deployment/shop/c 3/4"],
  },
  {
    name: "canary: the first wave only",
    policy: canary,
    workloads: [workload("a"), ...rest],
    transitions: ["Restart Deployment/shop/a 1/5"],
    progress: { canary: { gate: "Wave", started: 0, count: 1 } },
  },
  {
    name: "canary: then the pause, from when it became available, which is when to look again",
    policy: canary,
    workloads: [workload("a", { record: "Available@4", state: "injected" }), ...rest],
    transitions: [],
    progress: { canary: { gate: "Pause", until: at(6) } },
    requeueAfterMs: 6 * 60_000,
  },
  {
    name: "canary: then maxConcurrent at a time",
    policy: canary,
    workloads: [workload("a", { record: "Available@11", state: "injected" }), ...rest],
    transitions: [
      "Restart Deployment/shop/b 2/5",
      "Restart Deployment/shop/c 3/5",
      "Restart Deployment/shop/d 4/5",
    ],
  },
  {
    name: "canary: one that becomes available in this step starts its pause now",
    policy: canary,
    workloads: [workload("a", { record: "Restarting@3", state: "injected" }), ...rest],
    transitions: ["MarkAvailable Deployment/shop/a"],
    progress: { canary: { gate: "Pause", until: at(10) } },
    requeueAfterMs: 10 * 60_000,
  },
  {
    name: "a restart stuck on its pods is named with what blocks it",
    policy: rolling(),
    workloads: [
      workload("slow", { record: "Restarting@1", facts: { ready: false, blocking: "pod p" } }),
    ],
    progress: { blocked: { workload: ref("slow"), blocking: "pod p" } },
  },
  {
    name: "StatefulSets are not restarted unless listed in workloadKinds",
    policy: rolling(),
    workloads: [workload("db", { kind: "StatefulSet" })],
    transitions: [],
    verdict: { phase: "Complete", notRestartable: [] },
  },
  {
    name: "StatefulSets listed in workloadKinds are",
    policy: rolling({ workloadKinds: ["StatefulSet"] }),
    workloads: [workload("db", { kind: "StatefulSet" })],
    transitions: ["Restart StatefulSet/shop/db 1/1"],
  },
  {
    name: "Jobs, CronJobs, bare pods and other owners never are",
    policy: rolling({
      maxConcurrent: 10,
      workloadKinds: ["Deployment", "StatefulSet", "DaemonSet"],
    }),
    workloads: [
      workload("j", { kind: "Job" }),
      workload("cj", { kind: "CronJob" }),
      workload("debug", { kind: "Pod" }),
      workload("rs", { kind: "ReplicaSet" }),
      workload("ds", { kind: "DaemonSet" }),
    ],
    transitions: ["Restart DaemonSet/shop/ds 1/1"],
  },
  {
    name: "workloads not available yet wait for their own rollout",
    policy: rolling(),
    workloads: [workload("busy", { facts: { ready: false } })],
    transitions: [],
    progress: { waitingForAvailable: true },
  },
  {
    name: "OnDelete workloads leave the rollout complete, but named",
    policy: rolling(),
    workloads: [workload("ds", { kind: "DaemonSet", facts: { restartable: false } })],
    transitions: [],
    verdict: { phase: "Complete", notRestartable: [ref("ds", "DaemonSet")] },
  },
  {
    name: "workloads not in the cache yet keep it progressing",
    policy: rolling(),
    workloads: [workload("new", { facts: null })],
    transitions: [],
    counts: { inFlight: 0, done: 0, total: 1 },
    progress: { unknown: [ref("new")] },
  },
];

describe("stepRolling", () => {
  for (const row of rows) {
    it(row.name, () => {
      const step = stepRolling({ policy: row.policy, workloads: row.workloads, now: NOW });
      if (row.transitions)
        expect(step.transitions.map(describeTransition)).to.deep.equal(row.transitions);
      if (row.counts) expect(step.counts).to.deep.equal(row.counts);
      if (row.phase) expect(step.verdict.phase).to.equal(row.phase);
      if (row.verdict) expect(step.verdict).to.deep.equal(row.verdict);
      if (row.progress)
        expect(step.verdict).to.deep.equal({
          phase: "Progressing",
          progress: progress(row.progress),
        });
      if (row.requeueAfterMs === "none") expect(step).to.not.have.property("requeueAfterMs");
      else if (row.requeueAfterMs !== undefined)
        expect(step.requeueAfterMs).to.equal(row.requeueAfterMs);
    });
  }
});
