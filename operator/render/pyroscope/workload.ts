// Hardened pod templates and the StatefulSets, Deployments and PDBs built from them.
import type {
  V1Container,
  V1ContainerPort,
  V1Deployment,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1PodTemplateSpec,
  V1ResourceRequirements,
  V1ServiceAccount,
  V1StatefulSet,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import type { ProfilingPolicy, ResourceRequirements } from "../../../core/api/v1alpha1/types.ts";
import { CONFIG_DIR, DATA_DIR } from "./components.ts";
import { metadata, objectLabels, type RenderedMeta, selectorLabels } from "./names.ts";

/** The image's `pyroscope` user and group. */
export const PYROSCOPE_UID = 10001;

/** Changes whenever config.yaml changes, so pods restart to read it. */
export const CONFIG_HASH_ANNOTATION = "fleetscope.io/config-hash";

export interface PodInput {
  policy: ProfilingPolicy;
  component: string;
  image: string;
  serviceAccountName: string;
  configMapName: string;
  configHash: string;
  args: string[];
  env: V1EnvVar[];
  ports: V1ContainerPort[];
  resources: ResourceRequirements | undefined;
  /** Extra volumes; `config` and `tmp` are always there. */
  volumes: V1Volume[];
  volumeMounts: V1VolumeMount[];
  /** An emptyDir at /data when the workload has no claim for it. */
  dataEmptyDir: boolean;
  /**
   * A volume shared by many pods is mounted: fsGroup ownership is set only when its root does
   * not have it yet, instead of walking every block of the share at each pod start.
   */
  sharedVolume?: boolean;
  terminationGracePeriodSeconds?: number;
}

export function resourceRequirements(r: ResourceRequirements | undefined): V1ResourceRequirements {
  const list = (l: Record<string, string | number | undefined> | undefined) =>
    l === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(l)
            .filter((e): e is [string, string | number] => e[1] !== undefined)
            .map(([k, v]) => [k, String(v)]),
        );
  const out: V1ResourceRequirements = {};
  const requests = list(r?.requests);
  const limits = list(r?.limits);
  if (requests) out.requests = requests;
  if (limits) out.limits = limits;
  return out;
}

export function containerPort(name: string, containerPort: number): V1ContainerPort {
  return { name, containerPort, protocol: "TCP" };
}

export function podTemplate(input: PodInput): V1PodTemplateSpec {
  const volumes: V1Volume[] = [
    { name: "config", configMap: { name: input.configMapName } },
    // Pyroscope and the Go runtime write temporary files; the root filesystem is read-only.
    { name: "tmp", emptyDir: {} },
    ...(input.dataEmptyDir ? [{ name: "data", emptyDir: {} }] : []),
    ...input.volumes,
  ];
  const container: V1Container = {
    name: "pyroscope",
    image: input.image,
    imagePullPolicy: "IfNotPresent",
    args: input.args,
    ...(input.env.length > 0 ? { env: input.env } : {}),
    ports: input.ports,
    readinessProbe: {
      httpGet: { path: "/ready", port: "http", scheme: "HTTP" },
      initialDelaySeconds: 15,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
    },
    resources: resourceRequirements(input.resources),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [
      { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      { name: "data", mountPath: DATA_DIR },
      ...input.volumeMounts,
    ],
  };
  return {
    metadata: {
      labels: objectLabels(input.policy, input.component),
      annotations: { [CONFIG_HASH_ANNOTATION]: input.configHash },
    },
    spec: {
      serviceAccountName: input.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: PYROSCOPE_UID,
        runAsGroup: PYROSCOPE_UID,
        fsGroup: PYROSCOPE_UID,
        ...(input.sharedVolume ? { fsGroupChangePolicy: "OnRootMismatch" } : {}),
        seccompProfile: { type: "RuntimeDefault" },
      },
      ...(input.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: input.terminationGracePeriodSeconds }),
      containers: [container],
      volumes,
    },
  };
}

export type Rendered<T> = T & { apiVersion: string; kind: string; metadata: RenderedMeta };

export function statefulSet(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
  spec: {
    replicas: number;
    serviceName: string;
    template: V1PodTemplateSpec;
    volumeClaimTemplates?: V1PersistentVolumeClaim[];
  },
): Rendered<V1StatefulSet> {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(policy, name, namespace, component),
    spec: {
      replicas: spec.replicas,
      serviceName: spec.serviceName,
      // Members of a ring or a raft group start together; none waits for another to be ready.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selectorLabels(policy, component) },
      template: spec.template,
      ...(spec.volumeClaimTemplates ? { volumeClaimTemplates: spec.volumeClaimTemplates } : {}),
    },
  };
}

export function deployment(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
  spec: { replicas: number; template: V1PodTemplateSpec },
): Rendered<V1Deployment> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(policy, name, namespace, component),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: selectorLabels(policy, component) },
      template: spec.template,
    },
  };
}

export function podDisruptionBudget(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
): Rendered<V1PodDisruptionBudget> {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(policy, name, namespace, component),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(policy, component) } },
  };
}

export function serviceAccount(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
): Rendered<V1ServiceAccount> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(policy, name, namespace, component),
    // Pyroscope never calls the Kubernetes API: peers are found through DNS.
    automountServiceAccountToken: false,
  };
}
