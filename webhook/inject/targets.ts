// Which of a pod's containers the policy targets. Init containers never are: they run before
// the agent volume is filled and are mostly short-lived tooling.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { javaEvidence, sidecarEvidence } from "./java-detect.ts";
import type { InjectionSettings } from "./settings.ts";

export interface ContainerChoice {
  container: V1Container;
  target: boolean;
  /** Short code when not targeted: sidecar, not-java, not-listed. */
  reason?: string;
  /** Why targeted or not, for messages. */
  message: string;
}

export function chooseContainers(
  pod: V1Pod,
  containers: InjectionSettings["containers"],
): ContainerChoice[] {
  const list = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  return list.map((c) => choose(c, containers));
}

function choose(c: V1Container, wanted: InjectionSettings["containers"]): ContainerChoice {
  if (wanted.detect === "Names") {
    return (wanted.names ?? []).includes(c.name)
      ? { container: c, target: true, message: "named by the policy" }
      : { container: c, target: false, reason: "not-listed", message: "not named by the policy" };
  }
  const sidecar = sidecarEvidence(c);
  if (sidecar) return { container: c, target: false, reason: "sidecar", message: sidecar };
  if (wanted.detect === "All") {
    return { container: c, target: true, message: "application container" };
  }
  const java = javaEvidence(c);
  return java
    ? { container: c, target: true, message: java }
    : {
        container: c,
        target: false,
        reason: "not-java",
        message: "no JVM detected from image, env or command",
      };
}
