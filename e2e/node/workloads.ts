// Workloads the real-node e2e creates: the checkout demo Deployment of examples/demo-service with
// the locally built image, and bare pods that pass Pod Security "restricted".
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { V1Container, V1Deployment, V1HostAlias } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../datapath/artifacts.ts";

const example = parseAllDocuments(
  readFileSync(resolve(repoRoot, "examples/demo-service/deployment.yaml"), "utf8"),
)
  .map((d) => d.toJS() as { kind?: string })
  .find((d) => d.kind === "Deployment") as V1Deployment;

/**
 * The example's Deployment as a user writes it, one replica, named `name` (also its app label),
 * with `image`; only `hostAliases` added, as the node has no cluster DNS.
 */
export function demoDeployment(name: string, image: string, hostAliases: V1HostAlias[]) {
  const d = structuredClone(example);
  const labels = { ...d.spec!.template.metadata!.labels, "app.kubernetes.io/name": name };
  const spec = d.spec!.template.spec!;
  spec.containers[0]!.image = image;
  spec.hostAliases = hostAliases;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { ...d.metadata!.labels, "app.kubernetes.io/name": name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      template: { metadata: { labels }, spec },
    },
  };
}

export function restrictedContainer(name: string, image: string): V1Container {
  return {
    name,
    image,
    imagePullPolicy: "Never",
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}

/** A pod labelled test-pod=<name> running as uid 10001 under Pod Security "restricted". */
export function restrictedPod(name: string, container: V1Container) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { "test-pod": name } },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [container],
    },
  };
}
