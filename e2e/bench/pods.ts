// Realistic AdmissionReviews and in-memory policies/namespaces shared by the webhook benchmarks.
import type { V1Pod } from "@kubernetes/client-node";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../../core/api/v1alpha1/types.ts";
import type { NamespaceLike } from "../../core/match/policies.ts";
import { PodSecurityCache } from "../../operator/pod-security/cache.ts";
import { realClock } from "../../operator/runtime/clock.ts";
import { createAdmit } from "../../webhook/admit.ts";
import { settingsCache } from "../../webhook/admit-deps.ts";
import type { Admission, AdmissionRequest } from "../../webhook/server/admission-review.ts";

export const OPERATOR_NAMESPACE = "fleetscope";

/** The kinds of request in the mix, with how many of every 20 requests are of that kind. */
export const MIX = [
  { kind: "java", weight: 13, expect: "injected" },
  { kind: "java-sidecar", weight: 3, expect: "injected" },
  { kind: "non-java", weight: 2, expect: "skipped" },
  { kind: "opted-out", weight: 1, expect: "skipped" },
  { kind: "unselected-namespace", weight: 1, expect: "skipped" },
] as const;
export type PodKind = (typeof MIX)[number]["kind"];

const restrictedSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 10001,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** What the API server adds to every container before mutating webhooks run. */
const containerDefaults = {
  imagePullPolicy: "IfNotPresent",
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
};

const env = (vars: Record<string, string>) =>
  Object.entries(vars).map(([name, value]) => ({ name, value }));

function javaContainer(app: string) {
  return {
    name: app,
    image: `registry.example.com/shop/${app}:2.14.3`,
    command: ["java"],
    args: ["-jar", "/app/app.jar"],
    ports: [
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "management", containerPort: 8081, protocol: "TCP" },
    ],
    env: [
      ...env({
        SPRING_PROFILES_ACTIVE: "prod,kubernetes",
        JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=75 -XX:+UseG1GC -Dfile.encoding=UTF-8",
        SERVER_PORT: "8080",
        MANAGEMENT_SERVER_PORT: "8081",
        DB_URL: `jdbc:postgresql://postgres.${app}.svc:5432/${app}`,
        KAFKA_BOOTSTRAP_SERVERS: "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092",
        OTEL_SERVICE_NAME: app,
        LOG_FORMAT: "json",
      }),
      {
        name: "DB_PASSWORD",
        valueFrom: { secretKeyRef: { name: `${app}-db`, key: "password" } },
      },
      {
        name: "POD_NAME",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
      },
      {
        name: "NODE_IP",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.hostIP" } },
      },
    ],
    envFrom: [{ configMapRef: { name: `${app}-config` } }],
    resources: {
      requests: { cpu: "500m", memory: "768Mi" },
      limits: { cpu: "2", memory: "1Gi" },
    },
    readinessProbe: {
      httpGet: { path: "/actuator/health/readiness", port: "management", scheme: "HTTP" },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: "/actuator/health/liveness", port: "management", scheme: "HTTP" },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: "config", mountPath: "/config", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      {
        name: "kube-api-access",
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
        readOnly: true,
      },
    ],
    securityContext: restrictedSecurity,
    ...containerDefaults,
  };
}

function sidecar() {
  return {
    name: "istio-proxy",
    image: "docker.io/istio/proxyv2:1.24.0",
    args: ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"],
    env: [
      ...env({ ISTIO_META_CLUSTER_ID: "Kubernetes", PILOT_CERT_PROVIDER: "istiod" }),
      {
        name: "POD_NAMESPACE",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
      },
    ],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    securityContext: restrictedSecurity,
    ...containerDefaults,
  };
}

function nginx() {
  return {
    name: "web",
    image: "nginx:1.27-alpine",
    ports: [{ containerPort: 80, protocol: "TCP" }],
    env: env({ NGINX_WORKER_PROCESSES: "2", NGINX_PORT: "80" }),
    resources: { requests: { cpu: "50m", memory: "64Mi" } },
    securityContext: restrictedSecurity,
    ...containerDefaults,
  };
}

/** A Deployment's pod as the API server sends it at CREATE (generateName, owner, defaults). */
export function pod(kind: PodKind, i: number): { namespace: string; pod: V1Pod } {
  const app = ["checkout", "ledger", "catalog", "orders"][i % 4] ?? "checkout";
  const hash = (0x7d9f8b6c4d + i).toString(16).slice(0, 10);
  const namespace = kind === "unselected-namespace" ? `batch-${i % 5}` : `shop-${i % 10}`;
  const containers =
    kind === "non-java"
      ? [nginx()]
      : kind === "java-sidecar"
        ? [javaContainer(app), sidecar()]
        : [javaContainer(app)];
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/part-of": "shop",
    "pod-template-hash": hash,
  };
  if (kind === "opted-out") labels["fleetscope.io/inject"] = "false";
  const p = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${app}-${hash}-`,
      namespace,
      labels,
      annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${app}-${hash}`,
          uid: `5c0f9f0e-1b1a-4a8e-8d7e-${String(i).padStart(12, "0")}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers,
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: "tmp", emptyDir: {} },
        {
          name: "kube-api-access",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              {
                configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] },
              },
            ],
          },
        },
      ],
      securityContext: { runAsNonRoot: true, fsGroup: 10001 },
      serviceAccountName: app,
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
  };
  return { namespace, pod: p as V1Pod };
}

/** The kind of the i-th request of the mix: a fixed, interleaved sequence. */
export function kindAt(i: number): PodKind {
  const total = MIX.reduce((n, m) => n + m.weight, 0);
  let slot = (i * 7) % total; // 7 is coprime with 20: kinds interleave instead of running in blocks
  for (const m of MIX) {
    if (slot < m.weight) return m.kind;
    slot -= m.weight;
  }
  return "java";
}

export function request(kind: PodKind, i: number): AdmissionRequest {
  const { namespace, pod: object } = pod(kind, i);
  return {
    uid: `0b5f1c3e-6f0e-4a55-9a51-${String(i).padStart(12, "0")}`,
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    namespace,
    operation: "CREATE",
    object,
  };
}

/** `count` AdmissionReview bodies following the mix, each with its own uid and pod. */
export function reviewBodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: request(kindAt(i), i),
    }),
  );
}

/** Ten opted-in namespaces (shop-*) and five that no policy selects (batch-*). */
export function namespaces(): Map<string, NamespaceLike> {
  const m = new Map<string, NamespaceLike>();
  for (let i = 0; i < 10; i++) {
    const name = `shop-${i}`;
    m.set(name, {
      metadata: { name, labels: { "fleetscope.io/profiling": "enabled", team: `team-${i % 3}` } },
    });
  }
  for (let i = 0; i < 5; i++) {
    const name = `batch-${i}`;
    m.set(name, { metadata: { name, labels: { team: "batch" } } });
  }
  return m;
}

const policy = (name: string, spec: ProfilingPolicySpecInput): ProfilingPolicy =>
  ({
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name, generation: 1, uid: `uid-${name}` },
    spec: withDefaults(spec),
  }) as ProfilingPolicy;

/**
 * `count` policies: the first selects every opted-in namespace; the others select one team's
 * opted-in namespaces at a higher priority, with a pod selector most pods do not match, so the
 * matcher has real work to do for each of them.
 */
export function policies(count: number): ProfilingPolicy[] {
  const out = [policy("fleet", { agent: { labels: { env: "prod" } } })];
  for (let i = 1; i < count; i++) {
    out.push(
      policy(`team-${i}`, {
        priority: 10,
        selector: {
          namespaceSelector: { matchLabels: { "fleetscope.io/profiling": "enabled" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": `service-${i}` } },
        },
        agent: { applicationName: "{cluster}/{namespace}/{workload}", uploadInterval: "15s" },
      }),
    );
  }
  return out;
}

/** The real admit pipeline over in-memory caches, settings memoised per policy object. */
export function admitWith(policyCount: number): (req: AdmissionRequest) => Admission {
  const list = policies(policyCount);
  const ns = namespaces();
  // The operator's cache of probed levels, warmed as the operator warms it (every namespace
  // seen is probed); the dry run answers at once here, as no API server is involved.
  const levels = new PodSecurityCache({
    probe: async () => ({ kind: "known", level: "privileged" }),
    clock: realClock,
  });
  for (const [name, n] of ns) levels.observe(name, n.metadata?.labels);
  return createAdmit({
    policies: () => list,
    namespace: (name) => ns.get(name),
    operatorNamespace: OPERATOR_NAMESPACE,
    probedLevel: (name, labels) => levels.lookup(name, labels),
    settingsFor: settingsCache({
      clusterName: "bench",
      writeURL: () => "http://pyroscope.pyroscope.svc:4040",
    }),
  });
}
