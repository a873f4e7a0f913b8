// spec.agent: the Pyroscope Java agent the operator injects, and how it is configured.
import { Type } from "@sinclair/typebox";
import { AgentDuration, Resources, StringEnum } from "./common.ts";
import { celRule, matchesRule } from "./rules.ts";

/** Placeholders an applicationName may use; each is known when the webhook admits a pod. */
export const applicationNamePlaceholders = [
  "namespace",
  "workload",
  "container",
  "cluster",
] as const;

const appNameRegex = `^([-A-Za-z0-9_./]|[{](${applicationNamePlaceholders.join("|")})[}])+$`;

// The agent splits PYROSCOPE_LABELS on `,` and `=` and silently drops pairs holding `{ } , =`
// or spaces; Pyroscope label names follow Prometheus rules, and `__` names are reserved.
const labelNameRegex = "^[a-zA-Z_][a-zA-Z0-9_]{0,62}$";
const labelValueRegex = "^[^{},= ]{1,128}$";

const profiles = Type.Object(
  {
    cpu: Type.Object(
      {
        event: StringEnum(["itimer", "cpu", "wall"], {
          description:
            "async-profiler event: itimer (CPU time, works in every container), cpu (perf events, needs perf_event access) or wall (wall-clock time, includes waiting threads).",
          default: "itimer",
        }),
        interval: AgentDuration(
          "spec.agent.profiles.cpu.interval",
          "Sampling interval; 10ms is 100 samples per second.",
          "10ms",
        ),
      },
      { description: "CPU (or wall-clock) profiling.", additionalProperties: false, default: {} },
    ),
    alloc: Type.Optional(
      Type.String({
        description:
          "Allocation profiling: sample one allocation every this many bytes, with an optional k, m or g suffix (e.g. 512k). Absent turns allocation profiling off.",
        maxLength: 12,
        "x-kubernetes-validations": [
          matchesRule(
            "^[1-9][0-9]{0,9}[kmg]?$",
            "spec.agent.profiles.alloc must be a size in bytes with an optional k, m or g suffix, e.g. 512k",
          ),
        ],
      }),
    ),
    lock: Type.Optional(
      AgentDuration(
        "spec.agent.profiles.lock",
        "Lock contention profiling: record waits longer than this (e.g. 10ms). Absent turns lock profiling off.",
      ),
    ),
  },
  { description: "What the agent profiles.", additionalProperties: false, default: {} },
);

const labels = Type.Record(
  Type.String(),
  Type.String({
    maxLength: 128,
    "x-kubernetes-validations": [
      matchesRule(
        labelValueRegex,
        "spec.agent.labels values must be 1-128 characters without {, }, ',', '=' or spaces (the agent drops such labels)",
      ),
    ],
  }),
  {
    description:
      "Static labels added to every profile. Keys are label names ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __).",
    maxProperties: 16,
    default: {},
    "x-kubernetes-validations": [
      celRule<Record<string, string>>(
        `self.all(k, k.matches('${labelNameRegex}') && !k.startsWith('__'))`,
        "spec.agent.labels keys must be label names ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __); the agent drops pairs with {, }, ',', '=' or spaces",
        (self) =>
          Object.keys(self).every((k) => new RegExp(labelNameRegex).test(k) && !k.startsWith("__")),
      ),
    ],
  },
);

// Values travel inside JAVA_TOOL_OPTIONS, which the JVM splits on whitespace.
const httpHeaders = Type.Record(
  Type.String(),
  Type.String({ maxLength: 1024, pattern: "^[^\\s]+$" }),
  {
    description:
      "Extra HTTP headers on every upload. Not for credentials: use spec.pyroscope.tenantID and basicAuthSecretRef.",
    maxProperties: 8,
    "x-kubernetes-validations": [
      celRule<Record<string, string>>(
        "self.all(k, k.matches('^[A-Za-z0-9-]{1,64}$'))",
        "spec.agent.httpHeaders keys must be HTTP header names ([A-Za-z0-9-], up to 64 characters)",
        (self) => Object.keys(self).every((k) => /^[A-Za-z0-9-]{1,64}$/.test(k)),
      ),
      celRule<Record<string, string>>(
        "self.all(k, !(k.lowerAscii() in ['authorization', 'x-scope-orgid']))",
        "spec.agent.httpHeaders must not set Authorization or X-Scope-OrgID; use spec.pyroscope.basicAuthSecretRef and spec.pyroscope.tenantID",
        (self) =>
          Object.keys(self).every(
            (k) => !["authorization", "x-scope-orgid"].includes(k.toLowerCase()),
          ),
      ),
    ],
  },
);

export const Agent = Type.Object(
  {
    image: Type.String({
      description:
        "Repository of the init image that copies the agent jar into the pod, without a tag: the tag is version.",
      default: "ghcr.io/fleetscope/pyroscope-java-agent",
      maxLength: 255,
      "x-kubernetes-validations": [
        matchesRule(
          "^[a-z0-9]([-a-z0-9._]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$",
          "spec.agent.image must be an image repository without tag or digest (the tag is spec.agent.version)",
        ),
      ],
    }),
    version: Type.String({
      description: "Pyroscope Java agent version (io.pyroscope:agent), also the init image tag.",
      default: "2.9.2",
      maxLength: 32,
      pattern: "^[0-9]+[.][0-9]+[.][0-9]+$",
    }),
    profiles,
    uploadInterval: AgentDuration(
      "spec.agent.uploadInterval",
      "How often the agent uploads a profile.",
      "10s",
    ),
    applicationName: Type.String({
      description: `Application name template, which Pyroscope also uses as service_name unless labels set one. Placeholders: ${applicationNamePlaceholders.map((p) => `{${p}}`).join(", ")} ({workload} is the owning Deployment, StatefulSet or DaemonSet; {cluster} the operator's configured cluster name). Other characters: letters, digits, - _ . /`,
      default: "{namespace}/{workload}",
      minLength: 1,
      maxLength: 128,
      "x-kubernetes-validations": [
        matchesRule(
          appNameRegex,
          `spec.agent.applicationName may only use the placeholders ${applicationNamePlaceholders.map((p) => `{${p}}`).join(", ")} and the characters A-Z a-z 0-9 - _ . /`,
        ),
      ],
    }),
    labels,
    capabilities: Type.Object(
      {
        sysPtrace: StringEnum(["Auto", "Always", "Never"], {
          description:
            "Whether profiled containers get the SYS_PTRACE capability: Auto adds it only when profiles.cpu.event is cpu (perf events), Always, or Never.",
          default: "Auto",
        }),
      },
      {
        description: "Linux capabilities added to profiled containers.",
        additionalProperties: false,
        default: {},
      },
    ),
    resources: Resources(
      "Resources of the init container that copies the agent jar; replaces the default as a whole.",
      { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    ),
    logLevel: StringEnum(["debug", "info", "warn", "error"], {
      description: "Agent log level.",
      default: "info",
    }),
    ingestMaxTries: Type.Integer({
      description: "Upload attempts per profile before it is dropped; -1 retries forever.",
      default: 8,
      minimum: -1,
      maximum: 100,
    }),
    pushQueueCapacity: Type.Integer({
      description:
        "Profiles buffered while uploads fail; when full the oldest is dropped without a message.",
      default: 8,
      minimum: 1,
      maximum: 1024,
    }),
    httpHeaders: Type.Optional(httpHeaders),
  },
  {
    description: "The Pyroscope Java agent injected into selected containers.",
    additionalProperties: false,
    default: {},
  },
);
