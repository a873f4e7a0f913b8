// The admission decision and edit for one pod, as a pure function: it edits a copy of the pod
// and returns the difference as a JSON Patch, with an account of what it did and why.
// The copy is shallow except where it is edited (metadata labels and annotations, the pod spec's
// lists, the injected containers and their security context): everything else is shared with
// the input, never written to, and skipped by the diff as the same reference.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import {
  AGENT_DIR,
  AGENT_VOLUME,
  ANNOTATION_ENVFROM_JAVA_OPTIONS,
  ANNOTATION_EVENT_FALLBACK,
  ANNOTATION_INJECTED_CONTAINERS,
  ANNOTATION_POLICY,
  ANNOTATION_SKIP_REASON,
  ANNOTATION_SKIPPED_CONTAINERS,
  ANNOTATION_WOULD_INJECT,
  INIT_CONTAINER,
  JAVA_TOOL_OPTIONS,
  LABEL_AGENT_VERSION,
  LABEL_DRY_RUN,
  LABEL_INJECTED,
  LABEL_POLICY,
  LABEL_POLICY_GENERATION,
  LABEL_POLICY_REVISION,
  LABEL_SKIP_REASON,
  RESERVED_ENV_PREFIX,
  TMP_DIR,
  TMP_VOLUME,
} from "../../core/names.ts";
import { agentEnv, downwardApiEnv, jvmOptions } from "./agent-options.ts";
import { applicationName, owningWorkload } from "./app-name.ts";
import { addPtrace, type CapabilityPlan, planCapabilities, ptraceStatus } from "./capabilities.ts";
import { agentInitContainer, agentVolumes, targetMounts } from "./init-container.ts";
import { isInjected } from "./injected.ts";
import { appendOptions, type JvmOptionsPlan, planJvmOptions } from "./java-options.ts";
import { diff } from "./json-patch.ts";
import { revisionLabelKey } from "./revision.ts";
import { kubeLabelValue } from "./sanitize.ts";
import type { InjectionSettings, MutationInput, MutationResult, SkipRecord } from "./settings.ts";
import { firstSkip, type PodContext, type PodSkip } from "./skip-reasons.ts";
import { type ContainerChoice, chooseContainers } from "./targets.ts";
import { planTmpDir } from "./tmp-dir.ts";

export function mutate(input: MutationInput): MutationResult {
  const result: MutationResult = { patch: [], injected: [], skipped: [], warnings: [], events: [] };
  const { pod, settings } = input;
  let choices: ContainerChoice[] | undefined;
  const ctx: PodContext = {
    input,
    pod,
    settings,
    choices: () => {
      choices ??= settings ? chooseContainers(pod, settings.containers) : [];
      return choices;
    },
  };
  const skip = firstSkip(ctx);
  if (skip) {
    result.skipped.push({ reason: skip.reason, message: skip.message });
    if (skip.reason === "already-injected") {
      result.injected = ctx
        .choices()
        .filter((c) => c.target)
        .map((c) => c.container.name);
    }
    if (skip.record) recordSkip(result, pod, settings, skip);
    return result;
  }
  return inject(result, input, settings!, ctx.choices());
}

interface Outcome {
  injectedNow: string[];
  alreadyInjected: string[];
  refused: SkipRecord[];
}

function inject(
  result: MutationResult,
  input: MutationInput,
  settings: InjectionSettings,
  choices: ContainerChoice[],
): MutationResult {
  const { pod, namespace } = input;
  const edited = copyMetadata(pod);
  edited.spec = { ...pod.spec!, containers: [...pod.spec!.containers] };
  const editedContainers = edited.spec.containers;
  const caps = planCapabilities(
    settings.sysPtrace,
    settings.profiles.event,
    namespace,
    namespace.probedLevel,
  );
  const trustEnvFrom = pod.metadata?.annotations?.[ANNOTATION_ENVFROM_JAVA_OPTIONS] === "false";
  const workload = owningWorkload(pod).name;
  const revisionLabel = revisionLabelKey(pod);
  const outcome: Outcome = { injectedNow: [], alreadyInjected: [], refused: [] };

  choices.forEach((choice, i) => {
    const c = choice.container;
    if (!choice.target) {
      result.skipped.push({
        container: c.name,
        reason: choice.reason ?? "not-targeted",
        message: choice.message,
      });
      return;
    }
    if (isInjected(c)) {
      outcome.alreadyInjected.push(c.name);
      return;
    }
    const conflict = containerConflict(c);
    const plan: JvmOptionsPlan = conflict
      ? { kind: "refuse", reason: "name-conflict", message: conflict }
      : planJvmOptions(c, trustEnvFrom);
    if (plan.kind === "present") {
      outcome.alreadyInjected.push(c.name);
      return;
    }
    if (plan.kind === "refuse") {
      outcome.refused.push({ container: c.name, reason: plan.reason, message: plan.message });
      return;
    }
    const tmp = planTmpDir(c, plan.variable);
    if (tmp.kind === "refuse") {
      outcome.refused.push({ container: c.name, reason: tmp.reason, message: tmp.message });
      return;
    }
    const event = containerEvent(c, caps, result);
    if (plan.variable !== JAVA_TOOL_OPTIONS) {
      result.warnings.push(
        `container ${c.name}: the agent is attached through ${plan.variable} because ${JAVA_TOOL_OPTIONS} cannot be merged; only the java launcher of JDK 9+ reads it`,
      );
    }
    if (!settings.dryRun) {
      const target: V1Container = { ...editedContainers[i]! };
      editedContainers[i] = target;
      const options = jvmOptions(settings, {
        applicationName: applicationName(
          pod,
          namespace.name,
          settings.applicationNameTemplate,
          c.name,
        ),
        workload,
        container: c.name,
        event,
        ...(revisionLabel ? { revisionLabel } : {}),
      });
      const withTmp = tmp.kind === "set" ? `${options} ${tmp.option}` : options;
      editContainer(target, plan, withTmp, settings, revisionLabel);
      if (caps.addPtrace && ptraceStatus(c) === "absent") {
        copySecurityContext(target);
        addPtrace(target);
      }
    }
    outcome.injectedNow.push(c.name);
  });

  for (const r of outcome.refused) {
    result.skipped.push(r);
    result.warnings.push(`container ${r.container}: not injected: ${r.message}`);
    result.events.push({
      reason: "InjectionSkipped",
      message: `container ${r.container}: ${r.message}`,
    });
  }
  const injected = choices
    .map((c) => c.container.name)
    .filter((n) => outcome.injectedNow.includes(n) || outcome.alreadyInjected.includes(n));

  if (injected.length === 0) {
    const first = outcome.refused[0];
    const skip: PodSkip = {
      reason: first?.reason ?? "no-target-container",
      message: `no container could be injected: ${outcome.refused.map((r) => `${r.container}: ${r.message}`).join("; ")}`,
      record: true,
    };
    result.skipped.push({ reason: skip.reason, message: skip.message });
    recordSkip(result, pod, settings, skip);
    return result;
  }

  if (caps.notAdded && outcome.injectedNow.length > 0)
    result.warnings.push(`SYS_PTRACE not added: ${caps.notAdded}`);
  if (caps.fallback && outcome.injectedNow.length > 0) {
    result.warnings.push(caps.fallback);
    result.events.push({ reason: "ProfilerEventFallback", message: caps.fallback });
  }

  const { labels, annotations } = metadataMaps(edited);
  labels[LABEL_POLICY] = kubeLabelValue(settings.policyName);
  labels[LABEL_POLICY_GENERATION] = String(settings.policyGeneration);
  labels[LABEL_POLICY_REVISION] = settings.revision;
  annotations[ANNOTATION_POLICY] = settings.policyName;
  delete labels[LABEL_SKIP_REASON];
  delete annotations[ANNOTATION_SKIP_REASON];
  if (outcome.refused.length > 0) {
    annotations[ANNOTATION_SKIPPED_CONTAINERS] = outcome.refused
      .map((r) => `${r.container}=${r.reason}`)
      .join(",");
  }
  if (caps.fallback) annotations[ANNOTATION_EVENT_FALLBACK] = caps.fallback;

  if (settings.dryRun) {
    labels[LABEL_DRY_RUN] = "would-inject";
    annotations[ANNOTATION_WOULD_INJECT] = injected.join(",");
    result.events.push({
      reason: "WouldInject",
      message: `dry run: policy ${settings.policyName} would inject the Pyroscope agent into ${injected.join(", ")}`,
    });
  } else {
    labels[LABEL_INJECTED] = "true";
    labels[LABEL_AGENT_VERSION] = kubeLabelValue(settings.agentVersion);
    annotations[ANNOTATION_INJECTED_CONTAINERS] = injected.join(",");
    addPodParts(edited, pod, settings);
    result.injected = injected;
    if (outcome.injectedNow.length > 0) {
      result.events.push({
        reason: "Injected",
        message: `Pyroscope agent ${settings.agentVersion} injected into ${outcome.injectedNow.join(", ")} by policy ${settings.policyName} (generation ${settings.policyGeneration})`,
      });
    }
  }
  result.patch = diff(pod, edited);
  return result;
}

/** Reserved paths, volume names or env names in a container not injected by us. */
function containerConflict(c: V1Container): string | undefined {
  const mounts = c.volumeMounts ?? [];
  const mount = mounts.find(
    (m) =>
      m.mountPath === AGENT_DIR ||
      m.mountPath === TMP_DIR ||
      m.name === AGENT_VOLUME ||
      m.name === TMP_VOLUME,
  );
  if (mount) return `volume mount ${mount.name} at ${mount.mountPath} uses a reserved name or path`;
  const env = (c.env ?? []).find((e) => e.name.startsWith(RESERVED_ENV_PREFIX));
  if (env) return `env var ${env.name} uses the reserved prefix ${RESERVED_ENV_PREFIX}`;
  return undefined;
}

/** The profiler event for one container: `cpu` needs the capability it explicitly drops. */
function containerEvent(c: V1Container, caps: CapabilityPlan, result: MutationResult) {
  if (caps.addPtrace && caps.event === "cpu" && ptraceStatus(c) === "dropped") {
    result.warnings.push(
      `container ${c.name}: drops SYS_PTRACE, so it is profiled with itimer instead of cpu`,
    );
    return "itimer" as const;
  }
  return caps.event;
}

/**
 * Downward API definitions go first so that a JAVA_TOOL_OPTIONS anywhere in the list can
 * reference them; the user's variables keep their order and values, only the options variable
 * grows. Agent env the user already sets is left to the user.
 */
function editContainer(
  c: V1Container,
  plan: Extract<JvmOptionsPlan, { kind: "append" | "add" }>,
  options: string,
  settings: InjectionSettings,
  revisionLabel: string | undefined,
): void {
  const defs = downwardApiEnv(revisionLabel);
  const env = [...defs, ...(c.env ?? [])];
  if (plan.kind === "append") {
    const at = plan.index + defs.length;
    const existing = env[at]!;
    env[at] = { ...existing, value: appendOptions(existing.value ?? "", options) };
  }
  const names = new Set(env.map((e) => e.name));
  for (const e of agentEnv(settings)) {
    if (!names.has(e.name)) env.push(e);
  }
  if (plan.kind === "add") env.push({ name: plan.variable, value: options });
  c.env = env;
  c.volumeMounts = [...(c.volumeMounts ?? []), ...targetMounts()];
}

/** Init container and volumes, once per pod. */
function addPodParts(edited: V1Pod, original: V1Pod, settings: InjectionSettings): void {
  const spec = edited.spec!;
  if ((spec.initContainers ?? []).some((c) => c.name === INIT_CONTAINER)) return;
  spec.initContainers = [...(spec.initContainers ?? []), agentInitContainer(original, settings)];
  spec.volumes = [...(spec.volumes ?? []), ...agentVolumes()];
}

function recordSkip(
  result: MutationResult,
  pod: V1Pod,
  settings: InjectionSettings | undefined,
  skip: PodSkip,
): void {
  const edited = copyMetadata(pod);
  const { labels, annotations } = metadataMaps(edited);
  labels[LABEL_SKIP_REASON] = kubeLabelValue(skip.reason);
  annotations[ANNOTATION_SKIP_REASON] = skip.message;
  if (settings) {
    labels[LABEL_POLICY] = kubeLabelValue(settings.policyName);
    labels[LABEL_POLICY_GENERATION] = String(settings.policyGeneration);
    labels[LABEL_POLICY_REVISION] = settings.revision;
    annotations[ANNOTATION_POLICY] = settings.policyName;
  }
  result.events.push({ reason: "InjectionSkipped", message: skip.message });
  result.patch = diff(pod, edited);
}

/** A copy of the pod sharing everything but its metadata and its label and annotation maps. */
function copyMetadata(pod: V1Pod): V1Pod {
  const edited = { ...pod };
  const m = pod.metadata;
  if (m) {
    edited.metadata = { ...m };
    if (m.labels) edited.metadata.labels = { ...m.labels };
    if (m.annotations) edited.metadata.annotations = { ...m.annotations };
  }
  return edited;
}

/** Gives a container copy its own security context and capabilities, which addPtrace edits. */
function copySecurityContext(c: V1Container): void {
  const sc = c.securityContext;
  if (!sc) return;
  c.securityContext = { ...sc };
  if (sc.capabilities) c.securityContext.capabilities = { ...sc.capabilities };
}

/** The pod's label and annotation maps, created when absent. */
function metadataMaps(pod: V1Pod): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  pod.metadata ??= {};
  pod.metadata.labels ??= {};
  pod.metadata.annotations ??= {};
  return { labels: pod.metadata.labels, annotations: pod.metadata.annotations };
}
