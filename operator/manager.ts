// Assembles the operator process: caches (watch → cache), the webhook server that reads them,
// and — on the elected leader only — the controllers (queue → reconcile → apply/status).
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { type NamespaceLike, selectsNamespace } from "../core/match/policies.ts";
import { type AdmitDeps, createAdmit } from "../webhook/admit.ts";
import type { InjectionSettings } from "../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../webhook/policy-settings.ts";
import { startWebhookServer, type WebhookServer } from "../webhook/server/server.ts";
import type { OperatorConfig } from "./config/config.ts";
import { coverageReconciler } from "./controllers/coverage.ts";
import { namespaceLabelReconciler } from "./controllers/namespace-labels.ts";
import { policyReconciler } from "./controllers/policy.ts";
import {
  bundleFromSecret,
  ensureCertificates,
  readCertificates,
} from "./controllers/webhook-certificates.ts";
import {
  ownerReference,
  WEBHOOK_KEY,
  webhookConfigReconciler,
} from "./controllers/webhook-config.ts";
import { coverageMetrics } from "./coverage/metrics.ts";
import { TemplatePredictions } from "./coverage/template-predictions.ts";
import { KubeClient } from "./kube/client.ts";
import type { Connection } from "./kube/connection.ts";
import { eventRecorder } from "./kube/events.ts";
import {
  Informer,
  type KubeObject,
  metadataTransform,
  workloadTransform,
} from "./kube/informer.ts";
import { LeaderElector } from "./kube/leader.ts";
import { apiListerWatcher } from "./kube/lister-watcher.ts";
import { collectionPath } from "./kube/resources.ts";
import type { PodSecurityCache } from "./pod-security/cache.ts";
import { podSecurityLevels } from "./pod-security/operator.ts";
import { PolicyCache } from "./policy-cache.ts";
import { pyroscopeEndpoints } from "./render/pyroscope/urls.ts";
import {
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_VALUE,
} from "./render/webhook-configuration.ts";
import { type Clock, realClock } from "./runtime/clock.ts";
import { Controller } from "./runtime/controller.ts";
import { controllerMetrics } from "./runtime/metrics.ts";

export interface Operator {
  server: WebhookServer;
  registry: Registry;
  /** The probed Pod Security level of each namespace the webhook serves, as admission reads it. */
  podSecurity: PodSecurityCache;
  isLeader(): boolean;
  /** Stops controllers, releases the lease, closes the server and the watches. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Called when leadership is lost; the default exits so a fresh process campaigns again. */
  onLostLeadership?: () => void;
}

export async function startOperator(
  config: OperatorConfig,
  connection: Connection,
  opts: StartOptions,
): Promise<Operator> {
  const { logger } = opts;
  const clock = opts.clock ?? realClock;
  const client = new KubeClient(connection);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const apiRequests = new Counter({
    name: "fleetscope_api_requests_total",
    help: "Requests the operator sent to the Kubernetes API server, watches included",
    labelNames: ["verb", "resource"],
    registers: [registry],
  });
  client.onRequest = (verb, resource) => apiRequests.inc({ verb, resource });
  const metrics = controllerMetrics(registry);
  const events = eventRecorder(
    client,
    clock,
    {
      controller: "fleetscope.io/operator",
      instance: config.podName,
    },
    (err) => logger.debug({ err: String(err) }, "event not recorded"),
  );

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
        metrics.watchRestarts.inc({ resource, reason });
        logger.warn({ resource, reason }, "watch restarted");
      },
    });
  const policyInformer = informer<KubeObject>(
    "profilingpolicies",
    collectionPath("ProfilingPolicy"),
  );
  const nsInformer = informer<NamespaceLike & KubeObject>(
    "namespaces",
    collectionPath("Namespace"),
  );
  const secretInformer = informer<KubeObject>(
    "secrets",
    collectionPath("Secret", config.namespace),
    {
      fieldSelector: `metadata.name=${config.certSecretName}`,
    },
  );
  const podInformer = informer<KubeObject>(
    "pods",
    collectionPath("Pod"),
    { metadataOnly: true },
    metadataTransform,
  );
  const policies = new PolicyCache(policyInformer);
  const settingsMemo = new WeakMap<ProfilingPolicy, InjectionSettings>();
  const settingsFor = (p: ProfilingPolicy) => {
    let s = settingsMemo.get(p);
    if (!s) {
      s = settingsFromPolicy(p, {
        clusterName: config.clusterName,
        serverAddress: pyroscopeEndpoints(p).writeURL,
      });
      settingsMemo.set(p, s);
    }
    return s;
  };
  // Every replica serves admissions, so every replica probes the namespaces the webhook serves.
  const podSecurity = podSecurityLevels(client, clock, logger, registry);
  nsInformer.onChange((key) => {
    const ns = nsInformer.get(key);
    const labels = ns?.metadata?.labels;
    if (labels?.[NAMESPACE_INJECTION_LABEL] === NAMESPACE_INJECTION_VALUE) {
      podSecurity.observe(key, labels);
    } else podSecurity.forget(key);
  });
  const admitDeps: AdmitDeps = {
    policies: () => policies.list(),
    namespace: (name) => nsInformer.get(name),
    operatorNamespace: config.namespace,
    settingsFor,
    probedLevel: (name, labels) => podSecurity.lookup(name, labels),
    onEvents: (req, pod: V1Pod, records) => {
      const owner = pod?.metadata?.ownerReferences?.[0];
      const regarding = pod?.metadata?.name
        ? { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, namespace: req.namespace }
        : owner
          ? {
              apiVersion: owner.apiVersion,
              kind: owner.kind,
              name: owner.name,
              namespace: req.namespace,
              uid: owner.uid,
            }
          : undefined;
      if (!regarding) return;
      for (const e of records) events.record(regarding, "Warning", e.reason, e.message);
    },
  };
  // What the webhook would do to each workload's next pod: its own pipeline (without Events)
  // over the same caches, on the pod template the workload watch delivers (ADR 0018).
  const predictions = new TemplatePredictions({
    // Pod Security only decides SYS_PTRACE, never whether a pod is injected: no probe needed.
    admit: createAdmit({ ...admitDeps, probedLevel: () => undefined, onEvents: undefined }),
    policies: () => policies.list(),
    namespace: (name) => nsInformer.get(name),
  });
  // Workloads without their pod spec: the controllers read metadata, selector, strategy, status;
  // the template goes to the predictions as compact text first.
  const workload = (resource: string, kind: string) => {
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
  const workloadInformers = {
    Deployment: workload("deployments", "Deployment"),
    StatefulSet: workload("statefulsets", "StatefulSet"),
    DaemonSet: workload("daemonsets", "DaemonSet"),
  };
  const caches = [
    policyInformer,
    nsInformer,
    secretInformer,
    podInformer,
    ...Object.values(workloadInformers),
  ];

  // The serving certificate: every replica makes sure one exists (or, when cert-manager
  // manages it, waits for it), then follows the Secret.
  const bundle = config.manageWebhook
    ? (
        await ensureCertificates(client, {
          namespace: config.namespace,
          secretName: config.certSecretName,
          hosts: config.certHosts,
          ...(config.ownerClusterRole
            ? { ownerReferences: [await ownerReference(client, config.ownerClusterRole)] }
            : {}),
        })
      ).bundle
    : await readCertificates(client, {
        namespace: config.namespace,
        secretName: config.certSecretName,
      });

  const admit = createAdmit(admitDeps);

  for (const inf of caches) inf.start();
  const server = await startWebhookServer({
    tls: bundle,
    admit,
    ready: () => policyInformer.synced && nsInformer.synced,
    registry,
    logger,
    host: config.host,
    port: config.port,
  });
  let served = bundle.cert;
  secretInformer.onChange(() => {
    const stored = bundleFromSecret(
      secretInformer.get(`${config.namespace}/${config.certSecretName}`) as never,
    );
    if (stored?.cert && stored.key && stored.cert !== served) {
      server.reloadTls({ cert: stored.cert, key: stored.key });
      served = stored.cert;
      logger.info("serving certificate reloaded");
    }
  });

  // Controllers: constructed now, started only while leading.
  let webhookReady = false;
  const nsController = new Controller({
    name: "namespace-labels",
    clock,
    logger,
    metrics,
    reconcile: namespaceLabelReconciler({
      client,
      namespaces: nsInformer,
      policies: () => policies.list(),
      operatorNamespace: config.namespace,
    }),
  });
  const webhookController = new Controller({
    name: "webhook",
    clock,
    logger,
    metrics,
    workers: 1,
    reconcile: async (key) => {
      const result = await webhookConfigReconciler({
        client,
        config,
        onRotated: (reason) => logger.info({ reason }, "webhook certificate issued"),
      })(key);
      if (!webhookReady) {
        webhookReady = true;
        for (const name of policyInformer.keys()) policyController.enqueue(name);
      }
      return result;
    },
  });
  const policyController = new Controller({
    name: "policy",
    clock,
    logger,
    metrics,
    reconcile: policyReconciler({
      client,
      policies,
      namespaces: () => nsInformer.list(),
      operatorNamespace: config.namespace,
      webhookReady: () => webhookReady || !config.manageWebhook,
      events,
    }),
  });

  const coverageController = new Controller({
    name: "coverage",
    clock,
    logger,
    metrics,
    reconcile: coverageReconciler({
      client,
      policies,
      namespaces: () => nsInformer.list(),
      pods: podInformer,
      workloads: workloadInformers as never,
      predictions,
      operatorNamespace: config.namespace,
      revisionOf: (p) => settingsFor(p).revision,
      webhookReady: () => webhookReady || !config.manageWebhook,
      events,
      metrics: coverageMetrics(registry),
    }),
  });
  /** Policies whose coverage a change in this namespace can move; batched for a second. */
  const touchCoverage = (namespace: string | undefined) => {
    const ns = namespace ? nsInformer.get(namespace) : undefined;
    if (!ns) return;
    for (const p of policies.list()) {
      if (selectsNamespace(p, ns, config.namespace)) {
        coverageController.queue.addAfter(p.metadata.name ?? "", 1_000);
      }
    }
  };
  podInformer.onChange((key) => touchCoverage(key.split("/")[0]));
  for (const inf of Object.values(workloadInformers)) {
    inf.onChange((key) => touchCoverage(key.split("/")[0]));
  }

  // Watch → queue: handlers only enqueue keys. Only a change of a policy's spec (its
  // generation) can move namespace labels; the operator's own status writes change nothing.
  const seenGeneration = new Map<string, number | undefined>();
  policyInformer.onChange((key, kind) => {
    const generation = policyInformer.get(key)?.metadata?.generation as number | undefined;
    const specChanged = kind !== "update" || seenGeneration.get(key) !== generation;
    if (kind === "delete") seenGeneration.delete(key);
    else seenGeneration.set(key, generation);
    if (!specChanged) return;
    policyController.enqueue(key);
    coverageController.enqueue(key);
    if (kind === "resync") return;
    for (const ns of nsInformer.keys()) nsController.enqueue(ns);
  });
  // A namespace change matters to the policies that select it now or did before (their status
  // lists it); the rest cannot have changed.
  nsInformer.onChange((key) => {
    nsController.enqueue(key);
    const ns = nsInformer.get(key);
    for (const p of policies.list()) {
      const listed = p.status?.selectedNamespaces?.includes(key) ?? false;
      const selected = ns ? selectsNamespace(p, ns, config.namespace) : false;
      if (listed || selected) {
        const name = p.metadata.name ?? "";
        if (listed !== selected) policyController.enqueue(name);
        coverageController.queue.addAfter(name, 1_000);
      }
    }
  });

  const controllers = [
    nsController,
    policyController,
    coverageController,
    ...(config.manageWebhook ? [webhookController] : []),
  ];
  let leading = false;
  const startControllers = async () => {
    await Promise.all(caches.map((c) => c.waitForSync()));
    leading = true;
    logger.info({ identity: config.podName }, "leading: starting controllers");
    for (const c of controllers) c.start();
    if (config.manageWebhook) webhookController.enqueue(WEBHOOK_KEY);
    for (const ns of nsInformer.keys()) nsController.enqueue(ns);
    for (const p of policyInformer.keys()) {
      policyController.enqueue(p);
      coverageController.enqueue(p);
    }
  };

  let elector: LeaderElector | undefined;
  let electorRun: Promise<void> | undefined;
  if (config.leaderElection) {
    elector = new LeaderElector({
      client,
      clock,
      namespace: config.namespace,
      name: "fleetscope-operator",
      identity: config.podName,
      onStartedLeading: () => void startControllers(),
      onStoppedLeading: () => {
        if (!leading) return;
        leading = false;
        logger.error("lost leadership");
        (opts.onLostLeadership ?? (() => process.exit(1)))();
      },
    });
    electorRun = elector.run();
  } else {
    void startControllers();
  }

  return {
    server,
    registry,
    podSecurity,
    isLeader: () => leading,
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      leading = false;
      await elector?.stop();
      await electorRun;
      await server.close();
      podSecurity.stop();
      await Promise.all(caches.map((i) => i.stop()));
    },
  };
}
