// Parameters of every property test (docs/adr/0016-property-tests.md): random on every run, with
// enough runs to find a known bug reliably, the kept counterexamples tried first, more runs
// under `make fuzz`, and a failure replayed from the seed and path its report prints.
import type fc from "fast-check";

/** Runs of every property under `make fuzz` (when above the property's own). */
export const FUZZ_RUNS_ENV = "FLEETSCOPE_FUZZ_RUNS";
/** Replays one failure: the `seed` (and `path`) from the report of a failed property. */
export const SEED_ENV = "FLEETSCOPE_FUZZ_SEED";
export const PATH_ENV = "FLEETSCOPE_FUZZ_PATH";
/**
 * Mocha timeout of a property test: it only catches a hang. Thousands of CPU-bound runs take
 * about a second on an idle machine and several times that on a shared one; a tight timeout
 * would make the suite's result depend on the machine's load.
 */
export const PROPERTY_TIMEOUT_MS = 300_000;

function envInteger(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${text}: must be an integer`);
  return n;
}

/**
 * fc.assert parameters: `runs` random runs (FLEETSCOPE_FUZZ_RUNS when larger), after the
 * `examples`, which are the counterexamples found so far and are checked on every run.
 */
export function propertyParams<Ts>(
  runs: number,
  examples: readonly Ts[] = [],
  env: NodeJS.ProcessEnv = process.env,
): fc.Parameters<Ts> {
  const fuzz = envInteger(FUZZ_RUNS_ENV, env);
  if (fuzz !== undefined && fuzz < 1) throw new Error(`${FUZZ_RUNS_ENV}=${fuzz}: must be >= 1`);
  const params: fc.Parameters<Ts> = {
    numRuns: Math.max(runs, fuzz ?? 0),
    examples: [...examples],
  };
  // Always an explicit seed, so that checks made after fc.assert (e.g. that the generator
  // produced each kind of case) can print it too.
  const seed = envInteger(SEED_ENV, env);
  params.seed = seed ?? (Math.random() * 2 ** 32) | 0;
  const path = env[PATH_ENV];
  if (seed !== undefined && path) params.path = path;
  return params;
}
