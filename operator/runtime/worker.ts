// Runs reconcilers off the work queue: success forgets backoff, errors retry, terminal errors stop.
import type { WorkQueue } from "./workqueue.ts";

export interface ReconcileResult {
  /** Reconcile this key again after so many milliseconds (e.g. to poll progress). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

/** An error that retrying cannot fix (bad input): logged and counted, never requeued. */
export class TerminalError extends Error {
  override name = "TerminalError";
}

export type Outcome = "success" | "requeue" | "error" | "terminal";

export interface WorkerHooks {
  onResult?(key: string, outcome: Outcome, durationMs: number, err?: unknown): void;
}

/** Processes one key taken from the queue; returns what happened to it. */
export async function processOne(
  queue: WorkQueue,
  key: string,
  reconcile: Reconciler,
  hooks: WorkerHooks = {},
): Promise<Outcome> {
  const started = performance.now();
  let outcome: Outcome;
  let error: unknown;
  try {
    const result = await reconcile(key);
    queue.forget(key);
    if (result?.requeueAfterMs !== undefined) {
      queue.addAfter(key, result.requeueAfterMs);
      outcome = "requeue";
    } else {
      outcome = "success";
    }
  } catch (err) {
    error = err;
    if (err instanceof TerminalError) {
      queue.forget(key);
      outcome = "terminal";
    } else {
      queue.addRateLimited(key);
      outcome = "error";
    }
  } finally {
    queue.done(key);
  }
  hooks.onResult?.(key, outcome, performance.now() - started, error);
  return outcome;
}

/** Starts `workers` loops that run until the queue shuts down; resolves when all have stopped. */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: Reconciler,
  workers: number,
  hooks: WorkerHooks = {},
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      await processOne(queue, key, reconcile, hooks);
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
