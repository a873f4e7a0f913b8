// The rollout's I/O shell, run by the coverage reconcile once it has counted a policy's
// workloads: reads what the planner needs (the workload caches, and the pods of a workload
// whose restart is not available yet), plans, and carries the plan out: the restart, record and
// rollback patches, then their Events.
import type { V1Pod } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";
import { selectorToString } from "../../core/match/label-selector.ts";
import type { WorkloadCoverage } from "../coverage/types.ts";
import type { KubeClient } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import type { Informer, KubeObject } from "../kube/informer.ts";
import { collectionPath, mergePatch } from "../kube/resources.ts";
import { planRollout } from "../rollout/plan.ts";
import {
  crashLooping,
  podsSince,
  type WorkloadObject,
  workloadReadiness,
} from "../rollout/readiness.ts";
import { ANNOTATION_ROLLOUT_TIME, parseRecord, type RolloutRecord } from "../rollout/record.ts";
import type { RolloutPlan, RolloutWorkload, WorkloadFacts } from "../rollout/types.ts";
import { blockingCause } from "../status/blocking-cause.ts";

/** The writer of restarts and rollout records on workloads, as their managedFields show it. */
export const ROLLOUT_FIELD_MANAGER = "fleetscope-rollout";
const CRASH_CHECK_MS = 10_000;

type Workload = KubeObject &
  WorkloadObject & {
    metadata?: { annotations?: Record<string, string> };
    spec?: { selector?: { matchLabels?: Record<string, string> } };
  };

export interface RolloutDeps {
  client: KubeClient;
  /** Full Deployments, StatefulSets and DaemonSets, by kind. */
  workloads: Record<"Deployment" | "StatefulSet" | "DaemonSet", Informer<Workload>>;
  /** Whether this operator's webhook is registered: restarts wait for it. */
  webhookReady: () => boolean;
  events: EventRecorder;
  now?: () => Date;
}

export interface RolloutStep {
  /** The policy as coverage judged it: status.revision is the revision the webhook stamps now. */
  policy: ProfilingPolicy;
  workloads: readonly Pick<WorkloadCoverage, "kind" | "namespace" | "name" | "state">[];
  now: Date;
}

export interface RolloutOutcome {
  plan: RolloutPlan;
  /**
   * False while this operator's webhook is not registered (just after a failover): the plan is
   * then made as if paused, nothing is written, and the rollout status is to stay as it was.
   */
  acted: boolean;
}

/** One step of a policy's rollout: its plan, carried out. */
export type Rollout = (step: RolloutStep) => Promise<RolloutOutcome>;

/** Whether the record says this policy's restart for its current revision is under way. */
const restartingFor = (policy: ProfilingPolicy, record: RolloutRecord) =>
  record.policy === policy.metadata.name &&
  record.revision === policy.status?.revision &&
  record.phase === "Restarting";

export function rollout(deps: RolloutDeps): Rollout {
  const { client } = deps;
  // Records this shell wrote that the workload cache may not show yet. The planner must see its
  // own writes: from a lagging cache it would restart the same workload twice.
  const written = new Map<string, Record<string, string>>();
  // Crash-loop checks read a workload's full pods: only while it is not yet available, and at
  // most every CRASH_CHECK_MS per workload, not on every reconcile of a busy rollout.
  const crashChecks = new Map<string, { at: number; looping: boolean; blocking?: string }>();

  function annotationsOf(key: string, cached: Record<string, string> | undefined) {
    const mine = written.get(key);
    if (!mine) return cached;
    if (cached?.[ANNOTATION_ROLLOUT_TIME] === mine[ANNOTATION_ROLLOUT_TIME]) {
      written.delete(key); // the cache has caught up
      return cached;
    }
    return { ...cached, ...mine };
  }

  async function crashCheck(
    key: string,
    ns: string,
    selector: Record<string, string>,
    since: Date,
  ) {
    const now = (deps.now?.() ?? new Date()).getTime();
    const last = crashChecks.get(key);
    if (last && now - last.at < CRASH_CHECK_MS) return last;
    const pods = await client.request<{ items: V1Pod[] }>("GET", collectionPath("Pod", ns), {
      query: { labelSelector: selectorToString({ matchLabels: selector }) },
    });
    const looping = crashLooping(pods.items, since);
    const blocking = blockingCause({ pods: podsSince(pods.items, since) });
    const check = { at: now, looping, ...(blocking ? { blocking } : {}) };
    crashChecks.set(key, check);
    return check;
  }

  async function facts(policy: ProfilingPolicy, kind: string, ns: string, name: string) {
    const informer = deps.workloads[kind as keyof RolloutDeps["workloads"]];
    const obj = informer?.get(`${ns}/${name}`);
    if (!obj) return undefined;
    const readiness = workloadReadiness(kind, obj);
    const key = `${kind}/${ns}/${name}`;
    const annotations = annotationsOf(key, obj.metadata?.annotations);
    const record = parseRecord(annotations);
    const selector = obj.spec?.selector?.matchLabels;
    let looping = false;
    let blocking: string | undefined;
    if (record && restartingFor(policy, record) && !readiness.ready && selector) {
      ({ looping, blocking } = await crashCheck(key, ns, selector, new Date(record.time)));
    } else {
      crashChecks.delete(key);
    }
    const f: WorkloadFacts = {
      ready: readiness.ready,
      restartable: readiness.restartable,
      readiness: readiness.message,
      crashLooping: looping,
      ...(blocking ? { blocking } : {}),
    };
    if (annotations) f.annotations = annotations;
    return f;
  }

  /** The plan's patches in order, each followed by its Events. */
  async function carryOut(policy: ProfilingPolicy, plan: RolloutPlan) {
    const policyRef = {
      apiVersion: "fleetscope.io/v1alpha1",
      kind: "ProfilingPolicy",
      name: policy.metadata.name ?? "",
      uid: policy.metadata.uid,
    };
    for (const action of plan.actions) {
      const { kind, namespace, name } = action.workload;
      const updated = await mergePatch<{ metadata?: { annotations?: Record<string, string> } }>(
        client,
        kind,
        name,
        action.patch,
        namespace,
        ROLLOUT_FIELD_MANAGER,
      );
      const annotations = updated.metadata?.annotations;
      if (annotations) written.set(`${kind}/${namespace}/${name}`, annotations);
      for (const e of action.events) {
        const regarding =
          e.on === "policy" ? policyRef : { apiVersion: "apps/v1", kind, name, namespace };
        deps.events.record(regarding, e.type, e.reason, e.message);
      }
    }
  }

  return async ({ policy, workloads, now }) => {
    const seen: RolloutWorkload[] = [];
    for (const w of workloads) {
      const rw: RolloutWorkload = {
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        state: w.state,
      };
      const f = await facts(policy, w.kind, w.namespace, w.name);
      if (f) rw.facts = f;
      seen.push(rw);
    }
    // Until this operator's webhook is registered (just after a failover), a restarted pod
    // would be admitted without the agent: plan as if paused, and act on nothing.
    const webhookReady = deps.webhookReady();
    const plan = planRollout({
      policy: webhookReady
        ? policy
        : {
            ...policy,
            spec: { ...policy.spec, rollout: { ...policy.spec.rollout, paused: true } },
          },
      workloads: seen,
      now,
    });
    if (webhookReady) await carryOut(policy, plan);
    return { plan, acted: webhookReady };
  };
}
