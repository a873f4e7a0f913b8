// The probed Pod Security level of each namespace the webhook serves, kept off the admission
// path: namespaces are probed when seen or when their enforce labels change, again after a TTL,
// sooner after a failure; admission only reads, and a miss asks for a probe without waiting.
import type { ProbedLevel } from "../../webhook/inject/settings.ts";
import type { Clock, TimerHandle } from "../runtime/clock.ts";
import { enforceFingerprint, nextProbeIn, type ProbeTiming } from "./levels.ts";

export interface PodSecurityCacheOptions {
  /** The dry run; must not throw (an error is an unknown level). */
  probe: (namespace: string) => Promise<ProbedLevel>;
  clock: Clock;
  timing?: ProbeTiming;
  /** Namespaces kept; the longest unprobed goes first. */
  maxEntries?: number;
  /** Dry runs in flight at once. */
  concurrency?: number;
  /** Each probe's result, when it still applies (not invalidated meanwhile). */
  onResult?: (namespace: string, probed: ProbedLevel, previous: ProbedLevel | undefined) => void;
  random?: () => number;
}

export const DEFAULT_TIMING: ProbeTiming = {
  ttlMs: 10 * 60_000,
  retryMs: 1_000,
  maxRetryMs: 60_000,
};

interface Entry {
  fingerprint: string;
  probed?: ProbedLevel;
  failures: number;
  /** Bumped on invalidation: the answer of a probe started before is dropped. */
  generation: number;
  queued: boolean;
  timer?: TimerHandle;
}

export class PodSecurityCache {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private running = 0;
  private stopped = false;
  private readonly timing: ProbeTiming;
  private readonly maxEntries: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private readonly opts: PodSecurityCacheOptions;

  constructor(opts: PodSecurityCacheOptions) {
    this.opts = opts;
    this.timing = opts.timing ?? DEFAULT_TIMING;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.concurrency = opts.concurrency ?? 4;
    this.random = opts.random ?? Math.random;
  }

  /**
   * The probed level of the namespace for these labels, undefined while not known. Never waits:
   * a namespace not probed for these labels is queued for a probe.
   */
  lookup(namespace: string, labels: Record<string, string> | undefined): ProbedLevel | undefined {
    const entry = this.entries.get(namespace);
    if (entry && entry.fingerprint === enforceFingerprint(labels)) return entry.probed;
    this.observe(namespace, labels);
    return undefined;
  }

  /** A namespace seen or changed: probed now when new or when its enforce labels changed. */
  observe(namespace: string, labels: Record<string, string> | undefined): void {
    if (this.stopped) return;
    const fingerprint = enforceFingerprint(labels);
    const entry = this.entries.get(namespace);
    if (entry?.fingerprint === fingerprint) return;
    if (entry) {
      entry.timer?.cancel();
      this.entries.delete(namespace);
    }
    this.evictIfFull();
    this.entries.set(namespace, {
      fingerprint,
      failures: 0,
      generation: (entry?.generation ?? 0) + 1,
      queued: false,
    });
    this.enqueue(namespace);
  }

  /** A namespace deleted or no longer served by the webhook. */
  forget(namespace: string): void {
    const entry = this.entries.get(namespace);
    if (!entry) return;
    entry.timer?.cancel();
    this.entries.delete(namespace);
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) e.timer?.cancel();
    this.entries.clear();
    this.queue.length = 0;
  }

  /** Map order is insertion order, and an entry is re-inserted whenever it is probed. */
  private evictIfFull(): void {
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.forget(oldest);
    }
  }

  private enqueue(namespace: string): void {
    const entry = this.entries.get(namespace);
    if (!entry || entry.queued) return;
    entry.queued = true;
    this.queue.push(namespace);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.queue.length > 0) {
      const namespace = this.queue.shift()!;
      const entry = this.entries.get(namespace);
      if (!entry) continue;
      entry.queued = false;
      this.running++;
      void this.run(namespace, entry.generation).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(namespace: string, generation: number): Promise<void> {
    const probed = await this.opts.probe(namespace);
    const entry = this.entries.get(namespace);
    if (this.stopped || !entry || entry.generation !== generation) return;
    const previous = entry.probed;
    entry.failures = probed.kind === "known" ? 0 : entry.failures + 1;
    // An unknown answer after a known one keeps nothing: the level may have changed.
    entry.probed = probed;
    this.entries.delete(namespace);
    this.entries.set(namespace, entry);
    this.opts.onResult?.(namespace, probed, previous);
    const delay = nextProbeIn(probed, entry.failures, this.timing, this.random());
    entry.timer = this.opts.clock.setTimer(delay, () => {
      entry.timer = undefined;
      this.enqueue(namespace);
    });
  }
}
