// The rollout's I/O shell against fakes of the API client, the workload cache and the Event
// recorder: what it reads, what it writes and in which order, and what it leaves alone.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, RolloutSpec } from "../../core/api/v1alpha1/types.ts";
import type { KubeClient } from "../kube/client.ts";
import { NOW } from "../rollout/testing.ts";
import { ROLLOUT_FIELD_MANAGER, type RolloutDeps, rollout } from "./rollout.ts";

type Cache = RolloutDeps["workloads"]["Deployment"];
const DEPLOYMENTS = "/apis/apps/v1/namespaces/shop/deployments";
const PODS = "/api/v1/namespaces/shop/pods";

const policy = (r: Partial<RolloutSpec> = {}) =>
  ({
    metadata: { name: "shop", uid: "uid-shop", generation: 5 },
    spec: withDefaults({ rollout: { strategy: "Rolling", ...r } as never }),
    status: { revision: "r5" },
  }) as ProfilingPolicy;

/** A Deployment `a` as the cache holds it: rolled out (ready) or not, with these annotations. */
const deployment = (ready: boolean, annotations?: Record<string, string>) => ({
  metadata: {
    name: "a",
    namespace: "shop",
    generation: 1,
    ...(annotations ? { annotations } : {}),
  },
  spec: { replicas: 1, selector: { matchLabels: { app: "a" } } },
  status: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: ready ? 1 : 0,
  },
});

const restarting = (minutesAgo: number) => ({
  "fleetscope.io/rollout": "shop/r5",
  "fleetscope.io/rollout-phase": "Restarting",
  "fleetscope.io/rollout-time": new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
});

/** A pod of `a` created after the restart whose container has restarted this often. */
const pod = (restarts: number): V1Pod => ({
  metadata: { name: "a-1", namespace: "shop", creationTimestamp: NOW },
  status: { containerStatuses: [{ name: "app", restartCount: restarts } as never] },
});

/** The shell with fakes around it; `calls` and `events` read like a log of what it did. */
function world(cached: object | undefined, opts: { webhookReady?: boolean; pods?: V1Pod[] } = {}) {
  const calls: string[] = [];
  const events: string[] = [];
  const clock = { now: NOW.getTime() };
  const client = {
    async request(
      method: string,
      path: string,
      o: { query?: Record<string, string>; body?: unknown },
    ) {
      calls.push(`${method} ${path} ${new URLSearchParams(o.query ?? {})}`);
      if (method === "GET") return { items: opts.pods ?? [] };
      const patch = o.body as { metadata?: { annotations?: Record<string, string | null> } };
      return { metadata: { annotations: patch.metadata?.annotations } };
    },
  };
  const informer = { get: (key: string) => (key === "shop/a" ? cached : undefined) };
  const deps: RolloutDeps = {
    client: client as unknown as KubeClient,
    workloads: {
      Deployment: informer as unknown as Cache,
      StatefulSet: { get: () => undefined } as unknown as Cache,
      DaemonSet: { get: () => undefined } as unknown as Cache,
    },
    webhookReady: () => opts.webhookReady ?? true,
    events: {
      record: (about, type, reason) => events.push(`${about.kind}/${about.name} ${type} ${reason}`),
    },
    now: () => new Date(clock.now),
  };
  const step = rollout(deps);
  const run = (p: ProfilingPolicy, state: "pending" | "injected" = "pending") =>
    step({
      policy: p,
      workloads: [{ kind: "Deployment", namespace: "shop", name: "a", state }],
      now: new Date(clock.now),
    });
  return { calls, events, clock, run };
}

describe("rollout (the shell)", () => {
  it("writes each planned restart as one merge patch under its field manager, then its Events", async () => {
    const w = world(deployment(true));
    const { plan, acted } = await w.run(policy());
    expect(acted).to.equal(true);
    expect(plan.actions.map((a) => a.type)).to.deep.equal(["Restart"]);
    expect(w.calls).to.deep.equal([`PATCH ${DEPLOYMENTS}/a fieldManager=${ROLLOUT_FIELD_MANAGER}`]);
    expect(w.events).to.deep.equal([
      "Deployment/a Normal ProfilingRestart",
      "ProfilingPolicy/shop Normal WorkloadRestarted",
    ]);
  });

  it("until the webhook is registered, plans as if paused and writes nothing", async () => {
    const w = world(deployment(true), { webhookReady: false });
    const { plan, acted } = await w.run(policy());
    expect(acted).to.equal(false);
    expect(plan.status.phase).to.equal("Paused");
    expect(w.calls).to.deep.equal([]);
    expect(w.events).to.deep.equal([]);
  });

  it("sees its own record while the cache still shows the workload without it: no second restart", async () => {
    const w = world(deployment(true));
    await w.run(policy());
    const { plan } = await w.run(policy());
    expect(plan.actions).to.deep.equal([]);
    expect(plan.status).to.include({ phase: "Progressing", inFlight: 1 });
    expect(w.calls).to.have.length(1);
  });

  it("leaves workloads it has no object for to the planner, unread", async () => {
    const w = world(undefined);
    const { plan } = await w.run(policy());
    expect(plan.actions).to.deep.equal([]);
    expect(plan.condition.message).to.include("not in the cache yet: Deployment/shop/a");
    expect(w.calls).to.deep.equal([]);
  });

  describe("the crash check: the pods of a restart not available yet", () => {
    const list = `GET ${PODS} labelSelector=app%3Da`;
    const rows = [
      {
        name: "a restart of this revision, not available: its pods are listed",
        cached: deployment(false, restarting(1)),
        calls: [list],
      },
      {
        name: "available: no list",
        cached: deployment(true, restarting(1)),
        calls: [],
      },
      {
        name: "a restart for another revision: no list",
        cached: deployment(false, { ...restarting(1), "fleetscope.io/rollout": "shop/r4" }),
        calls: [],
      },
      {
        name: "done restarting: no list",
        cached: deployment(false, { ...restarting(1), "fleetscope.io/rollout-phase": "Available" }),
        calls: [],
      },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const w = world(row.cached);
        await w.run(policy(), "injected");
        expect(w.calls.filter((c) => c.startsWith("GET"))).to.deep.equal(row.calls);
      });
    }

    it("lists again only 10 seconds after the last list", async () => {
      const w = world(deployment(false, restarting(1)));
      const listed: Record<number, boolean> = {};
      for (const at of [0, 5_000, 9_999, 10_000, 19_999]) {
        w.clock.now = NOW.getTime() + at;
        const before = w.calls.length;
        await w.run(policy(), "injected");
        listed[at] = w.calls.length > before;
      }
      expect(listed).to.deep.equal({
        0: true,
        5000: false,
        9999: false,
        10000: true,
        19999: false,
      });
    });

    it("pods that crash-loop halt the rollout and roll the workload back", async () => {
      const w = world(deployment(false, restarting(1)), { pods: [pod(3)] });
      const { plan } = await w.run(policy());
      expect(plan.actions.map((a) => a.type)).to.deep.equal(["Rollback"]);
      expect(w.calls).to.deep.equal([
        list,
        `PATCH ${DEPLOYMENTS}/a fieldManager=${ROLLOUT_FIELD_MANAGER}`,
      ]);
      expect(w.events).to.deep.equal([
        "ProfilingPolicy/shop Warning RolloutHalted",
        "Deployment/a Warning ProfilingRolledBack",
      ]);
    });
  });
});
