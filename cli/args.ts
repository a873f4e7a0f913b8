// Command-line parsing of `fleetscope`, separate from I/O so every form is tested.
import { parseArgs } from "node:util";

export type Command =
  | { name: "why"; namespace: string; target: string; kind?: string }
  | { name: "coverage"; policy?: string }
  | { name: "rollout"; action: "status" | "pause" | "resume"; policy: string }
  | { name: "help" };

export interface Options {
  operatorNamespace: string;
  context?: string;
}

export const USAGE = `Usage: fleetscope <command> [flags]   (also: kubectl fleetscope)

Commands:
  why <namespace>/<pod|workload>        Whether it is profiled, and why not
  why <namespace>/<kind>/<name>         The same for a Deployment, StatefulSet or DaemonSet
  coverage [policy]                     Coverage per policy; per reason for one policy
  rollout status|pause|resume <policy>  Progress of a Rolling rollout; stop or continue it

Flags:
  --operator-namespace <ns>  Namespace the operator runs in (default $FLEETSCOPE_NAMESPACE or fleetscope)
  --context <name>           kubeconfig context to use
  -h, --help                 Show this help`;

const KINDS: Record<string, string> = {
  deployment: "Deployment",
  deploy: "Deployment",
  statefulset: "StatefulSet",
  sts: "StatefulSet",
  daemonset: "DaemonSet",
  ds: "DaemonSet",
  pod: "Pod",
  po: "Pod",
};

export function parseCommand(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): { command: Command; options: Options } | { error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const { values, positionals } = parsed;
  const options: Options = {
    operatorNamespace: values["operator-namespace"] ?? env.FLEETSCOPE_NAMESPACE ?? "fleetscope",
    ...(values.context ? { context: values.context } : {}),
  };
  const [name, ...rest] = positionals;
  if (values.help || name === undefined || name === "help")
    return { command: { name: "help" }, options };
  if (name === "why") {
    const parts = (rest[0] ?? "").split("/");
    if (rest.length !== 1 || parts.some((p) => p === "") || parts.length < 2 || parts.length > 3)
      return { error: "why takes <namespace>/<name> or <namespace>/<kind>/<name>" };
    if (parts.length === 3) {
      const kind = KINDS[parts[1]!.toLowerCase()];
      if (!kind)
        return { error: `unknown kind ${parts[1]}: use pod, deployment, statefulset or daemonset` };
      return { command: { name: "why", namespace: parts[0]!, kind, target: parts[2]! }, options };
    }
    return { command: { name: "why", namespace: parts[0]!, target: parts[1]! }, options };
  }
  if (name === "coverage") {
    if (rest.length > 1) return { error: "coverage takes at most one policy" };
    return {
      command: rest[0] ? { name: "coverage", policy: rest[0] } : { name: "coverage" },
      options,
    };
  }
  if (name === "rollout") {
    const [action, policy] = rest;
    if (
      (action !== "status" && action !== "pause" && action !== "resume") ||
      !policy ||
      rest.length !== 2
    )
      return { error: "rollout takes status, pause or resume and a policy" };
    return { command: { name: "rollout", action, policy }, options };
  }
  return { error: `unknown command ${name}` };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      "operator-namespace": { type: "string" },
      context: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
