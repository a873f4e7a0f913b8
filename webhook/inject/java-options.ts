// How the agent reaches a container's JVM without losing the user's own JVM options: merge into
// a JAVA_TOOL_OPTIONS set by value, else use JDK_JAVA_OPTIONS, else refuse the container.
import type { V1Container, V1EnvVar } from "@kubernetes/client-node";
import {
  ANNOTATION_ENVFROM_JAVA_OPTIONS,
  JAVA_TOOL_OPTIONS,
  JAVAAGENT_FLAG,
  JDK_JAVA_OPTIONS,
} from "../../core/names.ts";
import { looksLikeJava8 } from "./java-detect.ts";

export type JvmOptionsVariable = typeof JAVA_TOOL_OPTIONS | typeof JDK_JAVA_OPTIONS;

export type JvmOptionsPlan =
  /** Our -javaagent is already in the variable: nothing to do. */
  | { kind: "present"; variable: JvmOptionsVariable }
  /** The variable is set by value at `index` in env: append to it. */
  | { kind: "append"; variable: JvmOptionsVariable; index: number }
  /** Nothing sets the variable: add it. */
  | { kind: "add"; variable: JvmOptionsVariable }
  | { kind: "refuse"; reason: string; message: string };

/** How the user's value of one variable is defined, as Kubernetes resolves it. */
type Source =
  | { kind: "value"; index: number; value: string }
  | { kind: "valueFrom" }
  | { kind: "maybeEnvFrom" }
  | { kind: "unset" };

/**
 * Explicit env entries win over envFrom, and of several entries with one name the last wins.
 * An envFrom source may hold any key, so it may define the variable unless its prefix rules it
 * out, or the pod owner has asserted that it does not.
 */
function sourceOf(c: V1Container, name: string, trustEnvFrom: boolean): Source {
  const env: V1EnvVar[] = Array.isArray(c.env) ? c.env : [];
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i];
    if (e?.name !== name) continue;
    if (e.valueFrom) return { kind: "valueFrom" };
    return { kind: "value", index: i, value: typeof e.value === "string" ? e.value : "" };
  }
  if (!trustEnvFrom) {
    const envFrom = Array.isArray(c.envFrom) ? c.envFrom : [];
    if (envFrom.some((s) => name.startsWith(s?.prefix ?? ""))) return { kind: "maybeEnvFrom" };
  }
  return { kind: "unset" };
}

function hasFlag(value: string): boolean {
  return value.split(/\s+/).includes(JAVAAGENT_FLAG);
}

/**
 * JAVA_TOOL_OPTIONS is read by every JVM (Java 8 included) and is preferred. When the user's
 * value of it cannot be read here (valueFrom, or possibly envFrom), writing it would replace
 * theirs, and the `$(JAVA_TOOL_OPTIONS)` self-reference breaks JVMs where it is undefined.
 * JDK_JAVA_OPTIONS is additive to JAVA_TOOL_OPTIONS but read only by the `java` launcher of
 * JDK 9+, so it is used then, under the same rules, and never for a visibly Java 8 container.
 */
export function planJvmOptions(c: V1Container, trustEnvFrom: boolean): JvmOptionsPlan {
  const tool = sourceOf(c, JAVA_TOOL_OPTIONS, trustEnvFrom);
  const jdk = sourceOf(c, JDK_JAVA_OPTIONS, trustEnvFrom);
  if (tool.kind === "value" && hasFlag(tool.value))
    return { kind: "present", variable: JAVA_TOOL_OPTIONS };
  if (jdk.kind === "value" && hasFlag(jdk.value))
    return { kind: "present", variable: JDK_JAVA_OPTIONS };

  if (tool.kind === "value")
    return { kind: "append", variable: JAVA_TOOL_OPTIONS, index: tool.index };
  if (tool.kind === "unset") return { kind: "add", variable: JAVA_TOOL_OPTIONS };

  const toolWhy =
    tool.kind === "valueFrom"
      ? `${JAVA_TOOL_OPTIONS} is set with valueFrom`
      : `${JAVA_TOOL_OPTIONS} may come from envFrom`;
  if (looksLikeJava8(c)) {
    return {
      kind: "refuse",
      reason: "java8-options-unmergeable",
      message: `${toolWhy} and the container runs Java 8, whose launcher ignores ${JDK_JAVA_OPTIONS}`,
    };
  }
  if (jdk.kind === "value") return { kind: "append", variable: JDK_JAVA_OPTIONS, index: jdk.index };
  if (jdk.kind === "unset") return { kind: "add", variable: JDK_JAVA_OPTIONS };
  const jdkWhy =
    jdk.kind === "valueFrom"
      ? `${JDK_JAVA_OPTIONS} is set with valueFrom`
      : `${JDK_JAVA_OPTIONS} may come from envFrom too`;
  const hint =
    tool.kind === "maybeEnvFrom" || jdk.kind === "maybeEnvFrom"
      ? `; if envFrom sets neither, annotate the pod ${ANNOTATION_ENVFROM_JAVA_OPTIONS}: "false"`
      : "";
  return {
    kind: "refuse",
    reason: "java-options-unmergeable",
    message: `${toolWhy} and ${jdkWhy}: adding the agent would replace the container's own JVM options${hint}`,
  };
}

/** Appends options with one space; the user's value is kept byte for byte. */
export function appendOptions(existing: string, options: string): string {
  return existing.trim() === "" ? options : `${existing} ${options}`;
}
