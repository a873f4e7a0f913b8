// Runs the helm CLI built by hack/build-helm.sh against the chart, and parses rendered manifests.
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const chartDir = resolve(root, "charts/fleetscope");

let helmBin: Promise<string> | undefined;
/** Path of helm: $FLEETSCOPE_HELM, else the cached build of hack/build-helm.sh. */
export function helmPath(): Promise<string> {
  helmBin ??= process.env.FLEETSCOPE_HELM
    ? Promise.resolve(process.env.FLEETSCOPE_HELM)
    : run(resolve(root, "hack/build-helm.sh"), { maxBuffer: 1 << 20 }).then(
        (r) => r.stdout.trim().split("\n").at(-1)!,
      );
  return helmBin;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm; never rejects on a non-zero exit, so tests can assert failures. */
export async function helm(args: string[], env: Record<string, string> = {}): Promise<HelmResult> {
  const bin = await helmPath();
  try {
    const { stdout, stderr } = await run(bin, args, {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === "number" ? e.code : 1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? e.message,
    };
  }
}

/** Like helm(), but rejects with helm's output when it fails. */
export async function helmOk(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await helm(args, env);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [k: string]: unknown;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === "object");
}

/** `helm template` of the chart, parsed; `set` entries are --set key=value pairs. */
export async function render(
  set: Record<string, string | number | boolean> = {},
  opts: { release?: string; namespace?: string; includeCrds?: boolean } = {},
): Promise<Manifest[]> {
  const args = [
    "template",
    opts.release ?? "fleetscope",
    chartDir,
    "--namespace",
    opts.namespace ?? "fleetscope-system",
  ];
  if (opts.includeCrds) args.push("--include-crds");
  for (const [k, v] of Object.entries(set)) args.push("--set", `${k}=${v}`);
  return parseManifests(await helmOk(args));
}
