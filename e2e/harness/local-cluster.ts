// A second local control plane beside the usual one, started and stopped by the tests that need
// it (hack/cluster.sh with its own name and state dir), e.g. with a Pod Security default.
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import { kubeConfig } from "./cluster.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

export interface LocalClusterOptions {
  /** Appended to the usual cluster's name: the kwokctl cluster and its state dir. */
  suffix: string;
  /** The Pod Security level the API server enforces in namespaces without an enforce label. */
  podSecurityDefault?: "privileged" | "baseline" | "restricted";
  nodes?: number;
}

export interface LocalCluster {
  name: string;
  kubeconfig: string;
  kc: k8s.KubeConfig;
  /** Stops its processes and deletes its state. */
  stop(): Promise<void>;
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const name = `${process.env.FLEETSCOPE_CLUSTER_NAME ?? "fleetscope"}-${opts.suffix}`;
  const dir = resolve(root, `.cluster-${opts.suffix}`);
  const env = {
    ...process.env,
    FLEETSCOPE_CLUSTER_NAME: name,
    FLEETSCOPE_CLUSTER_DIR: dir,
    FLEETSCOPE_NODES: String(opts.nodes ?? 1),
    FLEETSCOPE_POD_SECURITY_DEFAULT: opts.podSecurityDefault ?? "",
  };
  const script = resolve(root, "hack/cluster.sh");
  const stop = async () => {
    await run(script, ["down"], { env });
  };
  try {
    await run(script, ["up"], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    await stop().catch(() => undefined);
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`starting cluster ${name}: ${e.stderr || e.stdout || e.message}`);
  }
  const kubeconfig = resolve(dir, "kubeconfig");
  return { name, kubeconfig, kc: kubeConfig(kubeconfig), stop };
}
