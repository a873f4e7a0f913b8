// The operator as the benchmarks run it: the compiled JavaScript with the Node flags the image
// runs it with, as a child process so that /proc/<pid> (RSS, peak, CPU) is its own.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Agent, request } from "undici";
import { kubeconfigPath } from "../harness/cluster.ts";
import { freePort } from "../harness/operator.ts";

const root = resolve(import.meta.dirname, "../..");

export interface OperatorProcess {
  child: ChildProcess;
  pid: number;
  port: number;
}

export interface SpawnOptions {
  /** Names the webhook configuration, cluster and pod, so runs do not collide. */
  id: string;
  namespace: string;
  /** Node flags instead of the image's (its Dockerfile CMD), e.g. ["--max-old-space-size=192"]. */
  nodeFlags?: string[];
}

let built = false;

/** Compiles dist/ once per run (tsc, a few seconds), so the measured code is the current one. */
function build() {
  if (built) return;
  execFileSync(
    process.execPath,
    [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  built = true;
}

/** The Node flags of the Dockerfile's CMD, which the image passes to node before the script. */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
  const cmd = dockerfile.match(/^CMD (\[.*\])$/m)?.[1];
  if (!cmd) throw new Error("Dockerfile has no CMD [...] line");
  return (JSON.parse(cmd) as string[]).filter((a) => a.startsWith("--"));
}

export async function spawnOperator(opts: SpawnOptions): Promise<OperatorProcess> {
  build();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(opts.nodeFlags ?? imageNodeFlags()), resolve(root, "dist/operator/main.js")],
    {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfigPath(),
        FLEETSCOPE_NAMESPACE: opts.namespace,
        FLEETSCOPE_WEBHOOK_URL: `https://127.0.0.1:${port}`,
        FLEETSCOPE_PORT: String(port),
        FLEETSCOPE_HOST: "127.0.0.1",
        FLEETSCOPE_WEBHOOK_CONFIG: opts.id,
        FLEETSCOPE_CLUSTER_NAME: "bench",
        POD_NAME: `${opts.id}-operator`,
        FLEETSCOPE_LOG_LEVEL: process.env.FLEETSCOPE_BENCH_LOG_LEVEL ?? "error",
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  return { child, pid: child.pid!, port };
}

/** SIGTERM, then SIGKILL when it has not exited within 25 s. */
export async function stopOperator(op: OperatorProcess) {
  if (op.child.exitCode !== null) return;
  const exited = new Promise((r) => op.child.once("exit", r));
  op.child.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(r, 25_000, "timeout"));
  if ((await Promise.race([exited, timeout])) === "timeout") op.child.kill("SIGKILL");
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
export function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** CPU seconds (user + system) a process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

/** The operator's fleetscope_* and Node runtime (nodejs_*) samples, keyed `name{labels}`. */
export async function scrape(port: number): Promise<Map<string, number>> {
  const res = await request(`https://127.0.0.1:${port}/metrics`, { dispatcher: insecure });
  const out = new Map<string, number>();
  for (const m of (await res.body.text()).matchAll(
    /^((?:fleetscope|nodejs)_\w+)(\{[^}]*\})? (\S+)$/gm,
  ))
    out.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  return out;
}

/** The sum of the samples whose key starts with `prefix` and passes `filter`. */
export const sum = (m: Map<string, number>, prefix: string, filter = (_k: string) => true) =>
  [...m].filter(([k]) => k.startsWith(prefix) && filter(k)).reduce((a, [, v]) => a + v, 0);
