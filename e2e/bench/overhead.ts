// Overhead of the injected Java agent: the checkout demo under the same loopback load with and without it, alternating.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import { formatErrors, parsePolicy } from "../../core/api/v1alpha1/validate.ts";
import * as names from "../../core/names.ts";
import { pyroscopeEndpoints } from "../../operator/render/pyroscope/urls.ts";
import { applyPatch } from "../../webhook/inject/json-patch.ts";
import { mutate } from "../../webhook/inject/mutate.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { buildArtifacts } from "../datapath/artifacts.ts";
import { demoPod } from "../datapath/demo-pod.ts";
import { type JavaProcess, startJava } from "../datapath/java-process.ts";
import { containerEnv, mapMountPaths } from "../datapath/kubelet.ts";
import { startPyroscope } from "../datapath/pyroscope-server.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "20000" },
    warmup: { type: "string", default: "8000" },
    concurrency: { type: "string", default: "4" },
    "max-requests": { type: "string", default: "200000" },
    // CPU-bound by default, so throughput shows the overhead; add /reserve?n=5 (lock contention,
    // mostly sleeping) to exercise the lock profiler.
    paths: { type: "string", default: "/hash?n=200" },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION_MS = Number(args.duration);
const WARMUP_MS = Number(args.warmup);
const CONCURRENCY = Number(args.concurrency);
const MAX_REQUESTS = Number(args["max-requests"]);
const PATHS = args.paths.split(",");
const CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat counts in these ticks
const log = (s: string) => process.stderr.write(`${s}\n`);

/**
 * Policies of the variants with an agent: every field left to its default (CPU only), the
 * data-path policy's profile set (CPU, allocations every 16 KiB, locks over 10 µs), and a
 * production setting of all three.
 */
/** A policy for the local server: the same header, and the variant's agent settings. */
const policy = (agent = "") => `
apiVersion: fleetscope.io/v1alpha1
kind: ProfilingPolicy
metadata: { name: shop-java, generation: 1 }
spec:
  pyroscope: { mode: External, external: { url: SERVER_URL } }
${agent}`;

const POLICIES: Record<string, string> = {
  "agent, policy defaults": policy(),
  "agent, cpu+alloc+lock": policy(`  agent:
    profiles:
      cpu: { event: itimer, interval: 10ms }
      alloc: 16k
      lock: 10us
`),
  // The cheapest useful setting: CPU only, sampled 10 times a second instead of 100.
  "agent, cpu 100ms": policy(`  agent:
    profiles:
      cpu: { event: itimer, interval: 100ms }
`),
  // What a production policy would run: fewer CPU samples (the agent's cost scales with the
  // sampling rate), allocations sampled every 512 KiB and only lock waits over 10 ms.
  "agent, production (cpu 100ms, alloc 512k, lock 10ms)": policy(`  agent:
    profiles:
      cpu: { event: itimer, interval: 100ms }
      alloc: 512k
      lock: 10ms
`),
};

const checkout = (pod: V1Pod): V1Container =>
  pod.spec!.containers.find((c) => c.name === "checkout")!;

/** The environment the kubelet would give the container, with or without the webhook's patch. */
async function variantEnvs(serverUrl: string, agentDir: string, scratch: string) {
  const pod = await demoPod("checkout-7d9f6c8b5-bench", "node-a");
  const envs: Record<string, Record<string, string>> = {
    "no agent": containerEnv(pod, checkout(pod)),
  };
  for (const [variant, yaml] of Object.entries(POLICIES)) {
    const parsed = parsePolicy(parse(yaml.replace("SERVER_URL", serverUrl)));
    if (!parsed.ok) throw new Error(formatErrors(parsed.errors));
    const settings = settingsFromPolicy(parsed.policy, {
      clusterName: "local",
      serverAddress: pyroscopeEndpoints(parsed.policy).writeURL,
    });
    const result = mutate({
      pod,
      namespace: { name: "shop", labels: {} },
      settings,
      operation: "CREATE",
    });
    if (result.injected.length !== 1) throw new Error(`${variant}: not injected`);
    const injected = applyPatch(pod, result.patch);
    envs[variant] = mapMountPaths(containerEnv(injected, checkout(injected)), {
      [names.AGENT_DIR]: agentDir,
      [names.TMP_DIR]: scratch,
    });
  }
  return envs;
}

/** utime + stime of a process in milliseconds, from /proc/<pid>/stat. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resident set size in MiB, from /proc/<pid>/status. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Measured {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Sorted latencies in ms per distinct path. */
  latencies: Map<string, Float64Array>;
}

/** A closed loop of `concurrency` workers sending the paths round-robin to a loopback service. */
async function load(baseUrl: string, durationMs: number, maxRequests: number): Promise<Measured> {
  if (new URL(baseUrl).hostname !== "127.0.0.1") throw new Error("load goes to loopback only");
  const latencies = new Float64Array(maxRequests);
  const pathOf = new Uint16Array(maxRequests);
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && issued < maxRequests) {
      const i = issued++;
      const t0 = performance.now();
      pathOf[i] = i % PATHS.length;
      try {
        const res = await fetch(`${baseUrl}${PATHS[i % PATHS.length]}`, {
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedMs = performance.now() - started;
  const byPath = new Map<string, number[]>();
  for (let i = 0; i < issued; i++) {
    const path = PATHS[pathOf[i]!]!;
    const list = byPath.get(path) ?? [];
    list.push(latencies[i]!);
    byPath.set(path, list);
  }
  const sorted = new Map([...byPath].map(([p, l]) => [p, Float64Array.from(l).sort()]));
  return { requests: issued, errors, elapsedMs, latencies: sorted };
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

interface RoundResult {
  variant: string;
  round: number;
  startMs: number;
  errors: number;
  /** Named numbers in report order: req/s, p50/p99 per path, CPU, RSS. */
  metrics: Record<string, number>;
}

async function runOnce(
  variant: string,
  round: number,
  jar: string,
  env: Record<string, string>,
): Promise<RoundResult> {
  const t0 = performance.now();
  // The JDK's HttpServer writes headers and body separately; with Nagle on, each response waits
  // for the client's delayed ACK (~40 ms) and latency would measure that instead of the service.
  const app: JavaProcess = await startJava({
    jar,
    env,
    jvmArgs: ["-Dsun.net.httpserver.nodelay=true"],
  });
  current = app;
  const startMs = performance.now() - t0;
  try {
    await load(app.baseUrl, WARMUP_MS, MAX_REQUESTS);
    let maxRss = 0;
    const sampler = setInterval(() => {
      rssMiB(app.pid).then(
        (r) => {
          maxRss = Math.max(maxRss, r);
        },
        () => {},
      );
    }, 250);
    const cpu0 = await cpuMs(app.pid);
    const m = await load(app.baseUrl, DURATION_MS, MAX_REQUESTS);
    const cpu1 = await cpuMs(app.pid);
    clearInterval(sampler);
    maxRss = Math.max(maxRss, await rssMiB(app.pid));
    const metrics: Record<string, number> = { "req/s": (m.requests / m.elapsedMs) * 1000 };
    for (const [path, l] of m.latencies) {
      metrics[`${path} p50 ms`] = quantile(l, 0.5);
      metrics[`${path} p99 ms`] = quantile(l, 0.99);
    }
    metrics["JVM CPU ms/req"] = (cpu1 - cpu0) / m.requests;
    metrics["JVM CPU %"] = ((cpu1 - cpu0) / m.elapsedMs) * 100;
    metrics["max RSS MiB"] = maxRss;
    return { variant, round, startMs, errors: m.errors, metrics };
  } finally {
    await app.stop();
    current = undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f = (n: number, d = 2) => n.toFixed(d);
const fmt = (key: string, n: number) =>
  f(n, key.includes("ms/req") ? 3 : key.endsWith(" ms") ? 2 : 0);

const artifacts = await buildArtifacts();
const server = await startPyroscope({});
const scratch = await mkdtemp(join(tmpdir(), "fleetscope-overhead-"));
let current: JavaProcess | undefined;
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    void Promise.all([current?.stop(), server.stop()]).finally(() => process.exit(130));
  });
try {
  const envs = await variantEnvs(server.baseUrl, dirname(artifacts.agentJar), scratch);
  const variants = Object.keys(envs);
  for (const v of variants) {
    const e = envs[v]!;
    log(`${v}: JAVA_TOOL_OPTIONS=${e.JAVA_TOOL_OPTIONS ?? ""}`);
    const py = Object.entries(e).filter(([k]) => k.startsWith("PYROSCOPE_"));
    if (py.length) log(`  ${py.map(([k, val]) => `${k}=${val}`).join(" ")}`);
  }
  const results: RoundResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate the order every round so no variant always runs first (or right after another).
    const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]!);
    for (const v of order) {
      const r = await runOnce(v, round, artifacts.demoJar, envs[v]!);
      log(
        `round ${round} ${v}: start ${f(r.startMs, 0)} ms, ${Object.entries(r.metrics)
          .map(([k, x]) => `${k} ${f(x)}`)
          .join(", ")}, errors ${r.errors}`,
      );
      results.push(r);
    }
  }

  console.log(
    `\n${ROUNDS} rounds, ${CONCURRENCY} workers, ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s measured per run, paths ${PATHS.join(" ")}\n`,
  );
  const keys = Object.keys(results[0]!.metrics);
  console.log(`| round | variant | start ms | ${keys.join(" | ")} | errors |`);
  console.log(`|---|---|---|${keys.map(() => "---|").join("")}---|`);
  for (const r of results)
    console.log(
      `| ${r.round} | ${r.variant} | ${f(r.startMs, 0)} | ${keys.map((k) => fmt(k, r.metrics[k]!)).join(" | ")} | ${r.errors} |`,
    );
  const base = results.filter((r) => r.variant === "no agent");
  console.log("\nMedian over the rounds; ratio = median of the per-round ratios to no agent:\n");
  console.log(`| variant | ${keys.join(" | ")} |`);
  console.log(`|---|${keys.map(() => "---|").join("")}`);
  for (const v of variants) {
    const rs = results.filter((r) => r.variant === v);
    const cells = keys.map((k) => {
      const value = fmt(k, median(rs.map((r) => r.metrics[k]!)));
      if (v === "no agent") return value;
      const ratio = median(
        rs.map((r) => r.metrics[k]! / base.find((b) => b.round === r.round)!.metrics[k]!),
      );
      return `${value} (×${f(ratio)})`;
    });
    console.log(`| ${v} | ${cells.join(" | ")} |`);
  }
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
