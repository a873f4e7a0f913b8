// Child process sending AdmissionReviews over HTTPS keep-alive at a fixed concurrency.
import { Pool } from "undici";

export interface LoadCommand {
  url: string;
  path: string;
  ca: string;
  bodies: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** A hard cap on requests in the measured phase, whatever the duration. */
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  clientCpuMicros: number;
}

export type LoadMessage = { type: "measuring" } | { type: "done"; result: LoadResult };

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function run(cmd: LoadCommand): Promise<LoadResult> {
  const pool = new Pool(cmd.url, {
    connections: cmd.concurrency,
    pipelining: 1,
    connect: { ca: cmd.ca, rejectUnauthorized: true },
    keepAliveTimeout: 60_000,
  });
  const bodies = cmd.bodies.map((b) => Buffer.from(b));
  const headers = { "content-type": "application/json" };
  const latencies = new Float64Array(cmd.maxRequests);
  let next = 0;
  let recorded = 0;
  let errors = 0;
  let measuring = false;
  let stopAt = Date.now() + cmd.warmupMs;

  const one = async () => {
    const body = bodies[next++ % bodies.length];
    const t0 = performance.now();
    try {
      const res = await pool.request({ path: cmd.path, method: "POST", headers, body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
    if (measuring && recorded < latencies.length) latencies[recorded++] = performance.now() - t0;
  };
  const worker = async () => {
    while (Date.now() < stopAt && recorded < latencies.length) await one();
  };
  const phase = () => Promise.all(Array.from({ length: cmd.concurrency }, worker));

  await phase(); // warm-up: connections, TLS handshakes, JIT on both sides
  errors = 0;
  measuring = true;
  process.send?.({ type: "measuring" } satisfies LoadMessage);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  stopAt = Date.now() + cmd.durationMs;
  await phase();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();

  const sorted = latencies.subarray(0, recorded).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    requests: recorded,
    errors,
    elapsedMs,
    perSecond: (recorded / elapsedMs) * 1000,
    latencyMs: {
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      mean,
    },
    clientCpuMicros: cpu.user + cpu.system,
  };
}

process.once("message", async (cmd: LoadCommand) => {
  const result = await run(cmd);
  process.send?.({ type: "done", result } satisfies LoadMessage, () => process.exit(0));
});
