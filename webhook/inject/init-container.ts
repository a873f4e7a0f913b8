// The pod-level pieces of an injection: the init container that copies the agent jar and the two
// emptyDir volumes, hardened so that they pass Pod Security "restricted" on their own.
import type { V1Container, V1Pod, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import {
  AGENT_DIR,
  AGENT_JAR,
  AGENT_VOLUME,
  DEFAULT_NON_ROOT_ID,
  INIT_CONTAINER,
  INIT_IMAGE_JAR,
  TMP_DIR,
  TMP_VOLUME,
} from "../../core/names.ts";
import { DEFAULT_INIT_RESOURCES, type InjectionSettings } from "./settings.ts";

/** A root id would contradict runAsNonRoot and keep the init container from starting. */
function nonRootId(id: unknown): number {
  return typeof id === "number" && Number.isInteger(id) && id > 0 ? id : DEFAULT_NON_ROOT_ID;
}

function hasResources(r: InjectionSettings["initResources"] | undefined): boolean {
  return Object.keys(r?.requests ?? {}).length > 0 || Object.keys(r?.limits ?? {}).length > 0;
}

export function agentInitContainer(pod: V1Pod, settings: InjectionSettings): V1Container {
  const podSecurity = pod.spec?.securityContext;
  return {
    name: INIT_CONTAINER,
    image: settings.initImage,
    imagePullPolicy: "IfNotPresent",
    command: ["cp", INIT_IMAGE_JAR, AGENT_JAR],
    resources: structuredClone(
      hasResources(settings.initResources) ? settings.initResources : DEFAULT_INIT_RESOURCES,
    ),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: nonRootId(podSecurity?.runAsUser),
      runAsGroup: nonRootId(podSecurity?.runAsGroup),
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [{ name: AGENT_VOLUME, mountPath: AGENT_DIR }],
  };
}

/**
 * emptyDirs are created world-writable and without noexec, so the jar copied by any uid is
 * readable by the target's uid and async-profiler can load its native library from TMP_DIR.
 */
export function agentVolumes(): V1Volume[] {
  return [
    { name: AGENT_VOLUME, emptyDir: { sizeLimit: "64Mi" } },
    { name: TMP_VOLUME, emptyDir: { sizeLimit: "256Mi" } },
  ];
}

export function targetMounts(): V1VolumeMount[] {
  return [
    { name: AGENT_VOLUME, mountPath: AGENT_DIR, readOnly: true },
    { name: TMP_VOLUME, mountPath: TMP_DIR },
  ];
}
