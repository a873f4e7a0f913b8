// Building blocks of the operator's end-to-end scenarios, with admin credentials: policies,
// Java pods and Deployments, the static volume Pyroscope's claim binds to on kwok nodes, and
// waiting for a policy's status. The chart test that runs the operator with the chart's
// ServiceAccount uses them; they mirror e2e/integration/{operator,rollout}.test.ts.
import * as k8s from "@kubernetes/client-node";
import { eventually, kubeConfig } from "./cluster.ts";

export const policyApi = {
  group: "fleetscope.io",
  version: "v1alpha1",
  plural: "profilingpolicies",
} as const;
export const INJECTION_LABEL = "fleetscope.io/injection";

let clients: { core: k8s.CoreV1Api; apps: k8s.AppsV1Api; custom: k8s.CustomObjectsApi } | undefined;
/** API clients with the admin kubeconfig. */
export function admin() {
  if (!clients) {
    const kc = kubeConfig();
    clients = {
      core: kc.makeApiClient(k8s.CoreV1Api),
      apps: kc.makeApiClient(k8s.AppsV1Api),
      custom: kc.makeApiClient(k8s.CustomObjectsApi),
    };
  }
  return clients;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface PolicyStatus {
  /** The injection revision pods are stamped with and restarts are recorded for. */
  revision?: string;
  conditions?: Condition[];
  pyroscope?: { writeURL?: string };
  selectedNamespaces?: string[];
  coverage?: {
    summary?: string;
    pods: { eligible: number; injected: number; skipped: number };
    skippedReasons?: Record<string, number>;
  };
  rollout?: {
    phase: string;
    done: number;
    total: number;
    halted?: { workload: string; reason: string };
  };
}

export const condition = (s: PolicyStatus | undefined, type: string) =>
  s?.conditions?.find((c) => c.type === type)?.status;

export async function policyStatus(name: string): Promise<PolicyStatus | undefined> {
  const p = (await admin().custom.getClusterCustomObject({ ...policyApi, name })) as {
    status?: PolicyStatus;
  };
  return p.status;
}

/** Polls the policy's status until `ready` accepts it. */
export function waitForPolicy(
  name: string,
  what: string,
  ready: (s: PolicyStatus) => boolean,
  timeoutMs = 120_000,
): Promise<PolicyStatus> {
  return eventually(
    `policy ${name}: ${what}`,
    async () => {
      const s = await policyStatus(name);
      return s && ready(s) ? s : undefined;
    },
    timeoutMs,
  );
}

export async function createPolicy(body: object): Promise<void> {
  await admin().custom.createClusterCustomObject({ ...policyApi, body });
}

export async function deletePolicy(name: string): Promise<void> {
  await admin()
    .custom.deleteClusterCustomObject({ ...policyApi, name })
    .catch(() => undefined);
}

/** A policy selecting the namespaces labelled `fleetscope.io/test=<selector>`, with `spec` beside. */
export function testPolicy(name: string, selector: string, spec: object) {
  return {
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name },
    spec: {
      selector: { namespaceSelector: { matchLabels: { "fleetscope.io/test": selector } } },
      ...spec,
    },
  };
}

/**
 * A policy with monolithic Pyroscope in `pyroscopeNamespace`, on the static volume of
 * `storageClass`, selecting the namespaces labelled `fleetscope.io/test=<selector>`.
 */
export function monolithicPolicy(
  name: string,
  opts: { selector: string; pyroscopeNamespace: string; storageClass: string; rollout?: object },
) {
  return {
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name },
    spec: {
      selector: { namespaceSelector: { matchLabels: { "fleetscope.io/test": opts.selector } } },
      pyroscope: {
        namespace: opts.pyroscopeNamespace,
        monolithic: { storage: { size: "10Gi", storageClassName: opts.storageClass } },
      },
      ...(opts.rollout ? { rollout: opts.rollout } : {}),
    },
  };
}

/**
 * No storage provisioner here: a static volume for one Pyroscope claim, its storage class of its
 * own name so only claims of that class bind. On kwok nodes the path is never used; a real node
 * mounts an existing folder (`dataDir`) and keeps it for inspection.
 */
export async function createStaticVolume(
  storageClass: string,
  opts: { dataDir?: string; accessMode?: "ReadWriteOnce" | "ReadWriteMany" } = {},
): Promise<void> {
  await admin().core.createPersistentVolume({
    body: {
      metadata: { name: storageClass },
      spec: {
        storageClassName: storageClass,
        capacity: { storage: "10Gi" },
        accessModes: [opts.accessMode ?? "ReadWriteOnce"],
        ...(opts.dataDir
          ? {
              hostPath: { path: opts.dataDir, type: "Directory" },
              persistentVolumeReclaimPolicy: "Retain",
            }
          : { hostPath: { path: `/tmp/${storageClass}` } }),
      },
    },
  });
}

export async function deleteStaticVolume(storageClass: string): Promise<void> {
  await admin()
    .core.deletePersistentVolume({ name: storageClass })
    .catch(() => undefined);
}

export async function createNamespace(name: string, labels: Record<string, string> = {}) {
  await admin().core.createNamespace({ body: { metadata: { name, labels } } });
}

export async function injectionLabel(namespace: string): Promise<string | undefined> {
  return (await admin().core.readNamespace({ name: namespace })).metadata?.labels?.[
    INJECTION_LABEL
  ];
}

const restrictedSecurity = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  runAsUser: 1000,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const javaPod = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels: { "app.kubernetes.io/name": "checkout", ...labels } },
  spec: {
    containers: [
      {
        name: "app",
        image: "eclipse-temurin:21-jre",
        env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx256m" }],
        securityContext: restrictedSecurity,
      },
    ],
  },
});

/** Creates a pod through the API (so through admission), retrying until the namespace's
 * default ServiceAccount exists (the ServiceAccount admission plugin needs it). */
export function createPod(namespace: string, body: object): Promise<k8s.V1Pod> {
  return eventually(
    `pod in ${namespace}`,
    () => admin().core.createNamespacedPod({ namespace, body }),
    30_000,
  );
}

export const javaDeployment = (name: string, replicas = 2) => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "app", image: "eclipse-temurin:21-jre" }] },
    },
  },
});

/** Creates a Java Deployment and waits until all its replicas are available. */
export async function createAvailableDeployment(
  namespace: string,
  name: string,
  replicas = 2,
): Promise<void> {
  const { apps } = admin();
  await eventually(`deployment ${name} created`, () =>
    apps.createNamespacedDeployment({ namespace, body: javaDeployment(name, replicas) }),
  );
  await eventually(`${name} available`, async () => {
    const dep = await apps.readNamespacedDeployment({ namespace, name });
    return dep.status?.availableReplicas === replicas ? true : undefined;
  });
}

/** Pods of `app` (label app=<app>) that are not terminating and carry the agent. */
export async function injectedPods(namespace: string, app: string): Promise<number> {
  const pods = await admin().core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return pods.items.filter(
    (p) =>
      !p.metadata?.deletionTimestamp && p.metadata?.labels?.["fleetscope.io/injected"] === "true",
  ).length;
}
