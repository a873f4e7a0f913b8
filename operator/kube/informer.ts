// A resilient informer: list, then watch from the list's resourceVersion into an in-memory cache.
// It relists on 410 Gone, restarts with jittered backoff on any other failure, and resyncs
// periodically. Handlers receive keys only; the cache is read by whoever reconciles.

import { hasOwn } from "../../core/own.ts";
import type { Clock, TimerHandle } from "../runtime/clock.ts";
import type { WatchEvent } from "./client.ts";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  managedFields?: unknown;
  [k: string]: unknown;
}
export interface KubeObject {
  metadata?: ObjectMeta;
}

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

/** Where an informer's data comes from: the API server in production, a fake in unit tests. */
export interface ListerWatcher<T> {
  list(opts: { limit: number; continue?: string }): Promise<ListPage<T>>;
  /** Resolves when the server ends the watch, rejects on failure. */
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export type ChangeKind = "add" | "update" | "delete" | "resync";
export type Handler = (key: string, kind: ChangeKind) => void;

export interface InformerOptions<T = never> {
  clock: Clock;
  resyncMs?: number;
  pageSize?: number;
  /** Base and cap of the restart backoff, before jitter. */
  backoffMs?: [number, number];
  random?: () => number;
  onRestart?: (reason: string) => void;
  /**
   * Keeps only what the readers of this cache use; applied to every object before it is stored
   * (after managedFields are dropped). Must keep metadata.name, namespace and resourceVersion.
   */
  transform?: (obj: T) => T;
}

export const objectKey = (o: KubeObject) =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`;

class GoneError extends Error {}

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers: Handler[] = [];
  private readonly source: ListerWatcher<T>;
  private readonly opts: Required<Omit<InformerOptions<T>, "onRestart" | "transform">> &
    InformerOptions<T>;
  private readonly keep: (obj: T) => T;
  private abort = new AbortController();
  private stopped = false;
  private hasSynced = false;
  private resyncTimer: TimerHandle | undefined;
  private failures = 0;
  private running: Promise<void> | undefined;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(source: ListerWatcher<T>, opts: InformerOptions<T>) {
    this.source = source;
    this.opts = {
      resyncMs: 10 * 60_000,
      pageSize: 500,
      backoffMs: [250, 30_000],
      random: Math.random,
      ...opts,
    };
    const transform = opts.transform;
    this.keep = transform ? (obj) => transform(slim(obj)) : slim;
  }

  onChange(handler: Handler): this {
    this.handlers.push(handler);
    return this;
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  /** Resolves once the first list has filled the cache. */
  waitForSync(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  start(): this {
    this.running ??= this.loop();
    this.scheduleResync();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resyncTimer?.cancel();
    this.abort.abort();
    await this.running;
  }

  private emit(key: string, kind: ChangeKind) {
    for (const h of this.handlers) h(key, kind);
  }

  private scheduleResync() {
    this.resyncTimer = this.opts.clock.setTimer(this.opts.resyncMs, () => {
      if (this.stopped) return;
      if (this.hasSynced) for (const key of this.store.keys()) this.emit(key, "resync");
      this.scheduleResync();
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        let rv = await this.relist();
        for (;;) {
          if (this.stopped) return;
          rv = await this.watchOnce(rv);
        }
      } catch (err) {
        if (this.stopped) return;
        const gone = err instanceof GoneError || (err as { status?: number }).status === 410;
        this.opts.onRestart?.(gone ? "gone" : "error");
        if (!gone) await this.sleep(this.nextBackoff());
      }
    }
  }

  private nextBackoff(): number {
    const [base, cap] = this.opts.backoffMs;
    const ms = Math.min(cap, base * 2 ** this.failures++);
    return ms / 2 + (this.opts.random() * ms) / 2;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.opts.clock.setTimer(ms, resolve);
      const wake = () => {
        t.cancel();
        resolve();
      };
      this.abort.signal.addEventListener("abort", wake, { once: true });
    });
  }

  /** Lists every page and replaces the cache, emitting the differences as changes. */
  private async relist(): Promise<string> {
    const fresh = new Map<string, T>();
    let page: ListPage<T> | undefined;
    do {
      page = await this.source.list({ limit: this.opts.pageSize, continue: page?.continue });
      for (const item of page.items) fresh.set(objectKey(item), this.keep(item));
    } while (page.continue);
    for (const key of this.store.keys()) {
      if (!fresh.has(key)) {
        this.store.delete(key);
        this.emit(key, "delete");
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      this.store.set(key, obj);
      if (!old) this.emit(key, "add");
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.emit(key, "update");
    }
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return page.resourceVersion;
  }

  /** Watches from `rv` until the server closes the stream; returns the last seen version. */
  private async watchOnce(rv: string): Promise<string> {
    let last = rv;
    let gone = false;
    // Jittered server-side timeouts spread reconnects of many informers over time.
    const timeoutSeconds = Math.floor(300 + this.opts.random() * 300);
    await this.source.watch(
      rv,
      timeoutSeconds,
      (e) => {
        // A watch that delivers is a healthy connection: the next failure starts backoff afresh.
        this.failures = 0;
        if (gone) return;
        if (e.type === "ERROR") {
          const status = e.object as { code?: number };
          if (status.code === 410) gone = true;
          else throw new Error(`watch error event: ${JSON.stringify(e.object)}`);
          return;
        }
        const obj = e.object;
        if (obj.metadata?.resourceVersion) last = obj.metadata.resourceVersion;
        if (e.type === "BOOKMARK") return;
        const key = objectKey(obj);
        if (e.type === "DELETED") {
          this.store.delete(key);
          this.emit(key, "delete");
        } else {
          const existed = this.store.has(key);
          this.store.set(key, this.keep(obj));
          this.emit(key, existed ? "update" : "add");
        }
      },
      this.abort.signal,
    );
    if (gone) throw new GoneError("resourceVersion too old");
    this.failures = 0;
    return last;
  }
}

/** Drops managedFields: large, and never read by the operator. */
function slim<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields) {
    const { managedFields: _, ...metadata } = obj.metadata;
    return { ...obj, metadata };
  }
  return obj;
}

type Obj = Record<string, unknown>;
const pick = (o: unknown, keys: readonly string[]): Obj | undefined => {
  if (!o || typeof o !== "object") return undefined;
  const out: Obj = {};
  for (const k of keys) if ((o as Obj)[k] !== undefined) out[k] = (o as Obj)[k];
  return out;
};

/** Metadata fields any reader of a cache may use; the rest (uid aside) is never read. */
const METADATA_KEYS = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "labels",
  "annotations",
  "ownerReferences",
  "creationTimestamp",
  "deletionTimestamp",
] as const;
/** Written by `kubectl apply`, often as large as the object itself; no controller reads it. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function slimMetadata(meta: unknown): ObjectMeta | undefined {
  const m = pick(meta, METADATA_KEYS) as ObjectMeta | undefined;
  const annotations = m?.annotations as Record<string, string> | undefined;
  if (annotations && hasOwn(annotations, LAST_APPLIED)) {
    const { [LAST_APPLIED]: _, ...rest } = annotations;
    m!.annotations = rest;
  }
  return m;
}

/**
 * Deployments, StatefulSets and DaemonSets reduced to what the coverage and rollout controllers
 * read: metadata, the replica count, selector, update strategy, the pod template's metadata (not
 * its spec: containers, env and volumes are most of a workload's size) and the status.
 */
export function workloadTransform<T extends KubeObject>(obj: T): T {
  const o = obj as KubeObject & { spec?: Obj; status?: unknown };
  const spec = o.spec;
  const template = spec?.template as { metadata?: unknown } | undefined;
  const out: Obj = { metadata: slimMetadata(o.metadata) };
  if (spec) {
    const s = pick(spec, ["replicas", "selector", "updateStrategy", "strategy", "paused"])!;
    if (template) s.template = { metadata: slimMetadata(template.metadata) ?? {} };
    out.spec = s;
  }
  if (o.status !== undefined) out.status = o.status;
  return out as T;
}

/** Metadata-only objects (e.g. pods) without the fields no reader uses. */
export function metadataTransform<T extends KubeObject>(obj: T): T {
  return { metadata: slimMetadata(obj.metadata) } as T;
}
