// spec.selector: which namespaces, pods and containers a ProfilingPolicy profiles.
import { Type } from "@sinclair/typebox";
import { LabelSelector, StringEnum } from "./common.ts";
import { celRule } from "./rules.ts";

const containers = Type.Object(
  {
    detect: StringEnum(["Java", "All", "Names"], {
      description:
        "Which containers get the agent: Java (containers whose image or command looks like a JVM), All, or Names (only those listed in names).",
      default: "Java",
    }),
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 63 }), {
        description:
          "Container names to profile; required, and only allowed, when detect is Names.",
        maxItems: 32,
        "x-kubernetes-list-type": "set",
      }),
    ),
  },
  {
    description: "Which containers of a selected pod are profiled.",
    additionalProperties: false,
    default: {},
    "x-kubernetes-validations": [
      celRule<{ detect: string; names?: string[] }>(
        "self.detect != 'Names' || (has(self.names) && size(self.names) > 0)",
        "spec.selector.containers.names must list at least one container when detect is Names",
        (self) => self.detect !== "Names" || (self.names ?? []).length > 0,
        ".names",
      ),
      celRule<{ detect: string; names?: string[] }>(
        "self.detect == 'Names' || !has(self.names)",
        "spec.selector.containers.names is only used when detect is Names",
        (self) => self.detect === "Names" || self.names === undefined,
        ".names",
      ),
    ],
  },
);

export const Selector = Type.Object(
  {
    namespaceSelector: LabelSelector(
      "spec.selector.namespaceSelector",
      "Namespaces whose pods are profiled. An empty selector ({}) selects every namespace.",
      { matchLabels: { "fleetscope.io/profiling": "enabled" } },
    ),
    podSelector: Type.Optional(
      LabelSelector(
        "spec.selector.podSelector",
        "Narrows the pods within the selected namespaces; absent selects every pod.",
      ),
    ),
    containers,
  },
  {
    description: "Which namespaces, pods and containers this policy profiles.",
    additionalProperties: false,
    default: {},
  },
);
