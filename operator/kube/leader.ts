// Leader election on a coordination.k8s.io Lease: only the holder runs reconcilers. Updates are
// guarded by resourceVersion, so two candidates can never both believe they hold the lease.
import type { Clock } from "../runtime/clock.ts";
import { isConflict, isNotFound, type KubeClient } from "./client.ts";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** Whether `identity` may take the lease now: it is free, its own, or its holder stopped renewing. */
export function canAcquire(spec: LeaseSpec | undefined, identity: string, nowMs: number): boolean {
  if (!spec?.holderIdentity || spec.holderIdentity === identity) return true;
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
  return nowMs > renewed + (spec.leaseDurationSeconds ?? 15) * 1000;
}

/** The lease as `identity` would write it to take or renew it. */
export function claim(
  current: LeaseSpec | undefined,
  identity: string,
  nowMs: number,
  durationSeconds: number,
): LeaseSpec {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, ".000000Z");
  const takingOver = current?.holderIdentity !== identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTime: takingOver ? now : (current?.acquireTime ?? now),
    renewTime: now,
    leaseTransitions:
      (current?.leaseTransitions ?? 0) + (takingOver && current?.holderIdentity ? 1 : 0),
  };
}

export interface LeaderElectionOptions {
  client: KubeClient;
  clock: Clock;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private readonly o: Required<LeaderElectionOptions>;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private wake: (() => void) | undefined;

  constructor(opts: LeaderElectionOptions) {
    this.o = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get path() {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases/${this.o.name}`;
  }

  /** Tries to acquire, then renew, until stopped; resolves after stop() releases the lease. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew().catch(() => false);
      const now = this.o.clock.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.o.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > this.o.renewDeadlineMs) {
        // Could not renew in time: another replica may take over, so stop acting at once.
        this.leading = false;
        this.o.onStoppedLeading();
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.o.clock.setTimer(this.o.retryPeriodMs, resolve);
      });
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.clock.now();
    let lease: Lease;
    try {
      lease = await this.o.client.request<Lease>("GET", this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.o.client.request(
        "POST",
        `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases`,
        {
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.o.name, namespace: this.o.namespace },
            spec: claim(undefined, this.o.identity, now, this.o.leaseDurationSeconds),
          },
        },
      );
      return true;
    }
    if (!canAcquire(lease.spec, this.o.identity, now)) return false;
    try {
      await this.o.client.request("PUT", this.path, {
        body: {
          ...lease,
          spec: claim(lease.spec, this.o.identity, now, this.o.leaseDurationSeconds),
        },
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Stops campaigning and, when leading, releases the lease so a successor starts at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (!this.leading) return;
    this.leading = false;
    this.o.onStoppedLeading();
    try {
      const lease = await this.o.client.request<Lease>("GET", this.path);
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.o.client.request("PUT", this.path, {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1 } },
      });
    } catch {
      // Best effort: the lease expires on its own.
    }
  }
}
