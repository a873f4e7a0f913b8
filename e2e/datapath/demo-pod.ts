// The checkout demo's pod as the ReplicaSet controller would create it from the Deployment in
// examples/demo-service, for tests and benchmarks that run the webhook's mutation on it.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "./artifacts.ts";

/** The hash the ReplicaSet controller stamps into the demo pod's labels and its ReplicaSet's name. */
export const DEMO_POD_TEMPLATE_HASH = "7d9f6c8b5";

export async function demoPod(name: string, nodeName?: string): Promise<V1Pod> {
  const text = await readFile(resolve(repoRoot, "examples/demo-service/deployment.yaml"), "utf8");
  const deployment = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string })
    .find((d) => d.kind === "Deployment") as V1Deployment;
  const template = deployment.spec!.template;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: deployment.metadata!.namespace,
      labels: { ...template.metadata?.labels, "pod-template-hash": DEMO_POD_TEMPLATE_HASH },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `checkout-${DEMO_POD_TEMPLATE_HASH}`,
          uid: "0b6a4a9e-0000-4000-8000-000000000001",
          controller: true,
        },
      ],
    },
    spec: { ...structuredClone(template.spec!), ...(nodeName ? { nodeName } : {}) },
  };
}
