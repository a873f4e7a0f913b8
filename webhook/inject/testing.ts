// Test support: loading AdmissionReview fixtures and building settings and namespaces.
import { readFileSync } from "node:fs";
import type { V1Container, V1EnvVar, V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import { dict } from "../../core/testing.ts";
import type { InjectionSettings, MutationInput, NamespaceInfo, ProbedLevel } from "./settings.ts";

/** A Java pod carrying `key` as a label, an annotation, an env var and a CSI volume attribute. */
export function podWithKey(key: string): V1Pod {
  // Through JSON, as the webhook receives it: `__proto__` becomes an own key, not a prototype.
  return JSON.parse(
    JSON.stringify({
      metadata: {
        generateName: "checkout-7d9f8b6c4d-",
        labels: dict([
          ["app.kubernetes.io/name", "checkout"],
          [key, "label"],
        ]),
        annotations: dict([[key, "annotation"]]),
      },
      spec: {
        containers: [
          {
            name: "app",
            image: "eclipse-temurin:21-jre",
            env: [
              { name: key, value: "env" },
              { name: "JAVA_TOOL_OPTIONS", value: `-Xmx1g -Dx=$(${key})` },
            ],
          },
        ],
        volumes: [{ name: "csi", csi: { driver: "d", volumeAttributes: dict([[key, "attr"]]) } }],
      },
    }),
  );
}

export interface Review {
  pod: V1Pod;
  operation: string;
  namespace: string;
}

export function loadReview(fixture: string): Review {
  const text = readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), "utf8");
  const review = parse(text) as {
    request: { operation: string; namespace: string; object: V1Pod | null; oldObject?: V1Pod };
  };
  const { request } = review;
  return {
    pod: (request.object ?? request.oldObject) as V1Pod,
    operation: request.operation,
    namespace: request.namespace,
  };
}

export function settings(overrides: Partial<InjectionSettings> = {}): InjectionSettings {
  return {
    policyName: "java-fleet",
    policyGeneration: 3,
    revision: "5f3a9c01d2",
    dryRun: false,
    agentVersion: "2.9.2",
    initImage: "ghcr.io/fleetscope/pyroscope-java-agent:2.9.2",
    initResources: {},
    serverAddress: "http://pyroscope.pyroscope.svc:4040",
    applicationNameTemplate: "{namespace}/{workload}",
    profiles: { event: "itimer", interval: "10ms" },
    uploadInterval: "10s",
    labels: {},
    sysPtrace: "Auto",
    containers: { detect: "Java", names: [] },
    ...overrides,
  };
}

/** A namespace with an optional enforce label and an optional probed level. */
export function namespace(name: string, enforce?: string, probed?: ProbedLevel): NamespaceInfo {
  return {
    name,
    labels: enforce ? { "pod-security.kubernetes.io/enforce": enforce } : {},
    ...(probed ? { probedLevel: probed } : {}),
  };
}

/** The mutation input for a fixture; pass `null` for "no matching policy". */
export function input(
  fixture: string,
  s: InjectionSettings | null = settings(),
  enforce?: string,
  probed?: ProbedLevel,
): MutationInput {
  const review = loadReview(fixture);
  return {
    pod: review.pod,
    operation: review.operation,
    namespace: namespace(review.namespace, enforce, probed),
    settings: s ?? undefined,
  };
}

export function container(pod: V1Pod, name: string): V1Container {
  const c = pod.spec?.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

export function envVar(c: V1Container, name: string): V1EnvVar | undefined {
  return (c.env ?? []).findLast((e) => e.name === name);
}

export function envValue(c: V1Container, name: string): string | undefined {
  return envVar(c, name)?.value;
}

/** `-Dpyroscope.<key>=<value>` from an options string. */
export function property(options: string | undefined, key: string): string | undefined {
  const prefix = `-Dpyroscope.${key}=`;
  return options
    ?.split(" ")
    .find((t) => t.startsWith(prefix))
    ?.slice(prefix.length);
}
