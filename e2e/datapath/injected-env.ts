// The environment a pod's container starts with after the webhook's real mutation, resolved as
// the kubelet would (Downward API, $(VAR) expansion) with its volumes mapped to this machine.
import { dirname } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import * as names from "../../core/names.ts";
import { applyPatch } from "../../webhook/inject/json-patch.ts";
import { mutate } from "../../webhook/inject/mutate.ts";
import type { InjectionSettings, MutationResult } from "../../webhook/inject/settings.ts";
import type { Artifacts } from "./artifacts.ts";
import { containerEnv, mapMountPaths } from "./kubelet.ts";

export interface InjectedEnv {
  result: MutationResult;
  /** The container's mount paths of the agent and scratch volumes, mapped to local folders. */
  mounts: Record<string, string>;
  env: Record<string, string>;
}

/**
 * Mutates `pod` as the webhook does at admission, then schedules it on `nodeName` (unless it
 * has a node) and resolves `container`'s environment against it.
 */
export function injectedEnv(opts: {
  pod: V1Pod;
  settings: InjectionSettings;
  artifacts: Artifacts;
  scratch: string;
  container: string;
  nodeName?: string;
}): InjectedEnv {
  const { pod } = opts;
  const result = mutate({
    pod,
    namespace: { name: pod.metadata?.namespace ?? "default", labels: {} },
    settings: opts.settings,
    operation: "CREATE",
  });
  const scheduled = applyPatch(pod, result.patch);
  if (opts.nodeName) scheduled.spec!.nodeName = opts.nodeName;
  const container = scheduled.spec!.containers.find((c) => c.name === opts.container)!;
  const mounts: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) {
    if (m.name === names.AGENT_VOLUME) mounts[m.mountPath] = dirname(opts.artifacts.agentJar);
    else if (m.name === names.TMP_VOLUME) mounts[m.mountPath] = opts.scratch;
  }
  return { result, mounts, env: mapMountPaths(containerEnv(scheduled, container), mounts) };
}
