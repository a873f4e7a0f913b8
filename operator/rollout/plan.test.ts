import { expect } from "chai";
import { planRollout } from "./plan.ts";
import { minutesAgo, NOW, policy, workload } from "./testing.ts";
import type { RolloutInput, RolloutPlan } from "./types.ts";

const plan = (p: RolloutInput["policy"], workloads: RolloutInput["workloads"]) =>
  planRollout({ policy: p, workloads, now: NOW });

/** `Type Kind/ns/name` of each action, which reads like the plan. */
const actions = (p: RolloutPlan) =>
  p.actions.map((a) => `${a.type} ${a.workload.kind}/${a.workload.namespace}/${a.workload.name}`);

const rolling = (extra = {}) => policy({ strategy: "Rolling", ...extra });

describe("planRollout", () => {
  describe("OnRestart (the default)", () => {
    it("restarts nothing and reports what waits for a restart", () => {
      const p = plan(policy({}), [
        workload("a"),
        workload("b", { state: "outdated" }),
        workload("c", { state: "injected" }),
        workload("d", { state: "skipped" }),
      ]);
      expect(p.actions).to.deep.equal([]);
      expect(p.status).to.deep.equal({ phase: "Pending", inFlight: 0, done: 0, total: 2 });
      expect(p.condition).to.include({ status: "False", reason: "OnRestart" });
      expect(p.condition.message).to.include("Deployment/shop/a, Deployment/shop/b");
    });

    it("is complete when every workload is covered", () => {
      const p = plan(policy({}), [workload("c", { state: "injected" })]);
      expect(p.status.phase).to.equal("Complete");
      expect(p.condition).to.include({ status: "True", reason: "Complete" });
    });
  });

  it("a dry run never restarts, even when Rolling", () => {
    const p = planRollout({
      policy: policy({ strategy: "Rolling" }, { dryRun: true }),
      workloads: [workload("a")],
      now: NOW,
    });
    expect(p.actions).to.deep.equal([]);
    expect(p.condition.reason).to.equal("DryRun");
  });

  describe("Rolling", () => {
    it("restarts at most maxConcurrent, by namespace then name", () => {
      const p = plan(rolling({ maxConcurrent: 2 }), [
        workload("zeta", { namespace: "a-team" }),
        workload("b"),
        workload("alpha", { namespace: "b-team" }),
        workload("a"),
      ]);
      expect(actions(p)).to.deep.equal([
        "Restart Deployment/a-team/zeta",
        "Restart Deployment/b-team/alpha",
      ]);
      expect(p.status).to.deep.equal({ phase: "Progressing", inFlight: 2, done: 0, total: 4 });
      expect(p.requeueAfterMs).to.equal(5 * 60_000);
    });

    it("writes the record and the template annotation in one patch, with events", () => {
      const [restart] = plan(rolling(), [workload("a")]).actions;
      expect(restart?.patch).to.deep.equal({
        metadata: {
          annotations: {
            "fleetscope.io/rollout": "shop/r5",
            "fleetscope.io/rollout-phase": "Restarting",
            "fleetscope.io/rollout-time": NOW.toISOString(),
            "fleetscope.io/rollout-reason": null,
          },
        },
        spec: {
          template: {
            metadata: { annotations: { "fleetscope.io/restartedAt": NOW.toISOString() } },
          },
        },
      });
      expect(restart?.events.map((e) => `${e.on} ${e.reason}`)).to.deep.equal([
        "workload ProfilingRestart",
        "policy WorkloadRestarted",
      ]);
    });

    it("never restarts a workload twice for one revision, whatever its coverage says", () => {
      const p = plan(rolling({ maxConcurrent: 5 }), [
        workload("done", { record: "Available@30" }),
        workload("acknowledged", { record: "Acknowledged@30" }),
        workload("older", { record: "Available@900", recordRevision: "r4", state: "outdated" }),
      ]);
      expect(actions(p)).to.deep.equal(["Restart Deployment/shop/older"]);
      expect(p.status).to.include({ done: 1, total: 3, inFlight: 1 });
    });

    it("waits for a restart in flight before starting the next", () => {
      const p = plan(rolling(), [
        workload("a", { record: "Restarting@2", state: "outdated", facts: { ready: false } }),
        workload("b"),
      ]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.status).to.deep.equal({ phase: "Progressing", inFlight: 1, done: 0, total: 2 });
      expect(p.requeueAfterMs).to.equal(3 * 60_000);
    });

    it("waits while a rolled-out workload's new pods are not yet seen with the agent", () => {
      const p = plan(rolling(), [workload("a", { record: "Restarting@0", state: "pending" })]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.status).to.include({ inFlight: 1, done: 0 });
    });

    it("restarts once more a workload that rolled out without the agent (missed by the webhook)", () => {
      const p = plan(rolling(), [workload("a", { record: "Restarting@1", state: "pending" })]);
      expect(actions(p)).to.deep.equal(["Restart Deployment/shop/a"]);
      expect(p.actions[0]?.patch.metadata?.annotations?.["fleetscope.io/rollout-reason"]).to.match(
        /^Retried/,
      );
      expect(p.status).to.include({ inFlight: 1, done: 0 });
    });

    it("halts when a rolled-out workload still lacks the agent past the health timeout", () => {
      const p = plan(rolling({ rollbackOnFailure: false }), [
        workload("a", {
          record: "Restarting@6",
          state: "pending",
          reason: "Retried: pods admitted without the agent",
        }),
      ]);
      expect(actions(p)).to.deep.equal(["Fail Deployment/shop/a"]);
      expect(p.status.halted?.reason).to.match(/^NotInjected/);
    });

    it("counts a restart done once the workload is available, and moves on", () => {
      const p = plan(rolling(), [
        workload("a", { record: "Restarting@2", state: "injected" }),
        workload("b"),
      ]);
      expect(actions(p)).to.deep.equal([
        "MarkAvailable Deployment/shop/a",
        "Restart Deployment/shop/b",
      ]);
      expect(p.actions[0]?.patch.metadata?.annotations?.["fleetscope.io/rollout-phase"]).to.equal(
        "Available",
      );
      expect(p.status).to.include({ done: 1, inFlight: 1, total: 2 });
    });

    it("completes when nothing is left", () => {
      const p = plan(rolling(), [
        workload("a", { record: "Available@20", state: "injected" }),
        workload("b", { state: "injected" }),
      ]);
      expect(p.status).to.deep.equal({ phase: "Complete", inFlight: 0, done: 1, total: 1 });
      expect(p.condition.status).to.equal("True");
    });
  });

  describe("health gate", () => {
    it("halts on timeout, names the workload and rolls it back", () => {
      const p = plan(rolling(), [
        workload("slow", {
          record: "Restarting@6",
          facts: { ready: false, readiness: "0 of 2 updated replicas available" },
        }),
        workload("next"),
      ]);
      expect(actions(p)).to.deep.equal(["Rollback Deployment/shop/slow"]);
      expect(p.actions[0]?.patch.spec?.template?.metadata?.labels).to.deep.equal({
        "fleetscope.io/inject": "false",
      });
      expect(p.status.phase).to.equal("Halted");
      expect(p.status.halted).to.include({
        reason: "HealthTimeout",
        workload: "Deployment/shop/slow",
      });
      expect(p.status.halted?.message).to.include("0 of 2 updated replicas available");
      expect(p.condition).to.include({ status: "False", reason: "Halted" });
    });

    it("halts on crash-loop before the timeout; without rollbackOnFailure it only records", () => {
      const p = plan(rolling({ rollbackOnFailure: false }), [
        workload("crashy", { record: "Restarting@1", facts: { ready: false, crashLooping: true } }),
      ]);
      expect(actions(p)).to.deep.equal(["Fail Deployment/shop/crashy"]);
      expect(p.actions[0]?.patch.spec).to.equal(undefined);
      expect(p.status.halted).to.include({
        reason: "CrashLoop",
        workload: "Deployment/shop/crashy",
      });
      expect(p.actions[0]?.events.map((e) => `${e.type} ${e.reason}`)).to.deep.equal([
        "Warning RolloutHalted",
        "Warning ProfilingRestartFailed",
      ]);
    });

    it("names the pod, container and state that block a restart, in progress and halt", () => {
      const blocking =
        "pod slow-7d-a container app is in CrashLoopBackOff after 4 restarts; last exit code 1 (Error): no main manifest attribute";
      const waiting = plan(rolling(), [
        workload("slow", { record: "Restarting@1", facts: { ready: false, blocking } }),
      ]);
      expect(waiting.condition.message).to.include(
        `Deployment/shop/slow not available yet: ${blocking}`,
      );
      const halted = plan(rolling(), [
        workload("slow", {
          record: "Restarting@1",
          facts: { ready: false, crashLooping: true, blocking },
        }),
      ]);
      expect(halted.status.halted?.message).to.equal(
        `Deployment/shop/slow: CrashLoop: ${blocking} (rolled back: excluded from injection and restarted)`,
      );
      expect(halted.actions[0]?.events.map((e) => e.message)).to.include(
        `Deployment/shop/slow: CrashLoop: ${blocking}`,
      );
      const timedOut = plan(rolling(), [
        workload("slow", {
          record: "Restarting@6",
          facts: { ready: false, readiness: "0 of 2 updated replicas available", blocking },
        }),
      ]);
      expect(timedOut.status.halted?.message).to.include(
        `(0 of 2 updated replicas available; ${blocking})`,
      );
    });

    it("stays halted on a recorded failure but still settles other restarts in flight", () => {
      const p = plan(rolling({ maxConcurrent: 3 }), [
        workload("broken", {
          record: "RolledBack@30",
          reason: "CrashLoop: its new pods are crash-looping",
        }),
        workload("fine", { record: "Restarting@1", state: "injected" }),
        workload("waiting"),
      ]);
      expect(actions(p)).to.deep.equal(["MarkAvailable Deployment/shop/fine"]);
      expect(p.status.phase).to.equal("Halted");
      expect(p.status.halted?.workload).to.equal("Deployment/shop/broken");
    });

    it("lets an acknowledged failure pass", () => {
      const p = plan(rolling(), [
        workload("broken", { record: "Acknowledged@5", state: "skipped" }),
        workload("waiting"),
      ]);
      expect(actions(p)).to.deep.equal(["Restart Deployment/shop/waiting"]);
    });
  });

  describe("pause", () => {
    it("starts nothing new but keeps watching restarts in flight", () => {
      const p = plan(rolling({ paused: true, maxConcurrent: 2 }), [
        workload("a", { record: "Restarting@1", state: "injected" }),
        workload("b", { record: "Restarting@1", facts: { ready: false } }),
        workload("c"),
      ]);
      expect(actions(p)).to.deep.equal(["MarkAvailable Deployment/shop/a"]);
      expect(p.status).to.deep.equal({ phase: "Paused", inFlight: 1, done: 1, total: 3 });
      expect(p.condition.reason).to.equal("Paused");
    });

    it("unpausing resumes where it stopped", () => {
      const p = plan(rolling({ maxConcurrent: 2 }), [
        workload("a", { record: "Available@1", state: "injected" }),
        workload("b", { record: "Restarting@1", facts: { ready: false } }),
        workload("c"),
        workload("d"),
      ]);
      expect(actions(p)).to.deep.equal(["Restart Deployment/shop/c"]);
    });
  });

  describe("canary", () => {
    const canary = rolling({ maxConcurrent: 3, canary: { count: 1, pause: "10m" } });
    const rest = [workload("b"), workload("c"), workload("d"), workload("e")];

    it("restarts the first wave only", () => {
      expect(actions(plan(canary, [workload("a"), ...rest]))).to.deep.equal([
        "Restart Deployment/shop/a",
      ]);
    });

    it("waits for the canary to become available", () => {
      const p = plan(canary, [
        workload("a", { record: "Restarting@1", facts: { ready: false } }),
        ...rest,
      ]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.condition.message).to.include("waiting for canaries: Deployment/shop/a");
    });

    it("then waits the pause, measured from when it became available", () => {
      const p = plan(canary, [
        workload("a", { record: "Available@4", state: "injected" }),
        ...rest,
      ]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.requeueAfterMs).to.equal(6 * 60_000);
      expect(p.condition.message).to.include(minutesAgo(-6));
    });

    it("then continues maxConcurrent at a time", () => {
      const p = plan(canary, [
        workload("a", { record: "Available@11", state: "injected" }),
        ...rest,
      ]);
      expect(actions(p)).to.deep.equal([
        "Restart Deployment/shop/b",
        "Restart Deployment/shop/c",
        "Restart Deployment/shop/d",
      ]);
    });
  });

  describe("what is never restarted", () => {
    it("StatefulSets unless listed in workloadKinds", () => {
      const sts = [workload("db", { kind: "StatefulSet" })];
      expect(actions(plan(rolling(), sts))).to.deep.equal([]);
      expect(actions(plan(rolling({ workloadKinds: ["StatefulSet"] }), sts))).to.deep.equal([
        "Restart StatefulSet/shop/db",
      ]);
    });

    it("Jobs, CronJobs, bare pods and other owners", () => {
      const p = plan(
        rolling({ maxConcurrent: 10, workloadKinds: ["Deployment", "StatefulSet", "DaemonSet"] }),
        [
          workload("j", { kind: "Job" }),
          workload("cj", { kind: "CronJob" }),
          workload("debug", { kind: "Pod" }),
          workload("rs", { kind: "ReplicaSet" }),
          workload("ds", { kind: "DaemonSet" }),
        ],
      );
      expect(actions(p)).to.deep.equal(["Restart DaemonSet/shop/ds"]);
    });

    it("workloads that are not available yet (their own rollout is under way)", () => {
      const p = plan(rolling(), [workload("busy", { facts: { ready: false } })]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.condition.message).to.include("waiting for workloads to be available");
    });

    it("OnDelete workloads, which a template change does not restart", () => {
      const p = plan(rolling(), [
        workload("ds", { kind: "DaemonSet", facts: { restartable: false } }),
      ]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.status.phase).to.equal("Complete");
      expect(p.condition).to.include({ status: "False", reason: "NotRestartable" });
    });

    it("workloads not in the cache yet", () => {
      const p = plan(rolling(), [workload("new", { facts: null })]);
      expect(actions(p)).to.deep.equal([]);
      expect(p.status.phase).to.equal("Progressing");
    });
  });
});
