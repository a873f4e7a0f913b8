// Schema building blocks shared by several parts of ProfilingPolicy: quantities, durations,
// label maps, selectors, resource requirements and Secret references.
import { type TLiteral, type TSchema, Type } from "@sinclair/typebox";
import { celRule, matchesRule } from "./rules.ts";

/** A string enum; the CRD generator turns the literal union into `type: string, enum: [...]`. */
export function StringEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  options: { description: string; default?: T[number] },
) {
  return Type.Union(values.map((v) => Type.Literal(v)) as TLiteral<T[number]>[], options);
}

// Kubernetes resource.Quantity: YAML lets people write `cpu: 1`, so integers are accepted too.
const quantityPattern =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

export function Quantity(description: string, defaultValue?: string) {
  return Type.Union([Type.Integer(), Type.String()], {
    description,
    pattern: quantityPattern,
    "x-kubernetes-int-or-string": true,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

const resourceList = (description: string) =>
  Type.Object(
    {
      cpu: Type.Optional(Quantity("CPU, in cores or millicores (e.g. 100m).")),
      memory: Type.Optional(Quantity("Memory, in bytes with a binary suffix (e.g. 64Mi).")),
      "ephemeral-storage": Type.Optional(Quantity("Local ephemeral storage (e.g. 100Mi).")),
    },
    { description, additionalProperties: false },
  );

export function Resources(description: string, defaultValue?: unknown) {
  return Type.Object(
    {
      requests: Type.Optional(resourceList("Minimum resources the scheduler reserves.")),
      limits: Type.Optional(resourceList("Maximum resources the container may use.")),
    },
    {
      description,
      additionalProperties: false,
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
    },
  );
}

/**
 * A duration handed to the Java agent. Its parser knows only `us`, `ms` and `s`: `1m` is
 * ignored with a warning and a bare number means nanoseconds, so both are refused here.
 */
export function AgentDuration(path: string, description: string, defaultValue?: string) {
  return Type.String({
    description: `${description} Units: us, ms or s (the agent understands no others).`,
    maxLength: 12,
    "x-kubernetes-validations": [
      matchesRule(
        "^[1-9][0-9]{0,8}(us|ms|s)$",
        `${path} must be a whole number with unit us, ms or s, e.g. 10ms or 60s (the agent ignores m, h and unitless values)`,
      ),
    ],
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

/** A duration the operator itself waits for: Go-style hours, minutes and seconds. */
export function OperatorDuration(path: string, description: string, defaultValue?: string) {
  return Type.String({
    description: `${description} Go duration in h, m and s, e.g. 90s, 5m or 1h30m.`,
    maxLength: 16,
    "x-kubernetes-validations": [
      matchesRule(
        "^([0-9]{1,4}h)?([0-9]{1,4}m)?([0-9]{1,5}s)?$",
        `${path} must be a duration in h, m and s, e.g. 90s, 5m or 1h30m`,
      ),
      celRule<string>("self != ''", `${path} must not be empty`, (self) => self !== ""),
    ],
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

/** Milliseconds in an OperatorDuration such as `1h30m`; throws on anything else. */
export function parseOperatorDuration(value: string): number {
  const m = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(value);
  if (m === null || value === "") throw new Error(`not a duration: ${value}`);
  const [h, min, s] = [m[1], m[2], m[3]].map((x) => Number(x ?? 0)) as [number, number, number];
  return ((h * 60 + min) * 60 + s) * 1000;
}

// Kubernetes label rules: an optional DNS-subdomain prefix, then a name of up to 63 characters.
const k8sLabelKey =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
const k8sLabelValue = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";

/** A map of Kubernetes labels, e.g. for selectors or for objects the operator creates. */
export function KubernetesLabels(path: string, description: string, defaultValue?: unknown) {
  return Type.Record(
    Type.String(),
    Type.String({
      maxLength: 63,
      "x-kubernetes-validations": [
        matchesRule(
          k8sLabelValue,
          `${path} values must be valid Kubernetes label values (63 characters of [-A-Za-z0-9_.], alphanumeric at both ends)`,
        ),
      ],
    }),
    {
      description,
      maxProperties: 64,
      "x-kubernetes-validations": [
        celRule<Record<string, string>>(
          `self.all(k, size(k) <= 253 && k.matches('${k8sLabelKey}'))`,
          `${path} keys must be valid Kubernetes label keys, e.g. app.kubernetes.io/name`,
          (self) =>
            Object.keys(self).every((k) => k.length <= 253 && new RegExp(k8sLabelKey).test(k)),
        ),
      ],
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
    },
  );
}

const selectorRequirement = Type.Object(
  {
    key: Type.String({ description: "The label key the requirement applies to.", maxLength: 317 }),
    operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"], {
      description: "How the key relates to the values.",
    }),
    values: Type.Optional(
      Type.Array(Type.String({ maxLength: 63 }), {
        description: "Values for In and NotIn; must be empty for Exists and DoesNotExist.",
        maxItems: 64,
      }),
    ),
  },
  {
    description: "A label requirement, as in metav1.LabelSelectorRequirement.",
    additionalProperties: false,
    "x-kubernetes-validations": [
      celRule<{ operator: string; values?: string[] }>(
        "self.operator in ['Exists', 'DoesNotExist'] ? (!has(self.values) || size(self.values) == 0) : (has(self.values) && size(self.values) > 0)",
        "matchExpressions values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist",
        (self) =>
          self.operator === "Exists" || self.operator === "DoesNotExist"
            ? (self.values ?? []).length === 0
            : (self.values ?? []).length > 0,
        ".values",
      ),
    ],
  },
);

/** A metav1.LabelSelector. An empty selector selects everything. */
export function LabelSelector(path: string, description: string, defaultValue?: unknown) {
  return Type.Object(
    {
      matchLabels: Type.Optional(
        KubernetesLabels(
          `${path}.matchLabels`,
          "Labels that must all be present with these values.",
        ),
      ),
      matchExpressions: Type.Optional(
        Type.Array(selectorRequirement, {
          description: "Requirements that must all hold.",
          maxItems: 32,
        }),
      ),
    },
    {
      description,
      additionalProperties: false,
      "x-kubernetes-map-type": "atomic",
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
    },
  );
}

const secretName = Type.String({
  description: "Name of the Secret, in the Pyroscope namespace.",
  minLength: 1,
  maxLength: 253,
  pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
});

export function SecretKey(description: string, defaultValue: string) {
  return Type.String({
    description,
    default: defaultValue,
    minLength: 1,
    maxLength: 253,
    pattern: "^[-._a-zA-Z0-9]+$",
  });
}

/** A reference to a Secret plus the keys to read from it; credentials are never inline. */
export function SecretRef<P extends Record<string, TSchema>>(description: string, keys: P) {
  return Type.Object({ name: secretName, ...keys }, { description, additionalProperties: false });
}
