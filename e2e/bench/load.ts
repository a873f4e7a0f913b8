// Child process sending AdmissionReviews over HTTPS keep-alive, in one of two ways:
// - closed loop: a fixed number of requests in flight, each sent when the previous one returns
//   (measures throughput; latency at saturation is mostly queueing);
// - open loop: requests sent at a fixed arrival rate whatever the responses, latency measured
//   from each request's scheduled send time, so a slow server cannot hold the load back and hide
//   its own queueing (no coordinated omission).
import { Pool } from "undici";

export interface LoadCommand {
  url: string;
  path: string;
  ca: string;
  bodies: string[];
  /** Closed loop: requests in flight. */
  concurrency: number;
  /** Open loop when set: requests per second, sent on schedule regardless of responses. */
  rate?: number;
  /** Open loop: connections the pool may open (requests wait in the pool when all are busy). */
  connections?: number;
  warmupMs: number;
  durationMs: number;
  /** A hard cap on requests in the measured phase, whatever the duration. */
  maxRequests: number;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  perSecond: number;
  latencyMs: Quantiles;
  /** Open loop: how late the generator itself issued requests (actual − scheduled send time). */
  sendLagMs?: Quantiles;
  /** Open loop: most requests in flight (sent, not yet answered) at once. */
  maxInFlight?: number;
  clientCpuMicros: number;
}

export type LoadMessage = { type: "measuring" } | { type: "done"; result: LoadResult };

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

function quantiles(values: Float64Array): Quantiles {
  const sorted = values.sort();
  return {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

const headers = { "content-type": "application/json" };

async function closedLoop(cmd: LoadCommand, pool: Pool, bodies: Buffer[]): Promise<LoadResult> {
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
  return {
    requests: recorded,
    errors,
    elapsedMs,
    perSecond: (recorded / elapsedMs) * 1000,
    latencyMs: quantiles(latencies.subarray(0, recorded)),
    clientCpuMicros: cpu.user + cpu.system,
  };
}

/** Longest the open loop waits for the last answers after its last scheduled send. */
const DRAIN_MS = 30_000;

async function openLoop(
  cmd: LoadCommand,
  rate: number,
  pool: Pool,
  bodies: Buffer[],
): Promise<LoadResult> {
  const interval = 1000 / rate;
  let next = 0;
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  /**
   * Sends `count` requests, the k-th scheduled at `start + k * interval`; resolves when every
   * one has been answered (or failed), with latencies from the scheduled time when `record`.
   */
  const phase = (count: number, record: boolean) => {
    // Infinity until answered: requests never answered land in the top quantiles, not at 0.
    const latencies = new Float64Array(record ? count : 0).fill(Number.POSITIVE_INFINITY);
    const lags = new Float64Array(record ? count : 0);
    const start = performance.now();
    let sent = 0;
    let answered = 0;
    let timer: NodeJS.Timeout | undefined;
    return new Promise<{ latencies: Float64Array; lags: Float64Array }>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(drain);
        resolve({ latencies, lags });
      };
      const one = async (k: number, scheduled: number) => {
        const body = bodies[next++ % bodies.length];
        const issued = performance.now();
        inFlight++;
        if (inFlight > maxInFlight && record) maxInFlight = inFlight;
        let ok = false;
        try {
          const res = await pool.request({ path: cmd.path, method: "POST", headers, body });
          await res.body.arrayBuffer();
          ok = res.statusCode === 200;
        } catch {}
        inFlight--;
        if (record) {
          if (!ok) errors++;
          latencies[k] = performance.now() - scheduled;
          lags[k] = issued - scheduled;
        }
        if (++answered === count) finish();
      };
      // Every due request is issued on each wake-up: a late timer sends a burst rather than
      // shifting the schedule, and the lateness counts in the latency.
      const tick = () => {
        const now = performance.now();
        while (sent < count && start + sent * interval <= now) {
          void one(sent, start + sent * interval);
          sent++;
        }
        if (sent < count) {
          timer = setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
        }
      };
      const drain = setTimeout(finish, count * interval + DRAIN_MS);
      tick();
    });
  };

  await phase(Math.max(1, Math.round((cmd.warmupMs / 1000) * rate)), false);
  process.send?.({ type: "measuring" } satisfies LoadMessage);
  const count = Math.min(cmd.maxRequests, Math.max(1, Math.round((cmd.durationMs / 1000) * rate)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { latencies, lags } = await phase(count, true);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Requests still unanswered after the drain count as errors (their latency is Infinity).
  let answered = 0;
  for (const l of latencies) if (Number.isFinite(l)) answered++;
  errors += count - answered;
  return {
    requests: count,
    errors,
    elapsedMs,
    perSecond: (answered / elapsedMs) * 1000,
    latencyMs: quantiles(latencies),
    sendLagMs: quantiles(lags),
    maxInFlight,
    clientCpuMicros: cpu.user + cpu.system,
  };
}

async function run(cmd: LoadCommand): Promise<LoadResult> {
  const open = cmd.rate !== undefined;
  const pool = new Pool(cmd.url, {
    connections: open ? (cmd.connections ?? 64) : cmd.concurrency,
    pipelining: 1,
    connect: { ca: cmd.ca, rejectUnauthorized: true },
    keepAliveTimeout: 60_000,
  });
  const bodies = cmd.bodies.map((b) => Buffer.from(b));
  try {
    return open
      ? await openLoop(cmd, cmd.rate!, pool, bodies)
      : await closedLoop(cmd, pool, bodies);
  } finally {
    // Open loop: anything still unanswered after the drain is abandoned, not awaited.
    await (open ? pool.destroy() : pool.close());
  }
}

process.once("message", async (cmd: LoadCommand) => {
  const result = await run(cmd);
  process.send?.({ type: "done", result } satisfies LoadMessage, () => process.exit(0));
});
