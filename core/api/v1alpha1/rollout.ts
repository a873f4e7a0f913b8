// spec.rollout: how the operator brings running workloads onto the agent.
import { Type } from "@sinclair/typebox";
import { OperatorDuration, StringEnum } from "./common.ts";
import { celRule } from "./rules.ts";

export const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet"] as const;

export const Rollout = Type.Object(
  {
    strategy: StringEnum(["OnRestart", "Rolling"], {
      description:
        "OnRestart injects the agent only when pods restart for their own reasons; Rolling also restarts selected workloads, maxConcurrent at a time.",
      default: "OnRestart",
    }),
    maxConcurrent: Type.Integer({
      description: "Workloads restarted at the same time (Rolling).",
      default: 1,
      minimum: 1,
      maximum: 100,
    }),
    paused: Type.Boolean({
      description: "Stops starting new restarts; restarts in flight finish.",
      default: false,
    }),
    healthTimeout: OperatorDuration(
      "spec.rollout.healthTimeout",
      "How long a restarted workload may take to become ready again before the rollout halts.",
      "5m",
    ),
    workloadKinds: Type.Array(StringEnum(workloadKinds, { description: "A workload kind." }), {
      description: "Kinds of workloads the rollout restarts.",
      default: ["Deployment", "DaemonSet"],
      minItems: 1,
      maxItems: 3,
      "x-kubernetes-list-type": "set",
    }),
    canary: Type.Optional(
      Type.Object(
        {
          count: Type.Integer({
            description: "Workloads restarted first.",
            default: 1,
            minimum: 1,
            maximum: 100,
          }),
          pause: OperatorDuration(
            "spec.rollout.canary.pause",
            "How long the canaries must stay healthy before the rest follows.",
            "10m",
          ),
        },
        {
          description:
            "Restart a few workloads first and wait before the rest (Rolling); absent restarts without canaries.",
          additionalProperties: false,
        },
      ),
    ),
    rollbackOnFailure: Type.Boolean({
      description:
        "Remove the agent again from a workload that does not become ready within healthTimeout.",
      default: true,
    }),
  },
  {
    description: "How workloads that are already running get the agent.",
    additionalProperties: false,
    default: {},
    "x-kubernetes-validations": [
      celRule<{ strategy: string; canary?: unknown }>(
        "self.strategy == 'Rolling' || !has(self.canary)",
        "spec.rollout.canary is only used when strategy is Rolling",
        (self) => self.strategy === "Rolling" || self.canary === undefined,
        ".canary",
      ),
    ],
  },
);
