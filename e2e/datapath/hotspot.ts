// Loading a profiled service in data-path tests until its CPU profile holds enough samples, not for
// a time: a busy machine gives fewer samples per second, never a weaker profile.
import type { PyroscopeClient, TimeRange } from "../../cli/pyroscope/query.ts";
import { sampleCount } from "../../cli/pyroscope/regressions.ts";
import { driveLoad } from "./java-process.ts";

export const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

/**
 * CPU samples of the JVM (JIT compilation, class loading, interpreted code) spent before the
 * range the tests measure: two seconds of the process's CPU, time in which the demo's hot loops
 * are compiled. Counted in samples, so a slow machine waits longer instead of measuring warm-up.
 */
export const WARMUP_SAMPLES = 200;

/**
 * CPU samples in the measured range: a share p is known to about ±sqrt(p(1-p)/n), so 500 samples
 * put computeHash's share (41–58 % of the CPU under load) within ±2.2 points, against a lead of
 * 29 points or more over the next own function. Also the CLI's minimum for a verdict.
 */
export const STEADY_SAMPLES = 500;

export interface SampledLoadOptions {
  client: PyroscopeClient;
  /** The service's series, e.g. `{service_name="shop/checkout"}`. */
  labelSelector: string;
  baseUrl: string;
  /** Requested round-robin. */
  paths: string[];
  concurrency?: number;
  /** Load until the CPU profile holds this many samples from `from` on... */
  samples: number;
  /** ...counted from this time (ms since the epoch); default: when the call starts. */
  from?: number;
  /** ...or fail once this long has passed (default DEADLINE_MS). */
  deadlineMs?: number;
}

export interface SampledLoad {
  /** From `from` to the moment the samples were counted: the range that holds them. */
  range: TimeRange;
  samples: number;
  requests: number;
  elapsedMs: number;
}

/**
 * How long loading may take: on an idle 2-core machine the samples arrive in well under a
 * minute; this leaves room for a machine many times slower and still fails before mocha does.
 */
const DEADLINE_MS = 240_000;

/** Load in bursts of one upload interval, counting CPU samples after each. */
const BURST_MS = 2_000;

/** Drives load until the service's CPU profile since `from` holds `samples` samples. */
export async function loadUntilSamples(opts: SampledLoadOptions): Promise<SampledLoad> {
  const started = Date.now();
  const from = opts.from ?? started;
  const deadline = started + (opts.deadlineMs ?? DEADLINE_MS);
  let requests = 0;
  for (;;) {
    const load = await driveLoad(opts.baseUrl, {
      paths: opts.paths,
      durationMs: BURST_MS,
      maxRequests: Number.MAX_SAFE_INTEGER,
      concurrency: opts.concurrency,
      // A starved machine may take long over one request; the overall deadline bounds the wait.
      requestTimeoutMs: 120_000,
    });
    requests += load.requests;
    if (load.failures > 0)
      throw new Error(
        `${load.failures} of ${load.requests} requests to ${opts.baseUrl} failed, ` +
          `the first with ${load.firstFailure}`,
      );
    const end = Date.now();
    const fg = await opts.client.selectMergeStacktraces({
      profileTypeId: CPU,
      labelSelector: opts.labelSelector,
      start: from,
      end,
    });
    const samples = sampleCount(fg.total, "nanoseconds");
    const elapsedMs = end - started;
    if (samples >= opts.samples)
      return { range: { start: from, end }, samples, requests, elapsedMs };
    if (end > deadline)
      throw new Error(
        `${opts.labelSelector}: ${samples} of ${opts.samples} CPU samples after ` +
          `${requests} requests in ${Math.round(elapsedMs / 1000)} s`,
      );
  }
}

export interface SteadyLoad {
  warmup: SampledLoad;
  /** Starts after warm-up: the range the tests measure. */
  steady: SampledLoad;
}

/**
 * WARMUP_SAMPLES of load counted from the JVM's start, then STEADY_SAMPLES more in a range of
 * their own; `deadlineMs` (default 4 minutes) covers both.
 */
export async function loadSteadyState(
  opts: Omit<SampledLoadOptions, "samples" | "from"> & { jvmStarted: number },
): Promise<SteadyLoad> {
  const deadlineMs = opts.deadlineMs ?? DEADLINE_MS;
  const warmup = await loadUntilSamples({
    ...opts,
    samples: WARMUP_SAMPLES,
    from: opts.jvmStarted,
    deadlineMs,
  }).catch((err: Error) => {
    throw new Error(`warm-up: ${err.message}`);
  });
  const steady = await loadUntilSamples({
    ...opts,
    samples: STEADY_SAMPLES,
    deadlineMs: deadlineMs - warmup.elapsedMs,
  }).catch((err: Error) => {
    throw new Error(`after a warm-up of ${warmup.samples} samples: ${err.message}`);
  });
  return { warmup, steady };
}

/** For the test log: what loading took. */
export function describePhase(p: SampledLoad): string {
  return `${p.samples} samples, ${p.requests} requests, ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

export function describeLoad({ warmup, steady }: SteadyLoad): string {
  return `warm-up ${describePhase(warmup)}; measured ${describePhase(steady)}`;
}
