// Where the JVM's temp dir must point for the agent to start: the agent unpacks async-profiler's
// native library into java.io.tmpdir (it ignores PYROSCOPE_TMP_DIR there), so a read-only root
// filesystem with nothing writable at /tmp makes the JVM fail at start.
import { posix } from "node:path";
import type { V1Container } from "@kubernetes/client-node";
import { JAVA_TOOL_OPTIONS, TMP_DIR } from "../../core/names.ts";

/** The JVM's default temp dir on Linux, whatever TMPDIR says. */
const JVM_DEFAULT_TMP = "/tmp";
const TMPDIR_PROPERTY = "-Djava.io.tmpdir";
export const TMPDIR_OPTION = `${TMPDIR_PROPERTY}=${TMP_DIR}`;

export type TmpDirPlan =
  | { kind: "leave" }
  | { kind: "set"; option: string }
  | { kind: "refuse"; reason: string; message: string };

/**
 * readOnlyRootFilesystem exists only in the container's security context: the pod-level one has
 * no such field, so nothing is inherited.
 */
function readOnlyRoot(c: V1Container): boolean {
  return c.securityContext?.readOnlyRootFilesystem === true;
}

/** A writable volume at /tmp or at a parent of it. */
function writableTmpMount(c: V1Container): boolean {
  const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
  return mounts.some((m) => {
    if (typeof m?.mountPath !== "string" || m.readOnly === true) return false;
    const path = posix.normalize(m.mountPath).replace(/(.)\/+$/, "$1");
    return path === JVM_DEFAULT_TMP || path === "/";
  });
}

/**
 * Any visible mention of the property, in any env value (JAVA_OPTS and start-script variables
 * included) or on the command line, is the user's choice and is left alone.
 */
function userSetsTmpDir(c: V1Container): boolean {
  const env = Array.isArray(c.env) ? c.env : [];
  const words = [
    ...env.map((e) => e?.value),
    ...(Array.isArray(c.command) ? c.command : []),
    ...(Array.isArray(c.args) ? c.args : []),
  ];
  return words.some((w) => typeof w === "string" && w.includes(TMPDIR_PROPERTY));
}

/**
 * The JVM reads JAVA_TOOL_OPTIONS before JDK_JAVA_OPTIONS, the command line and _JAVA_OPTIONS,
 * and the last -D of a name wins: set there, the property still yields to any the user sets
 * where this function cannot see it. In JDK_JAVA_OPTIONS it would override a JAVA_TOOL_OPTIONS
 * that cannot be read, so then the container is refused rather than started to fail.
 */
export function planTmpDir(c: V1Container, variable: string): TmpDirPlan {
  if (!readOnlyRoot(c) || writableTmpMount(c) || userSetsTmpDir(c)) return { kind: "leave" };
  if (variable === JAVA_TOOL_OPTIONS) return { kind: "set", option: TMPDIR_OPTION };
  return {
    kind: "refuse",
    reason: "no-writable-tmp",
    message: `the root filesystem is read-only, nothing writable is mounted at ${JVM_DEFAULT_TMP}, and ${JAVA_TOOL_OPTIONS} cannot be read to see whether it sets java.io.tmpdir: the agent would fail to unpack its native library; mount a writable volume at ${JVM_DEFAULT_TMP} or set ${TMPDIR_PROPERTY} by value`,
  };
}
