// The agent's configuration for one container: JVM options (-javaagent and -Dpyroscope.*) and
// the env vars they reference or that must not appear on a command line.
import type { V1EnvVar } from "@kubernetes/client-node";
import {
  ENV_BASIC_AUTH_PASSWORD,
  ENV_BASIC_AUTH_USER,
  ENV_NAMESPACE,
  ENV_NODE_NAME,
  ENV_POD_NAME,
  ENV_REVISION,
  ENV_TMP_DIR,
  JAVAAGENT_FLAG,
  PROFILE_LABEL_REVISION,
  TMP_DIR,
} from "../../core/names.ts";
import { escapeDollars, profileLabelName, profileLabelValue } from "./sanitize.ts";
import type { InjectionSettings, ProfilerEvent } from "./settings.ts";

export interface ContainerFacts {
  /** Already sanitized and `$`-escaped (see applicationName). */
  applicationName: string;
  workload: string;
  container: string;
  /** The event after any Pod Security fallback. */
  event: ProfilerEvent;
  /** The pod label naming its workload revision, when it has one (see revision.ts). */
  revisionLabel?: string;
}

/** Properties the operator manages; extra properties may not override them. */
export const MANAGED_PROPERTIES = new Set([
  "pyroscope.application.name",
  "pyroscope.server.address",
  "pyroscope.format",
  "pyroscope.profiler.event",
  "pyroscope.profiling.interval",
  "pyroscope.profiler.alloc",
  "pyroscope.profiler.lock",
  "pyroscope.upload.interval",
  "pyroscope.labels",
  "pyroscope.tenant.id",
  "pyroscope.log.level",
  "pyroscope.basic.auth.user",
  "pyroscope.basic.auth.password",
  "pyroscope.tmp.dir",
]);

export function propertyKey(key: string): string {
  return key.startsWith("pyroscope.") ? key : `pyroscope.${key}`;
}

/**
 * Downward API values vary per pod and are unknown at admission (a Deployment's pod has no name
 * yet, none has a node): they are env vars referenced as $(VAR), so they must come before any
 * variable that references them.
 */
export function downwardApiEnv(revisionLabel?: string): V1EnvVar[] {
  const field = (name: string, fieldPath: string): V1EnvVar => ({
    name,
    valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } },
  });
  const env = [
    field(ENV_POD_NAME, "metadata.name"),
    field(ENV_NAMESPACE, "metadata.namespace"),
    field(ENV_NODE_NAME, "spec.nodeName"),
  ];
  if (revisionLabel) env.push(field(ENV_REVISION, `metadata.labels['${revisionLabel}']`));
  return env;
}

/**
 * Pod labels first, then the policy's static labels in key order; a static label cannot
 * override a per-pod one. Pod, namespace and node names are DNS names and the revision is a
 * Kubernetes label value: none can hold what the agent's label parser drops.
 */
export function profileLabels(settings: InjectionSettings, facts: ContainerFacts): string {
  const pairs: [string, string][] = [
    ["namespace", `$(${ENV_NAMESPACE})`],
    ["pod", `$(${ENV_POD_NAME})`],
    ["node", `$(${ENV_NODE_NAME})`],
    ["workload", escapeDollars(profileLabelValue(facts.workload))],
    ["container", escapeDollars(profileLabelValue(facts.container))],
  ];
  if (facts.revisionLabel) pairs.push([PROFILE_LABEL_REVISION, `$(${ENV_REVISION})`]);
  const taken = new Set(pairs.map(([k]) => k));
  for (const key of Object.keys(settings.labels ?? {}).sort()) {
    const name = profileLabelName(key);
    if (taken.has(name)) continue;
    taken.add(name);
    pairs.push([escapeDollars(name), escapeDollars(profileLabelValue(settings.labels[key] ?? ""))]);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join(",");
}

/**
 * The JVM options, joined with single spaces. Every value has been validated to hold no
 * whitespace (see validate-settings.ts), as JVMs split these variables on whitespace.
 * Credentials never go here: the JVM prints JAVA_TOOL_OPTIONS to stderr at start-up.
 */
export function jvmOptions(settings: InjectionSettings, facts: ContainerFacts): string {
  const props: [string, string | undefined][] = [
    ["pyroscope.application.name", facts.applicationName],
    ["pyroscope.server.address", escapeDollars(settings.serverAddress)],
    ["pyroscope.format", "jfr"],
    ["pyroscope.profiler.event", facts.event],
    ["pyroscope.profiling.interval", settings.profiles.interval],
    ["pyroscope.profiler.alloc", settings.profiles.alloc],
    ["pyroscope.profiler.lock", settings.profiles.lock],
    ["pyroscope.upload.interval", settings.uploadInterval],
    ["pyroscope.labels", profileLabels(settings, facts)],
    ["pyroscope.tenant.id", settings.tenantID && escapeDollars(settings.tenantID)],
    ["pyroscope.log.level", settings.logLevel],
  ];
  const extra = settings.extraProperties ?? {};
  for (const key of Object.keys(extra).sort()) {
    const name = propertyKey(key);
    if (!MANAGED_PROPERTIES.has(name)) props.push([name, escapeDollars(extra[key] ?? "")]);
  }
  const tokens = [JAVAAGENT_FLAG];
  for (const [k, v] of props) {
    if (v !== undefined && v !== "") tokens.push(`-D${k}=${v}`);
  }
  return tokens.join(" ");
}

/** Env vars added after the user's: the scratch dir and, when configured, credentials. */
export function agentEnv(settings: InjectionSettings): V1EnvVar[] {
  const env: V1EnvVar[] = [{ name: ENV_TMP_DIR, value: TMP_DIR }];
  const secret = settings.basicAuthSecret;
  if (secret) {
    const ref = (name: string, key: string): V1EnvVar => ({
      name,
      valueFrom: { secretKeyRef: { name: secret.name, key } },
    });
    env.push(
      ref(ENV_BASIC_AUTH_USER, secret.userKey),
      ref(ENV_BASIC_AUTH_PASSWORD, secret.passwordKey),
    );
  }
  return env;
}
