// Policies as the webhook and controllers read them: parsed and defaulted once per
// resourceVersion, not once per admission; a policy that fails validation is held back with
// its errors instead of being half-applied.

import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { formatErrors, parsePolicy } from "../core/api/v1alpha1/validate.ts";
import type { Informer, KubeObject } from "./kube/informer.ts";

interface Entry {
  resourceVersion: string | undefined;
  policy?: ProfilingPolicy;
  error?: string;
}

export class PolicyCache {
  private readonly informer: Informer<KubeObject>;
  private readonly entries = new Map<string, Entry>();
  private valid: ProfilingPolicy[] | undefined;

  constructor(informer: Informer<KubeObject>) {
    this.informer = informer;
    informer.onChange(() => {
      this.valid = undefined;
    });
  }

  private entry(name: string): Entry | undefined {
    const raw = this.informer.get(name);
    if (!raw) {
      this.entries.delete(name);
      return undefined;
    }
    const rv = raw.metadata?.resourceVersion;
    const cached = this.entries.get(name);
    if (cached && cached.resourceVersion === rv) return cached;
    const parsed = parsePolicy(raw);
    const entry: Entry = parsed.ok
      ? { resourceVersion: rv, policy: parsed.policy }
      : { resourceVersion: rv, error: formatErrors(parsed.errors) };
    this.entries.set(name, entry);
    return entry;
  }

  /** A policy by name, with defaults; `error` explains why a stored policy is unusable. */
  get(name: string): { policy?: ProfilingPolicy; error?: string } | undefined {
    return this.entry(name);
  }

  /** Every usable policy, defaulted. Memoised until the next change in the cache. */
  list(): ProfilingPolicy[] {
    if (!this.valid) {
      const valid: ProfilingPolicy[] = [];
      for (const name of this.informer.keys()) {
        const p = this.entry(name)?.policy;
        if (p && !p.metadata.deletionTimestamp) valid.push(p);
      }
      for (const name of this.entries.keys())
        if (!this.informer.get(name)) this.entries.delete(name);
      this.valid = valid;
    }
    return this.valid;
  }
}
