// The union of Kubernetes objects the Pyroscope renderers produce.
import type {
  V1ConfigMap,
  V1Deployment,
  V1PodDisruptionBudget,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from "@kubernetes/client-node";
import type { Rendered } from "./workload.ts";

export type RenderedObject =
  | Rendered<V1ServiceAccount>
  | Rendered<V1ConfigMap>
  | Rendered<V1Service>
  | Rendered<V1StatefulSet>
  | Rendered<V1Deployment>
  | Rendered<V1PodDisruptionBudget>;

// Dependencies first, so a client that applies the list in order never starts a pod before
// its ConfigMap and ServiceAccount exist.
const KIND_ORDER = [
  "ServiceAccount",
  "ConfigMap",
  "Service",
  "StatefulSet",
  "Deployment",
  "PodDisruptionBudget",
];

export function sortObjects(objects: RenderedObject[]): RenderedObject[] {
  const rank = (o: RenderedObject) => KIND_ORDER.indexOf(o.kind);
  return [...objects].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compare(a.metadata.namespace, b.metadata.namespace) ||
      compare(a.metadata.name, b.metadata.name),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
