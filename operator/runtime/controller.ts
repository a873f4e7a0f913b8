// A named controller: its own work queue and workers around one reconcile function, with
// metrics and a log line per failure. Watches feed it keys through `enqueue`.
import type { Logger } from "pino";
import type { Clock } from "./clock.ts";
import type { ControllerMetrics } from "./metrics.ts";
import { ExponentialBackoff, MaxOf, TokenBucket } from "./rate-limiter.ts";
import { type Reconciler, runWorkers } from "./worker.ts";
import { WorkQueue } from "./workqueue.ts";

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  workers?: number;
  /** Every key the controller owns, enqueued when it starts: a new leader reconciles all once. */
  initialKeys?: () => Iterable<string>;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly o: ControllerOptions;
  private running: Promise<void> | undefined;

  constructor(o: ControllerOptions) {
    this.o = o;
    this.name = o.name;
    this.queue = new WorkQueue(
      o.clock,
      new MaxOf(new ExponentialBackoff(50, 5 * 60_000), new TokenBucket(o.clock, 20, 200)),
    );
  }

  enqueue = (key: string): void => {
    this.queue.add(key);
    this.o.metrics.queueDepth.set({ controller: this.name }, this.queue.length);
  };

  start(): void {
    const { metrics, logger } = this.o;
    this.running ??= runWorkers(this.queue, this.o.reconcile, this.o.workers ?? 2, {
      onResult: (key, outcome, ms, err) => {
        metrics.reconciles.inc({ controller: this.name, result: outcome });
        metrics.duration.observe({ controller: this.name }, ms / 1000);
        metrics.queueDepth.set({ controller: this.name }, this.queue.length);
        const line = { controller: this.name, key, outcome, ms: Math.round(ms) };
        if (err) {
          logger.warn(
            { ...line, err: String(err), failures: this.queue.failures(key) },
            "reconcile failed",
          );
        } else {
          logger.debug(line, "reconciled");
        }
      },
    });
    for (const key of this.o.initialKeys?.() ?? []) this.enqueue(key);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }
}
