// Recognises a container injected earlier, so that re-invocation and repeated calls are no-ops.
import type { V1Container } from "@kubernetes/client-node";
import { JAVA_TOOL_OPTIONS, JAVAAGENT_FLAG, JDK_JAVA_OPTIONS } from "../../core/names.ts";

/** Our -javaagent flag in a JVM options variable set by value is the one durable marker. */
export function isInjected(c: V1Container): boolean {
  const env = Array.isArray(c.env) ? c.env : [];
  return env.some(
    (e) =>
      (e?.name === JAVA_TOOL_OPTIONS || e?.name === JDK_JAVA_OPTIONS) &&
      typeof e.value === "string" &&
      e.value.split(/\s+/).includes(JAVAAGENT_FLAG),
  );
}
