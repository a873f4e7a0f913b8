// status: what the operator reports about a ProfilingPolicy; written only by the operator.
import { Type } from "@sinclair/typebox";
import { StringEnum } from "./common.ts";

export const conditionTypes = [
  "Ready",
  "PyroscopeReady",
  "WebhookReady",
  "RolloutComplete",
  "Degraded",
  "Conflict",
] as const;

const Condition = Type.Object(
  {
    type: StringEnum(conditionTypes, {
      description:
        "Ready: everything below holds. PyroscopeReady: the server answers. WebhookReady: pods are being injected. RolloutComplete: every selected workload runs the agent. Degraded: something needs attention. Conflict: another policy with higher priority selects some of the same pods.",
    }),
    status: StringEnum(["True", "False", "Unknown"], { description: "Status of the condition." }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: "The .metadata.generation the condition was set for.",
        minimum: 0,
      }),
    ),
    lastTransitionTime: Type.String({
      description: "When the status last changed.",
      format: "date-time",
    }),
    reason: Type.String({
      description: "CamelCase reason for the last transition.",
      minLength: 1,
      maxLength: 1024,
      pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
    }),
    message: Type.String({ description: "Human-readable details.", maxLength: 32768 }),
  },
  { description: "A metav1.Condition.", additionalProperties: false },
);

const Counts = (what: string) =>
  Type.Object(
    {
      eligible: Type.Integer({ description: `Selected ${what}.`, minimum: 0 }),
      injected: Type.Integer({
        description: `${what} running the current agent configuration.`,
        minimum: 0,
      }),
      outdated: Type.Integer({
        description: `${what} running an older agent configuration.`,
        minimum: 0,
      }),
      skipped: Type.Integer({
        description: `Selected ${what} left alone; see skippedReasons.`,
        minimum: 0,
      }),
    },
    { description: `Counts of ${what}.`, additionalProperties: false },
  );

const PyroscopeStatus = Type.Object(
  {
    writeURL: Type.Optional(Type.String({ description: "URL the agents write to." })),
    readURL: Type.Optional(Type.String({ description: "URL Grafana and users query." })),
    readyComponents: Type.Optional(
      Type.String({ description: "Ready components out of all, e.g. 3/3." }),
    ),
    components: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ description: "Component, e.g. distributor." }),
            kind: Type.String({ description: "Workload kind, e.g. StatefulSet." }),
            replicas: Type.Integer({ description: "Desired replicas.", minimum: 0 }),
            readyReplicas: Type.Integer({ description: "Ready replicas.", minimum: 0 }),
          },
          { description: "One Pyroscope workload.", additionalProperties: false },
        ),
        {
          description: "The Pyroscope workloads and their readiness.",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
        },
      ),
    ),
  },
  { description: "The Pyroscope server.", additionalProperties: false },
);

export const Status = Type.Object(
  {
    revision: Type.Optional(
      Type.String({
        description:
          "Hash of everything injected pods receive from this policy. Pods stamped with another revision are outdated; changes to other fields (rollout, priority, Pyroscope replicas) keep the revision and restart nothing.",
        maxLength: 64,
      }),
    ),
    observedGeneration: Type.Optional(
      Type.Integer({ description: "The .metadata.generation last reconciled.", minimum: 0 }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description: "Ready, PyroscopeReady, WebhookReady, RolloutComplete, Degraded, Conflict.",
        maxItems: 16,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
    ),
    pyroscope: Type.Optional(PyroscopeStatus),
    coverage: Type.Optional(
      Type.Object(
        {
          summary: Type.Optional(
            Type.String({ description: "Injected out of eligible pods, e.g. 45/50 (90%)." }),
          ),
          namespaces: Type.Integer({ description: "Selected namespaces.", minimum: 0 }),
          workloads: Counts("workloads"),
          pods: Counts("pods"),
          skippedReasons: Type.Optional(
            Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
              description: "Skipped pods per reason, e.g. NoJavaContainer: 3.",
            }),
          ),
        },
        { description: "How much of the selection is profiled.", additionalProperties: false },
      ),
    ),
    rollout: Type.Optional(
      Type.Object(
        {
          phase: StringEnum(["Pending", "Progressing", "Paused", "Halted", "Complete"], {
            description: "Where the rollout stands.",
          }),
          inFlight: Type.Integer({ description: "Workloads restarting now.", minimum: 0 }),
          done: Type.Integer({ description: "Workloads restarted with the agent.", minimum: 0 }),
          total: Type.Integer({ description: "Workloads the rollout covers.", minimum: 0 }),
          halted: Type.Optional(
            Type.Object(
              {
                reason: Type.String({
                  description: "Why the rollout stopped, e.g. HealthTimeout.",
                }),
                workload: Type.String({ description: "The workload, as Kind/namespace/name." }),
                message: Type.Optional(Type.String({ description: "Details." })),
              },
              { description: "Set while phase is Halted.", additionalProperties: false },
            ),
          ),
        },
        { description: "Progress of the rollout.", additionalProperties: false },
      ),
    ),
    selectedNamespaces: Type.Optional(
      Type.Array(Type.String(), {
        description: "Namespaces the policy selects, sorted.",
        "x-kubernetes-list-type": "set",
      }),
    ),
  },
  { description: "Observed state, written by the operator.", additionalProperties: false },
);
