// Names, paths and metadata keys the injection reserves in pods, kept in one place so that
// detection of earlier injections and the injection itself can never disagree.

/** Shared volume the init container fills with the agent jar; read-only in target containers. */
export const AGENT_VOLUME = "fleetscope-agent";
/** Writable, executable scratch volume where async-profiler extracts its native library. */
export const TMP_VOLUME = "fleetscope-tmp";
export const INIT_CONTAINER = "fleetscope-agent-init";

export const AGENT_DIR = "/fleetscope/agent";
export const TMP_DIR = "/fleetscope/tmp";
export const AGENT_JAR = `${AGENT_DIR}/pyroscope.jar`;
/** Where the init image carries the jar; part of the contract with the init image. */
export const INIT_IMAGE_JAR = "/agent/pyroscope.jar";
/** The marker of an injected container: our -javaagent flag in its JVM options. */
export const JAVAAGENT_FLAG = `-javaagent:${AGENT_JAR}`;

/** Non-root user and group for the init container when the pod names none. */
export const DEFAULT_NON_ROOT_ID = 65532;

export const JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
export const JDK_JAVA_OPTIONS = "JDK_JAVA_OPTIONS";

/** Downward API variables referenced with $(VAR) from the agent options. */
export const ENV_POD_NAME = "FLEETSCOPE_POD_NAME";
export const ENV_NAMESPACE = "FLEETSCOPE_NAMESPACE";
export const ENV_NODE_NAME = "FLEETSCOPE_NODE_NAME";
/** The pod's workload revision (pod-template-hash or controller-revision-hash). */
export const ENV_REVISION = "FLEETSCOPE_REVISION";
export const RESERVED_ENV_PREFIX = "FLEETSCOPE_";

/** Profile label naming the workload revision; `fleetscope diff --revisions` selects by it. */
export const PROFILE_LABEL_REVISION = "revision";

export const ENV_TMP_DIR = "PYROSCOPE_TMP_DIR";
export const ENV_BASIC_AUTH_USER = "PYROSCOPE_BASIC_AUTH_USER";
export const ENV_BASIC_AUTH_PASSWORD = "PYROSCOPE_BASIC_AUTH_PASSWORD";

/** Pod label `"false"` opts a pod out. */
export const LABEL_INJECT = "fleetscope.io/inject";
export const LABEL_INJECTED = "fleetscope.io/injected";
export const LABEL_POLICY = "fleetscope.io/policy";
export const LABEL_POLICY_GENERATION = "fleetscope.io/policy-generation";
export const LABEL_POLICY_REVISION = "fleetscope.io/policy-revision";
export const LABEL_AGENT_VERSION = "fleetscope.io/agent-version";
export const LABEL_DRY_RUN = "fleetscope.io/dry-run";
/** Short reason code as a label (selectable), the human message as an annotation. */
export const LABEL_SKIP_REASON = "fleetscope.io/skip-reason";
export const ANNOTATION_SKIP_REASON = "fleetscope.io/skip-reason";

/** Full policy name: the label value may have been shortened to fit 63 characters. */
export const ANNOTATION_POLICY = "fleetscope.io/policy";
export const ANNOTATION_APPLICATION_NAME = "fleetscope.io/application-name";
export const ANNOTATION_INJECTED_CONTAINERS = "fleetscope.io/injected-containers";
export const ANNOTATION_SKIPPED_CONTAINERS = "fleetscope.io/skipped-containers";
export const ANNOTATION_WOULD_INJECT = "fleetscope.io/would-inject";
export const ANNOTATION_EVENT_FALLBACK = "fleetscope.io/profiler-event-fallback";
/**
 * Set to `"false"` by a workload owner to assert that the container's envFrom sources carry
 * neither JAVA_TOOL_OPTIONS nor JDK_JAVA_OPTIONS; without it such containers cannot be merged
 * into safely (see docs/adr/0003-pure-mutation.md).
 */
export const ANNOTATION_ENVFROM_JAVA_OPTIONS = "fleetscope.io/envfrom-sets-java-options";

export const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";
