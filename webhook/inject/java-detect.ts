// Recognising JVM containers and service-mesh or infrastructure sidecars from the pod spec alone
// (image, env, command), so that no annotation is needed and the wrong container is never hit.
import type { V1Container } from "@kubernetes/client-node";

export interface ImageRef {
  /** Repository path without registry, `library/` or tag, lower-cased: `bellsoft/liberica-openjdk-alpine`. */
  path: string;
  tag: string | undefined;
}

export function parseImage(image: string | undefined): ImageRef {
  let rest = (image ?? "").trim().toLowerCase();
  const at = rest.indexOf("@");
  if (at >= 0) rest = rest.slice(0, at);
  const segments = rest.split("/");
  const first = segments[0] ?? "";
  if (
    segments.length > 1 &&
    (first.includes(".") || first.includes(":") || first === "localhost")
  ) {
    segments.shift();
  }
  let tag: string | undefined;
  const lastSegment = segments.at(-1) ?? "";
  const colon = lastSegment.indexOf(":");
  if (colon >= 0) {
    tag = lastSegment.slice(colon + 1);
    segments[segments.length - 1] = lastSegment.slice(0, colon);
  }
  if (segments[0] === "library") segments.shift();
  return { path: segments.join("/"), tag };
}

/** Repository paths of JDK/JRE distributions, whose tags start with the Java version. */
const JDK_IMAGES: readonly [pattern: RegExp, what: string][] = [
  [/(^|\/)eclipse-temurin$/, "Eclipse Temurin"],
  [/(^|\/)openjdk$/, "OpenJDK"],
  [/^adoptopenjdk(\/|$)/, "AdoptOpenJDK"],
  [/(^|\/)amazoncorretto$/, "Amazon Corretto"],
  [/(^|\/)zulu-openjdk(-[a-z]+)?$/, "Azul Zulu"],
  [/^azul\/(zulu|prime)/, "Azul"],
  [/(^|\/)ibm-semeru-runtimes$/, "IBM Semeru"],
  [/(^|\/)ibmjava$/, "IBM Java"],
  [/^bellsoft\/liberica-/, "BellSoft Liberica"],
  [/(^|\/)sapmachine$/, "SapMachine"],
  [/(^|\/)graalvm\/(jdk|jdk-community|graalvm-ce|graalvm-community|graalvm-jdk)$/, "GraalVM"],
  [/^openjdk\/jdk$/, "Microsoft Build of OpenJDK"],
  [/(^|\/)openjdk-\d+(-runtime)?$/, "Red Hat UBI OpenJDK"],
  [/^distroless\/java/, "distroless Java"],
  [/^bitnami\/java$/, "Bitnami Java"],
];

/** Java application servers and build tools, whose tags start with their own version. */
const JAVA_APP_IMAGES: readonly [pattern: RegExp, what: string][] = [
  [/(^|\/)tomcat$/, "Apache Tomcat"],
  [/(^|\/)jetty$/, "Eclipse Jetty"],
  [/(^|\/)maven$/, "Apache Maven"],
  [/(^|\/)gradle$/, "Gradle"],
  [/(^|\/)wildfly$/, "WildFly"],
  [/(^|\/)(open-liberty|websphere-liberty)$/, "Liberty"],
  [/^payara\//, "Payara"],
];

const JAVA_IMAGES = [...JDK_IMAGES, ...JAVA_APP_IMAGES];

/** Set by JDK images or read by JVMs and their start scripts. */
const JAVA_ENV = [
  "JAVA_HOME",
  "JAVA_VERSION",
  "JAVA_TOOL_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "JAVA_OPTS",
];

const JAVA_COMMAND = /(^|[\s/;&|'"])java(\s|$)|\s-jar\s+\S+\.jar\b/;

/** Why the container is taken for a JVM, or undefined when nothing says so. */
export function javaEvidence(c: V1Container): string | undefined {
  const { path } = parseImage(c.image);
  for (const [pattern, what] of JAVA_IMAGES) {
    if (pattern.test(path)) return `image is ${what} (${path})`;
  }
  const env = Array.isArray(c.env) ? c.env : [];
  const named = env.find((e) => JAVA_ENV.includes(e?.name));
  if (named) return `sets ${named.name}`;
  const line = [c.command, c.args]
    .flatMap((a) => (Array.isArray(a) ? a : []))
    .filter((s) => typeof s === "string")
    .join(" ");
  if (JAVA_COMMAND.test(` ${line} `)) return "command runs java";
  return undefined;
}

/** Names that mesh injectors and common infrastructure give their sidecars. */
const SIDECAR_NAMES = new Set([
  "istio-proxy",
  "istio-init",
  "istio-validation",
  "linkerd-proxy",
  "linkerd-init",
  "envoy",
  "envoy-sidecar",
  "kuma-sidecar",
  "kuma-init",
  "consul-dataplane",
  "consul-connect-envoy-sidecar",
  "consul-connect-lifecycle-sidecar",
  "daprd",
  "cloudsql-proxy",
  "cloud-sql-proxy",
  "vault-agent",
  "vault-agent-init",
  "kube-rbac-proxy",
  "fluent-bit",
]);

const SIDECAR_IMAGES: readonly RegExp[] = [
  /(^|\/)istio\/proxyv2$/,
  /(^|\/)linkerd\/proxy$/,
  /(^|\/)envoyproxy\/envoy/,
  /(^|\/)aws-appmesh-envoy$/,
  /(^|\/)kuma\/kuma-dp$/,
  /(^|\/)consul-dataplane$/,
  /(^|\/)daprio\/daprd$/,
  /(^|\/)(cloud-sql-proxy|gce-proxy)$/,
  /(^|\/)hashicorp\/vault$/,
  /(^|\/)kube-rbac-proxy$/,
  /(^|\/)fluent-bit$/,
];

/** Why the container is a known sidecar, or undefined. */
export function sidecarEvidence(c: V1Container): string | undefined {
  if (SIDECAR_NAMES.has(c.name)) return `${c.name} is a known sidecar name`;
  const { path } = parseImage(c.image);
  if (SIDECAR_IMAGES.some((p) => p.test(path))) return `image ${path} is a known sidecar`;
  return undefined;
}

/** `8`, `8u392-b08-jre`, `jdk8u392`, `1.8.0_392`, `9.0-jdk8-temurin`, ... */
const JAVA8_VERSION_TAG = /^((jdk|jre|openjdk)-?)?(8|1\.8)(u\d+|\.0)?([-_.b]|$)/;
/** `9.0-jdk8-temurin`: application images name the JDK after their own version. */
const JAVA8_SUFFIX_TAG = /[-_](jdk|jre|openjdk)-?(8|1\.8)(u\d+)?([-_.]|$)/;
const JAVA8_VERSION = /^(jdk-?)?(8u|1\.8)/;

/**
 * Whether the container visibly runs Java 8, whose launcher ignores JDK_JAVA_OPTIONS.
 * Only image tags of known Java images and JAVA_VERSION count: a bare `8` tag of any other
 * image says nothing about its JVM.
 */
export function looksLikeJava8(c: V1Container): boolean {
  const env = Array.isArray(c.env) ? c.env : [];
  const version = env.find((e) => e?.name === "JAVA_VERSION")?.value;
  if (typeof version === "string" && JAVA8_VERSION.test(version.toLowerCase())) return true;
  const { path, tag } = parseImage(c.image);
  if (!tag) return false;
  if (JDK_IMAGES.some(([p]) => p.test(path))) {
    return JAVA8_VERSION_TAG.test(tag) || JAVA8_SUFFIX_TAG.test(tag);
  }
  return JAVA_APP_IMAGES.some(([p]) => p.test(path)) && JAVA8_SUFFIX_TAG.test(tag);
}
