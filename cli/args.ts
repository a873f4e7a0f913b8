// Command-line parsing of `fleetscope`, separate from I/O so every form is tested.
import { parseArgs } from "node:util";
import { own } from "../core/own.ts";
import { makeRange, PROFILE_KINDS, parseRangeText, parseTime, type Range } from "./profiles.ts";
import { MIN_SAMPLES } from "./pyroscope/regressions.ts";

export type Command =
  | { name: "why"; namespace: string; target: string; kind?: string }
  | { name: "coverage"; policy?: string }
  | { name: "status" }
  | { name: "explain"; kind: string; namespace: string; target: string }
  | { name: "rollout"; action: "status" | "pause" | "resume"; policy: string }
  | { name: "top"; profile: ProfileFlags; range: Range }
  | {
      name: "flamegraph";
      profile: ProfileFlags;
      range: Range;
      output: string;
      format: "svg" | "html";
    }
  | { name: "diff"; profile: ProfileFlags; before: Range; after: Range; output?: string }
  | {
      name: "diff-revisions";
      profile: ProfileFlags;
      namespace: string;
      workload: string;
      /** `OLD..NEW`, or undefined for the last two. */
      revisions?: string;
      output?: string;
      minSamples: number;
    }
  | {
      name: "regressions";
      profile: QueryFlags;
      /** Start of the window, ms since the epoch, and how it was written (`24h`). */
      since: number;
      sinceText: string;
      json: boolean;
      minSamples: number;
    }
  | { name: "help" };

/** What `top`, `flamegraph` and `diff` share: which profile, from where. */
export interface ProfileFlags extends QueryFlags {
  app: string;
}

/** Which profile type, from which server, and how functions are counted. */
export interface QueryFlags {
  /** cpu, alloc, lock, wall or a full profile type ID. */
  type: string;
  server?: string;
  tenant?: string;
  policy?: string;
  /** Package prefixes of own code, with slashes (`com/shop/`); library time is attributed to them. */
  own?: string[];
  /** Every frame with its own self time, no attribution to own code. */
  all: boolean;
  limit: number;
}

export interface Options {
  operatorNamespace: string;
  context?: string;
}

export const USAGE = `Usage: fleetscope <command> [flags]   (also: kubectl fleetscope)

Commands:
  status                                Every policy: coverage and where its rollout stands
  explain pod <name> [-n <namespace>]   Which policy matches the pod, what was or would be
                                        injected, or exactly why not (also deployment, sts, ds)
  why <namespace>/<pod|workload>        Whether it is profiled, and why not
  why <namespace>/<kind>/<name>         The same for a Deployment, StatefulSet or DaemonSet
  coverage [policy]                     Coverage per policy; per reason for one policy
  rollout status|pause|resume <policy>  Progress of a Rolling rollout; stop or continue it
  top --app <name>                      The functions that cost the most, self and total
  flamegraph --app <name> -o <file>     A flame graph picture: .svg, or .html with zoom and search
  diff --app <name> --before A..B --after C..D
                                        What grew between two ranges, e.g. before and after a deploy
  diff --app <ns>/<workload> --revisions [OLD..NEW]
                                        Which functions' share grew or shrank between two revisions
                                        of a Deployment, StatefulSet or DaemonSet (default: the last two)
  regressions --since <duration>        Every profiled workload with a new revision in the window,
                                        with its top regression, largest growth first

Profile flags (top, flamegraph, diff, regressions):
  --app <name>         Application (service_name), e.g. shop/checkout
  --type <kind>        cpu (default), alloc, lock, wall, or a full profile type ID
  --from <time>        Start, default now-15m; times are now, now-15m, RFC3339 or epoch ms
  --to <time>          End, default now
  --before <from..to>  diff: the range before, e.g. now-2h..now-1h
  --after <from..to>   diff: the range after, e.g. now-1h..now
  --revisions [a..b]   diff: compare revisions (numbers or hashes) instead of ranges
  --since <duration>   regressions: the window, e.g. 24h, 90m, 7d
  --min-samples <n>    diff --revisions, regressions: samples each revision needs (default 500)
  --server <url>       Pyroscope query URL (default $PYROSCOPE_URL, else the policy's readURL)
  --policy <name>      Read the query URL and tenant from this ProfilingPolicy
  --tenant <id>        X-Scope-OrgID (default $PYROSCOPE_TENANT_ID, else the policy's tenantID)
  --own <prefix>       Own code, e.g. com.shop (repeatable): library time counts to the own caller
  --all                Every frame with its own self time, no attribution
  --limit <n>          Rows to print (default 20)
  -o, --output <file>  flamegraph: where to write, .svg or .html; diff: a diff flame graph, .html;
                       regressions: -o json for scripts

Flags:
  -n, --namespace <ns>       explain: namespace of the pod or workload (default "default")
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

const PROFILE_FLAGS = [
  "app",
  "type",
  "from",
  "to",
  "before",
  "after",
  "server",
  "policy",
  "tenant",
  "own",
  "all",
  "limit",
  "output",
  "revisions",
  "since",
  "min-samples",
] as const;

export function parseCommand(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  now: number = Date.now(),
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
  if (name === "top" || name === "flamegraph" || name === "diff" || name === "regressions") {
    try {
      if (name === "regressions")
        return { command: regressionsCommand(rest, values, now), options };
      return { command: profileCommand(name, rest, values, now), options };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  const stray = PROFILE_FLAGS.find((f) => values[f] !== undefined);
  if (stray) return { error: `--${stray} is a flag of top, flamegraph, diff and regressions` };
  if (values.namespace !== undefined && name !== "explain")
    return { error: "-n/--namespace is a flag of explain; why takes <namespace>/<name>" };
  if (name === "status") {
    if (rest.length > 0) return { error: "status takes no arguments; see coverage <policy>" };
    return { command: { name: "status" }, options };
  }
  if (name === "explain") {
    const [kindArg, target] = rest;
    const kind = kindArg ? own(KINDS, kindArg.toLowerCase()) : undefined;
    if (!kind || !target || rest.length !== 2 || target.includes("/"))
      return {
        error: "explain takes pod (or deployment, statefulset, daemonset) <name> [-n <namespace>]",
      };
    if (values.namespace === "") return { error: "-n needs a namespace" };
    return {
      command: { name: "explain", kind, namespace: values.namespace ?? "default", target },
      options,
    };
  }
  if (name === "why") {
    const parts = (rest[0] ?? "").split("/");
    if (rest.length !== 1 || parts.some((p) => p === "") || parts.length < 2 || parts.length > 3)
      return { error: "why takes <namespace>/<name> or <namespace>/<kind>/<name>" };
    if (parts.length === 3) {
      const kind = own(KINDS, parts[1]!.toLowerCase());
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

type Values = ReturnType<typeof parse>["values"];

function queryFlags(values: Values): QueryFlags {
  const type = values.type ?? "cpu";
  if (!type.includes(":") && !(PROFILE_KINDS as readonly string[]).includes(type))
    throw new Error(`unknown --type ${type}: use ${PROFILE_KINDS.join(", ")} or a profile type ID`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`--limit must be a positive integer, not ${values.limit}`);
  const own = values.own?.flatMap((o) => o.split(",")).filter((o) => o !== "");
  return {
    type,
    all: values.all ?? false,
    limit,
    ...(values.server ? { server: values.server } : {}),
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(values.policy ? { policy: values.policy } : {}),
    ...(own?.length ? { own: own.map(ownPrefix) } : {}),
  };
}

function minSamples(values: Values): number {
  if (values["min-samples"] === undefined) return MIN_SAMPLES;
  const n = Number(values["min-samples"]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--min-samples must be a positive integer, not ${values["min-samples"]}`);
  return n;
}

/** A diff flame graph is an HTML page; the name says so. */
function diffOutput(values: Values): { output?: string } {
  if (!values.output) return {};
  if (!/\.html?$/i.test(values.output))
    throw new Error(
      `-o ${values.output}: diff writes a diff flame graph, the name must end in .html`,
    );
  return { output: values.output };
}

function regressionsCommand(rest: string[], values: Values, now: number): Command {
  if (rest.length > 0) throw new Error(`regressions takes flags only, not ${rest.join(" ")}`);
  const misplaced = (["app", "from", "to", "before", "after", "revisions"] as const).find(
    (f) => values[f] !== undefined,
  );
  if (misplaced) throw new Error(`--${misplaced} is not a flag of regressions`);
  const sinceText = values.since ?? "24h";
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(sinceText))
    throw new Error(`--since ${sinceText}: use a duration such as 24h, 90m or 7d`);
  const output = values.output ?? "table";
  if (output !== "json" && output !== "table")
    throw new Error(`-o ${output}: regressions prints a table, or json with -o json`);
  return {
    name: "regressions",
    profile: queryFlags(values),
    since: parseTime(`now-${sinceText}`, now),
    sinceText,
    json: output === "json",
    minSamples: minSamples(values),
  };
}

function profileCommand(
  name: "top" | "flamegraph" | "diff",
  rest: string[],
  values: Values,
  now: number,
): Command {
  if (rest.length > 0) throw new Error(`${name} takes flags only, not ${rest.join(" ")}`);
  if (!values.app) throw new Error(`${name} needs --app <name>, e.g. --app shop/checkout`);
  const profile: ProfileFlags = { app: values.app, ...queryFlags(values) };
  if (values.since !== undefined) throw new Error("--since is a flag of regressions");
  if (name !== "diff" && values.revisions !== undefined)
    throw new Error("--revisions is a flag of diff");
  if (name !== "diff" && values["min-samples"] !== undefined)
    throw new Error("--min-samples is a flag of diff --revisions and regressions");
  if (name === "diff" && values.revisions !== undefined) {
    if (values.from || values.to || values.before || values.after)
      throw new Error(
        "diff --revisions reads the ranges from the revisions: drop --before/--after/--from/--to",
      );
    const parts = values.app.split("/");
    if (parts.length !== 2 || parts.some((p) => p === ""))
      throw new Error(`diff --revisions needs --app <namespace>/<workload>, not ${values.app}`);
    return {
      name: "diff-revisions",
      profile,
      namespace: parts[0]!,
      workload: parts[1]!,
      ...(values.revisions ? { revisions: values.revisions } : {}),
      ...diffOutput(values),
      minSamples: minSamples(values),
    };
  }
  if (name === "diff") {
    if (values.from || values.to)
      throw new Error("diff takes --before FROM..TO and --after FROM..TO, not --from/--to");
    if (!values.before || !values.after)
      throw new Error(
        "diff needs --before FROM..TO and --after FROM..TO (e.g. now-2h..now-1h), or --revisions",
      );
    return {
      name,
      profile,
      before: parseRangeText(values.before, now),
      after: parseRangeText(values.after, now),
      ...diffOutput(values),
    };
  }
  if (values.before || values.after) throw new Error(`--before and --after are flags of diff`);
  const range = makeRange(values.from ?? "now-15m", values.to ?? "now", now);
  if (name === "top") {
    if (values.output) throw new Error("top prints to the terminal; -o is a flag of flamegraph");
    return { name, profile, range };
  }
  const output = values.output;
  if (!output) throw new Error("flamegraph needs -o <file>.svg or -o <file>.html");
  const format = /\.svg$/i.test(output) ? "svg" : /\.html?$/i.test(output) ? "html" : undefined;
  if (!format) throw new Error(`-o ${output}: the name must end in .svg or .html`);
  return { name, profile, range, output, format };
}

/** `com.shop` and `com/shop/` both mean the frames under `com/shop/`; a prefix with a slash is kept. */
function ownPrefix(p: string): string {
  if (p.includes("/")) return p;
  return `${p.replaceAll(".", "/").replace(/\/+$/, "")}/`;
}

/** `--revisions` may stand alone (the last two revisions): give it an empty value then. */
function optionalRevisions(argv: readonly string[]): string[] {
  return argv.map((a, i) => {
    const next = argv[i + 1];
    return a === "--revisions" && (next === undefined || next.startsWith("-")) ? "--revisions=" : a;
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: optionalRevisions(argv),
    allowPositionals: true,
    options: {
      "operator-namespace": { type: "string" },
      context: { type: "string" },
      namespace: { type: "string", short: "n" },
      app: { type: "string" },
      type: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      before: { type: "string" },
      after: { type: "string" },
      server: { type: "string" },
      policy: { type: "string" },
      tenant: { type: "string" },
      own: { type: "string", multiple: true },
      all: { type: "boolean" },
      limit: { type: "string" },
      output: { type: "string", short: "o" },
      revisions: { type: "string" },
      since: { type: "string" },
      "min-samples": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
