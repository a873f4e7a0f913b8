// spec.grafana: publishing Pyroscope to Grafana as a datasource.
import { Type } from "@sinclair/typebox";
import { KubernetesLabels } from "./common.ts";

export const Grafana = Type.Object(
  {
    datasource: Type.Object(
      {
        enabled: Type.Boolean({
          description: "Create a ConfigMap that Grafana's datasource sidecar picks up.",
          default: false,
        }),
        name: Type.Optional(
          Type.String({
            description: "Datasource name shown in Grafana; absent uses Pyroscope-<policy name>.",
            minLength: 1,
            maxLength: 190,
          }),
        ),
        namespace: Type.Optional(
          Type.String({
            description:
              "Namespace of the ConfigMap (where the sidecar looks); absent uses spec.pyroscope.namespace.",
            maxLength: 63,
            pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
          }),
        ),
        labels: KubernetesLabels(
          "spec.grafana.datasource.labels",
          "Labels on the ConfigMap; the Grafana chart's sidecar looks for grafana_datasource.",
          { grafana_datasource: "1" },
        ),
      },
      {
        description: "The Grafana datasource for this policy's Pyroscope.",
        additionalProperties: false,
        default: {},
      },
    ),
  },
  { description: "Grafana integration.", additionalProperties: false, default: {} },
);
