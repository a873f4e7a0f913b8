// The operator's caches, kept by every replica: one watch per resource. Admission and the
// controllers read them; the workload watch also feeds the template predictions, and the
// namespace watch the Pod Security probes.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { NamespaceLike } from "../core/match/policies.ts";
import { createAdmit } from "../webhook/admit.ts";
import { type AdmissionSources, admissionDeps } from "../webhook/admit-deps.ts";
import type { OperatorConfig } from "./config/config.ts";
import { TemplatePredictions } from "./coverage/template-predictions.ts";
import type { KubeClient } from "./kube/client.ts";
import {
  Informer,
  type KubeObject,
  metadataTransform,
  workloadTransform,
} from "./kube/informer.ts";
import { apiListerWatcher } from "./kube/lister-watcher.ts";
import { collectionPath } from "./kube/resources.ts";
import type { PodSecurityCache } from "./pod-security/cache.ts";
import { podSecurityLevels } from "./pod-security/operator.ts";
import { PolicyCache } from "./policy-cache.ts";
import {
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_VALUE,
} from "./render/webhook-configuration.ts";
import type { Clock } from "./runtime/clock.ts";
import type { ControllerMetrics } from "./runtime/metrics.ts";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";

export interface Caches {
  /** ProfilingPolicies as stored: their keys and generations. Read them through `policies`. */
  policyObjects: Informer<KubeObject>;
  policies: PolicyCache;
  namespaces: Informer<NamespaceLike & KubeObject>;
  /** The Secret of the webhook's serving certificate, alone. */
  certSecret: Informer<KubeObject>;
  /** Pods, metadata only. */
  pods: Informer<KubeObject>;
  /** Workloads without their pod template, which goes to `predictions` first. */
  workloads: Record<WorkloadKind, Informer<KubeObject>>;
  predictions: TemplatePredictions;
  /** The probed Pod Security level of each namespace the webhook serves. */
  podSecurity: PodSecurityCache;
  /** What admission reads of these caches. */
  admission: AdmissionSources;
  start(): void;
  /** True once what admission reads (policies and namespaces) has synced. */
  admissionSynced(): boolean;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

export function createCaches(ctx: {
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  metrics: ControllerMetrics;
  config: OperatorConfig;
  settingsFor: AdmissionSources["settingsFor"];
}): Caches {
  const { client, clock, logger, config } = ctx;
  const informer = <T extends KubeObject>(
    resource: string,
    path: string,
    q: object = {},
    transform?: (o: T) => T,
  ) =>
    new Informer<T>(apiListerWatcher<T>(client, { path, ...q }), {
      clock,
      ...(transform ? { transform } : {}),
      onRestart: (reason) => {
        ctx.metrics.watchRestarts.inc({ resource, reason });
        logger.warn({ resource, reason }, "watch restarted");
      },
    });
  const policyObjects = informer<KubeObject>(
    "profilingpolicies",
    collectionPath("ProfilingPolicy"),
  );
  const namespaces = informer<NamespaceLike & KubeObject>(
    "namespaces",
    collectionPath("Namespace"),
  );
  const certSecret = informer<KubeObject>("secrets", collectionPath("Secret", config.namespace), {
    fieldSelector: `metadata.name=${config.certSecretName}`,
  });
  const pods = informer<KubeObject>(
    "pods",
    collectionPath("Pod"),
    { metadataOnly: true },
    metadataTransform,
  );
  const policies = new PolicyCache(policyObjects);
  const admission: AdmissionSources = {
    policies: () => policies.list(),
    namespace: (name) => namespaces.get(name),
    operatorNamespace: config.namespace,
    settingsFor: ctx.settingsFor,
  };

  // Every replica serves admissions, so every replica probes the namespaces the webhook serves.
  const podSecurity = podSecurityLevels(client, clock, logger, ctx.registry);
  namespaces.onChange((key) => {
    const labels = namespaces.get(key)?.metadata?.labels;
    if (labels?.[NAMESPACE_INJECTION_LABEL] === NAMESPACE_INJECTION_VALUE) {
      podSecurity.observe(key, labels);
    } else podSecurity.forget(key);
  });

  // What the webhook would do to each workload's next pod: its own pipeline (without Events)
  // over the same caches, on the pod template the workload watch delivers (ADR 0018).
  const predictions = new TemplatePredictions({
    // Pod Security only decides SYS_PTRACE, never whether a pod is injected: no probe needed.
    admit: createAdmit(admissionDeps(admission)),
    policies: admission.policies,
    namespace: admission.namespace,
  });
  // Workloads without their pod spec: the controllers read metadata, selector, strategy, status;
  // the template goes to the predictions as compact text first.
  const workload = (resource: string, kind: WorkloadKind) => {
    const inf = informer<KubeObject>(resource, collectionPath(kind), {}, (o) => {
      predictions.observe(kind, o as never);
      return workloadTransform(o);
    });
    inf.onChange((key, change) => {
      const [ns = "", name = ""] = key.split("/");
      if (change === "delete") predictions.forget(kind, ns, name);
    });
    return inf;
  };
  const workloads = {
    Deployment: workload("deployments", "Deployment"),
    StatefulSet: workload("statefulsets", "StatefulSet"),
    DaemonSet: workload("daemonsets", "DaemonSet"),
  };

  const all = [policyObjects, namespaces, certSecret, pods, ...Object.values(workloads)];
  return {
    policyObjects,
    policies,
    namespaces,
    certSecret,
    pods,
    workloads,
    predictions,
    podSecurity,
    admission,
    start: () => {
      for (const inf of all) inf.start();
    },
    admissionSynced: () => policyObjects.synced && namespaces.synced,
    waitForSync: async () => {
      await Promise.all(all.map((c) => c.waitForSync()));
    },
    async stop() {
      podSecurity.stop();
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}
