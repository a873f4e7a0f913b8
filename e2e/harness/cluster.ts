// Access to the local control plane for integration tests: kubeconfig, API clients, kubectl.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { type Connection, connectionFromKubeconfig } from "../../operator/kube/connection.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/** The kubeconfig the tests use: $KUBECONFIG, else the local control plane's fixed path. */
export function kubeconfigPath(): string {
  const path = process.env.KUBECONFIG ?? resolve(root, ".cluster/kubeconfig");
  if (!existsSync(path)) {
    throw new Error(`no kubeconfig at ${path}: start the local control plane with 'make cluster'`);
  }
  return path;
}

export function kubeConfig(path: string = kubeconfigPath()): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The operator's own connection, from a client-node KubeConfig (the admin's by default). */
export function connection(kc: k8s.KubeConfig = kubeConfig()): Connection {
  return connectionFromKubeconfig(JSON.parse(kc.exportConfig()));
}

/**
 * Runs the kubectl built with the control plane; resolves to its stdout, rejects with stderr.
 * Against the local control plane, or the cluster of another kubeconfig.
 */
export async function kubectl(
  args: string[],
  input?: string,
  kubeconfig: string = kubeconfigPath(),
): Promise<string> {
  const bin = process.env.FLEETSCOPE_KUBECTL ?? (await kubectlPath());
  const child = run(bin, ["--kubeconfig", kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
    throw new Error(`kubectl ${args.join(" ")}: ${output || e.message}`);
  }
}

/** Like kubectl(), but resolves to stdout and stderr (warnings), so tests can assert on both. */
export async function kubectlOutput(
  args: string[],
  input?: string,
  kubeconfig: string = kubeconfigPath(),
): Promise<{ stdout: string; stderr: string }> {
  const bin = process.env.FLEETSCOPE_KUBECTL ?? (await kubectlPath());
  const child = run(bin, ["--kubeconfig", kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
    throw new Error(`kubectl ${args.join(" ")}: ${output || e.message}`);
  }
}

async function kubectlPath(): Promise<string> {
  const { stdout } = await run(resolve(root, "hack/build-controlplane.sh"));
  return `${stdout.trim().split("\n").at(-1)}/kubectl`;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** A namespace name unique to one test run, so reruns never collide with leftovers. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;
}
