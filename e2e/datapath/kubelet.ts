// What the kubelet does to a container's env before it starts: Downward API values, $(VAR)
// expansion, and here also mapping volume mount paths to folders on this machine.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { own } from "../../core/own.ts";

/**
 * Expands `$(NAME)` from `lookup` the way Kubernetes does: `$$` is a literal `$`, and a
 * reference to an unknown name is left as it is.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** The value of a Downward API fieldRef for a scheduled pod. */
export function fieldValue(pod: V1Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed) {
    const map = keyed[1] === "labels" ? meta.labels : meta.annotations;
    return own(map, keyed[2]!) ?? "";
  }
  switch (fieldPath) {
    case "metadata.name":
      return meta.name ?? "";
    case "metadata.namespace":
      return meta.namespace ?? "";
    case "metadata.uid":
      return meta.uid ?? "";
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.podIP":
      return pod.status?.podIP ?? "";
    case "status.hostIP":
      return pod.status?.hostIP ?? "";
    default:
      throw new Error(`fieldRef ${fieldPath} is not supported here`);
  }
}

/**
 * The environment a container starts with, in the kubelet's order: each entry may refer to the
 * entries before it. Secret, ConfigMap and resource references and envFrom are refused: the
 * data-path tests have no cluster to read them from.
 */
export function containerEnv(pod: V1Pod, container: V1Container): Record<string, string> {
  if (container.envFrom?.length) throw new Error(`container ${container.name} uses envFrom`);
  // A Map, not an object: `__proto__` or `constructor` is a valid env var name like any other.
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    let value: string;
    if (e.valueFrom?.fieldRef) {
      value = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
    } else if (e.valueFrom) {
      throw new Error(`env ${e.name}: only fieldRef sources are supported here`);
    } else {
      value = expandVars(e.value ?? "", (n) => env.get(n));
    }
    env.set(e.name, value);
  }
  return Object.fromEntries(env);
}

/**
 * Rewrites mount paths inside env values to folders on this machine, e.g. the agent volume's
 * `/fleetscope/agent` to the folder holding pyroscope.jar. Longer paths are replaced first.
 */
export function mapMountPaths(
  env: Record<string, string>,
  mounts: Record<string, string>,
): Record<string, string> {
  const paths = Object.keys(mounts).sort((a, b) => b.length - a.length);
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => {
      let value = v;
      for (const p of paths) {
        const escaped = p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        value = value.replace(
          new RegExp(`(^|[\\s=:,])${escaped}(?=/|$|[\\s,])`, "g"),
          `$1${mounts[p]}`,
        );
      }
      return [k, value];
    }),
  );
}
