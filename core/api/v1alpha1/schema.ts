// The ProfilingPolicy schema: the one source for the CRD, the validators, the TypeScript types
// and the field reference.
import { Type } from "@sinclair/typebox";
import { Agent } from "./agent.ts";
import { Grafana } from "./grafana.ts";
import { Pyroscope } from "./pyroscope.ts";
import { Rollout } from "./rollout.ts";
import { Selector } from "./selector.ts";
import { Status } from "./status.ts";

export const group = "fleetscope.io";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;
export const kind = "ProfilingPolicy";
export const plural = "profilingpolicies";
export const singular = "profilingpolicy";
export const shortNames = ["pp", "profpol"];

export const ProfilingPolicySpec = Type.Object(
  {
    selector: Selector,
    priority: Type.Integer({
      description:
        "When several policies select a pod, the highest priority wins; ties go to the policy whose name sorts first.",
      default: 0,
      minimum: -1000,
      maximum: 1000,
    }),
    pyroscope: Pyroscope,
    agent: Agent,
    rollout: Rollout,
    dryRun: Type.Boolean({
      description:
        "Audit mode: report in status what would be injected and restarted, but change nothing.",
      default: false,
    }),
    grafana: Grafana,
  },
  {
    description: "Which workloads to profile, with which agent settings, into which Pyroscope.",
    additionalProperties: false,
  },
);

// Only what the operator reads; the API server owns and validates the rest.
const ObjectMeta = Type.Object(
  {
    name: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
    resourceVersion: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer()),
    creationTimestamp: Type.Optional(Type.String()),
    deletionTimestamp: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { description: "Standard object metadata." },
);

export const ProfilingPolicyStatus = Status;

export const ProfilingPolicy = Type.Object(
  {
    apiVersion: Type.Literal(apiVersion, {
      description: "Versioned schema of this representation of an object.",
    }),
    kind: Type.Literal(kind, { description: "Kind of object." }),
    metadata: ObjectMeta,
    spec: ProfilingPolicySpec,
    status: Type.Optional(Status),
  },
  {
    description:
      "ProfilingPolicy rolls Pyroscope continuous profiling out to the Java workloads it selects: it runs (or points at) a Pyroscope server, injects the Pyroscope Java agent into selected pods, and restarts running workloads to pick it up.",
  },
);
