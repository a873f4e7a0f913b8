// planRollout as the shell sees it: the status and the RolloutComplete condition beside the
// actions. Which workloads a step restarts, finishes or halts is the state machine's
// (rolling.test.ts); here, what the plan says about it. What each action writes: plan.actions.test.ts.
import { expect } from "chai";
import type { RolloutStatus } from "../../core/api/v1alpha1/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { planRollout } from "./plan.ts";
import { BLOCKING, minutesAgo, NOW, policy, rolling, workload } from "./testing.ts";
import type { RolloutInput, RolloutPlan } from "./types.ts";

const plan = (p: RolloutInput["policy"], workloads: RolloutInput["workloads"]) =>
  planRollout({ policy: p, workloads, now: NOW });

/** `Type Kind/ns/name` of each action, which reads like the plan. */
const actions = (p: RolloutPlan) =>
  p.actions.map((a) => `${a.type} ${a.workload.kind}/${a.workload.namespace}/${a.workload.name}`);

const canary = rolling({ maxConcurrent: 3, canary: { count: 1, pause: "10m" } });
const rest = [workload("b"), workload("c"), workload("d"), workload("e")];

interface Scenario {
  name: string;
  policy: RolloutInput["policy"];
  workloads: RolloutInput["workloads"];
  /** `Type Kind/ns/name` of each action, in order. */
  actions?: string[];
  /** The whole status. */
  status?: RolloutStatus;
  /** Some fields of the status. */
  statusHas?: Partial<RolloutStatus>;
  halted?: Partial<NonNullable<RolloutStatus["halted"]>>;
  /** Parts of the halt's message. */
  haltedSays?: string[];
  condition?: Partial<ConditionInput>;
  /** Parts of the condition's message. */
  says?: string[];
  requeueAfterMs?: number;
}

const scenarios: Record<string, Scenario[]> = {
  "OnRestart (the default)": [
    {
      name: "restarts nothing and reports what waits for a restart",
      policy: policy({}),
      workloads: [
        workload("a"),
        workload("b", { state: "outdated" }),
        workload("c", { state: "injected" }),
        workload("d", { state: "skipped" }),
      ],
      actions: [],
      status: { phase: "Pending", inFlight: 0, done: 0, total: 2 },
      condition: { status: "False", reason: "OnRestart" },
      says: ["Deployment/shop/a, Deployment/shop/b"],
    },
    {
      name: "is complete when every workload is covered",
      policy: policy({}),
      workloads: [workload("c", { state: "injected" })],
      statusHas: { phase: "Complete" },
      condition: { status: "True", reason: "Complete" },
    },
    {
      name: "a dry run never restarts, even when Rolling",
      policy: policy({ strategy: "Rolling" }, { dryRun: true }),
      workloads: [workload("a")],
      actions: [],
      condition: { reason: "DryRun" },
    },
  ],
  Rolling: [
    {
      name: "halts when a rolled-out workload still lacks the agent past the health timeout",
      policy: rolling({ rollbackOnFailure: false }),
      workloads: [
        workload("a", {
          record: "Restarting@6",
          state: "pending",
          reason: "Retried: pods admitted without the agent",
        }),
      ],
      actions: ["Fail Deployment/shop/a"],
      halted: { reason: "NotInjected" },
    },
    {
      name: "completes when nothing is left",
      policy: rolling(),
      workloads: [
        workload("a", { record: "Available@20", state: "injected" }),
        workload("b", { state: "injected" }),
      ],
      status: { phase: "Complete", inFlight: 0, done: 1, total: 1 },
      condition: { status: "True" },
    },
  ],
  "health gate": [
    {
      name: "halts on timeout, names the workload and rolls it back",
      policy: rolling(),
      workloads: [
        workload("slow", {
          record: "Restarting@6",
          facts: { ready: false, readiness: "0 of 2 updated replicas available" },
        }),
        workload("next"),
      ],
      actions: ["Rollback Deployment/shop/slow"],
      statusHas: { phase: "Halted" },
      halted: { reason: "HealthTimeout", workload: "Deployment/shop/slow" },
      haltedSays: ["0 of 2 updated replicas available"],
      condition: { status: "False", reason: "Halted" },
    },
    {
      name: "halts on crash-loop before the timeout; without rollbackOnFailure it only records",
      policy: rolling({ rollbackOnFailure: false }),
      workloads: [
        workload("crashy", { record: "Restarting@1", facts: { ready: false, crashLooping: true } }),
      ],
      actions: ["Fail Deployment/shop/crashy"],
      halted: { reason: "CrashLoop", workload: "Deployment/shop/crashy" },
    },
    {
      name: "names the pod, container and state that block a restart in progress",
      policy: rolling(),
      workloads: [
        workload("slow", { record: "Restarting@1", facts: { ready: false, blocking: BLOCKING } }),
      ],
      says: [`Deployment/shop/slow not available yet: ${BLOCKING}`],
    },
    {
      name: "and when the restart halts on crash-loop",
      policy: rolling(),
      workloads: [
        workload("slow", {
          record: "Restarting@1",
          facts: { ready: false, crashLooping: true, blocking: BLOCKING },
        }),
      ],
      halted: {
        message: `Deployment/shop/slow: CrashLoop: ${BLOCKING} (rolled back: excluded from injection and restarted)`,
      },
    },
    {
      name: "and when it halts on timeout",
      policy: rolling(),
      workloads: [
        workload("slow", {
          record: "Restarting@6",
          facts: {
            ready: false,
            readiness: "0 of 2 updated replicas available",
            blocking: BLOCKING,
          },
        }),
      ],
      haltedSays: [`(0 of 2 updated replicas available; ${BLOCKING})`],
    },
    {
      name: "stays halted on a recorded failure but still settles other restarts in flight",
      policy: rolling({ maxConcurrent: 3 }),
      workloads: [
        workload("broken", {
          record: "RolledBack@30",
          reason: "CrashLoop: its new pods are crash-looping",
        }),
        workload("fine", { record: "Restarting@1", state: "injected" }),
        workload("waiting"),
      ],
      actions: ["MarkAvailable Deployment/shop/fine"],
      statusHas: { phase: "Halted" },
      halted: {
        reason: "CrashLoop",
        workload: "Deployment/shop/broken",
        message:
          "Deployment/shop/broken: CrashLoop: its new pods are crash-looping (rolled back: excluded from injection and restarted)",
      },
    },
  ],
  pause: [
    {
      name: "starts nothing new but keeps watching restarts in flight",
      policy: rolling({ paused: true, maxConcurrent: 2 }),
      workloads: [
        workload("a", { record: "Restarting@1", state: "injected" }),
        workload("b", { record: "Restarting@1", facts: { ready: false } }),
        workload("c"),
      ],
      actions: ["MarkAvailable Deployment/shop/a"],
      status: { phase: "Paused", inFlight: 1, done: 1, total: 3 },
      condition: { reason: "Paused" },
    },
  ],
  canary: [
    {
      name: "waits for the canary to become available",
      policy: canary,
      workloads: [workload("a", { record: "Restarting@1", facts: { ready: false } }), ...rest],
      actions: [],
      says: ["waiting for canaries: Deployment/shop/a"],
    },
    {
      name: "then waits the pause, measured from when it became available",
      policy: canary,
      workloads: [workload("a", { record: "Available@4", state: "injected" }), ...rest],
      actions: [],
      requeueAfterMs: 6 * 60_000,
      says: [minutesAgo(-6)],
    },
  ],
  "what is never restarted": [
    {
      name: "workloads that are not available yet (their own rollout is under way)",
      policy: rolling(),
      workloads: [workload("busy", { facts: { ready: false } })],
      actions: [],
      says: ["waiting for workloads to be available"],
    },
    {
      name: "OnDelete workloads, which a template change does not restart",
      policy: rolling(),
      workloads: [workload("ds", { kind: "DaemonSet", facts: { restartable: false } })],
      actions: [],
      statusHas: { phase: "Complete" },
      condition: { status: "False", reason: "NotRestartable" },
    },
  ],
};

describe("planRollout", () => {
  for (const [group, cases] of Object.entries(scenarios)) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, () => {
          const p = plan(c.policy, c.workloads);
          if (c.actions) expect(actions(p)).to.deep.equal(c.actions);
          if (c.status) expect(p.status).to.deep.equal(c.status);
          if (c.statusHas) expect(p.status).to.include(c.statusHas);
          if (c.halted) expect(p.status.halted).to.include(c.halted);
          for (const part of c.haltedSays ?? []) expect(p.status.halted?.message).to.include(part);
          if (c.condition) expect(p.condition).to.include(c.condition);
          for (const part of c.says ?? []) expect(p.condition.message).to.include(part);
          if (c.requeueAfterMs !== undefined) expect(p.requeueAfterMs).to.equal(c.requeueAfterMs);
        });
      }
    });
  }
});
