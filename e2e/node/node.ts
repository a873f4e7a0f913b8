// The local real node for e2e tests: its name, the images built for it, pinning a namespace's
// pods onto it, and reading pods, logs and files of the containers that really run there.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL_INJECTED } from "../../core/names.ts";
import { repoRoot } from "../datapath/artifacts.ts";
import { eventually, kubectl } from "../harness/cluster.ts";

const run = promisify(execFile);

/** Label and NoSchedule taint of the real node (hack/node.sh). */
export const REAL_NODE_LABEL = "fleetscope.io/real-node";
/** The node's pod bridge (hack/node.sh): pod IPs there are real, kwok's are not. */
export const POD_CIDR_PREFIX = "10.88.77.";

/** The images `make images` loads into the node's containerd. */
export const AGENT_VERSION = "2.9.2";
export const images = {
  operator: { repository: "localhost/fleetscope/operator", tag: "dev" },
  agentInit: "localhost/fleetscope/agent-init",
  demo: "localhost/fleetscope/demo-service:dev",
  pyroscope: "localhost/fleetscope/pyroscope-test:dev",
  /** Any image without a JVM: the agent-init image's busybox. */
  nonJava: `localhost/fleetscope/agent-init:${AGENT_VERSION}`,
} as const;

export const toleration = {
  key: REAL_NODE_LABEL,
  operator: "Equal",
  value: "true",
  effect: "NoSchedule",
};

/** The Ready real node's name; fails naming what to run when there is none. */
export async function realNode(): Promise<string> {
  const list = JSON.parse(
    await kubectl(["get", "nodes", "-l", `${REAL_NODE_LABEL}=true`, "-o", "json"]),
  ) as {
    items: {
      metadata: { name: string };
      status: { conditions: { type: string; status: string }[] };
    }[];
  };
  const ready = list.items.find((n) =>
    n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"),
  );
  if (!ready)
    throw new Error(`no Ready node labelled ${REAL_NODE_LABEL}=true: run hack/node.sh up`);
  return ready.metadata.name;
}

/** Image references present in the node's containerd. */
export async function nodeImages(): Promise<string[]> {
  const { stdout } = await run(
    resolve(repoRoot, "hack/node.sh"),
    ["ctr", "-n", "k8s.io", "images", "ls", "-q"],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout.split("\n").filter((l) => l !== "");
}

/**
 * Every pod created in the namespace lands on the real node: the API server's PodNodeSelector
 * and PodTolerationRestriction admission plugins (enabled by hack/cluster.sh) add the node
 * selector and the toleration, as a platform team pins a namespace to a node pool.
 */
export async function pinNamespaceToRealNode(namespace: string): Promise<void> {
  await kubectl([
    "annotate",
    "namespace",
    namespace,
    `scheduler.alpha.kubernetes.io/node-selector=${REAL_NODE_LABEL}=true`,
    `scheduler.alpha.kubernetes.io/defaultTolerations=${JSON.stringify([toleration])}`,
  ]);
}

export async function pods(namespace: string, selector: string): Promise<V1Pod[]> {
  const list = JSON.parse(
    await kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"]),
  ) as { items: V1Pod[] };
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

export const isReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** The webhook's mark on a pod it gave the agent. */
export const isInjected = (p: V1Pod | undefined) =>
  p?.metadata?.labels?.[LABEL_INJECTED] === "true";

/** Waits until exactly `count` pods match and all are Ready; returns them. */
export function readyPods(
  namespace: string,
  selector: string,
  count: number,
  timeoutMs = 240_000,
): Promise<V1Pod[]> {
  return eventually(
    `${count} Ready pods ${selector} in ${namespace}`,
    async () => {
      const ps = await pods(namespace, selector);
      return ps.length === count && ps.every(isReady) ? ps : undefined;
    },
    timeoutMs,
    1_000,
  );
}

export function exec(namespace: string, pod: string, container: string, command: string[]) {
  return kubectl(["exec", "-n", namespace, pod, "-c", container, "--", ...command]);
}

export function logs(namespace: string, pod: string, container: string) {
  return kubectl(["logs", "-n", namespace, pod, "-c", container]);
}

/** SHA-256 of the agent release jar (hack/fetch-agent.sh), which agent-init must copy unchanged. */
export async function agentJarSha256(): Promise<string> {
  const fetched = await run(resolve(repoRoot, "hack/fetch-agent.sh"));
  const agentJar = fetched.stdout.trim().split("\n").at(-1)!;
  return createHash("sha256")
    .update(await readFile(agentJar))
    .digest("hex");
}
