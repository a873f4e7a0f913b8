// The webhook's prediction per workload, cached: each workload's pod template is kept as JSON
// text (the workload cache itself drops it), and its prediction is recomputed only when the
// template, a policy's generation or the namespace's labels change.
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import type { NamespaceLike } from "../../core/match/policies.ts";
import {
  type Admit,
  type Prediction,
  predictTemplate,
  type TemplateKind,
  type TemplateOwner,
} from "./predict.ts";

interface WorkloadLike {
  metadata?: { namespace?: string; name?: string; uid?: string; generation?: number };
  spec?: { template?: V1PodTemplateSpec };
}

interface Entry {
  uid?: string;
  generation?: number;
  /** The pod template as JSON text: a fraction of the parsed object's memory. */
  template: string;
  /** The context the prediction was made in, and the prediction. */
  context?: string;
  prediction?: Prediction;
}

export interface PredictionContext {
  /** The webhook's pipeline; it must not record Events. */
  admit: Admit;
  /** Every policy the webhook sees: their uid and generation are part of the cache key. */
  policies: () => readonly { metadata: { uid?: string; generation?: number } }[];
  namespace: (name: string) => NamespaceLike | undefined;
}

export type PredictionLookup = (
  kind: string,
  namespace: string,
  name: string,
) => Prediction | undefined;

const KINDS = new Set<string>(["Deployment", "StatefulSet", "DaemonSet"]);
const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export class TemplatePredictions {
  private readonly entries = new Map<string, Entry>();
  private readonly ctx: PredictionContext;
  /** Predictions computed (cache misses), for tests and the benchmark's curiosity. */
  computed = 0;

  constructor(ctx: PredictionContext) {
    this.ctx = ctx;
  }

  /** Keeps a workload's template as the watch delivers it, before the cache slims it. */
  observe(kind: string, obj: WorkloadLike): void {
    const m = obj.metadata;
    if (!KINDS.has(kind) || !m?.name || !m.namespace) return;
    const key = keyOf(kind, m.namespace, m.name);
    const old = this.entries.get(key);
    // Status updates keep the generation: nothing to copy or recompute.
    if (old && m.generation !== undefined && old.uid === m.uid && old.generation === m.generation)
      return;
    const template = JSON.stringify(obj.spec?.template ?? {});
    if (old && old.uid === m.uid && old.template === template) {
      old.generation = m.generation;
      return;
    }
    this.entries.set(key, { uid: m.uid, generation: m.generation, template });
  }

  forget(kind: string, namespace: string, name: string): void {
    this.entries.delete(keyOf(kind, namespace, name));
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A lookup for one coverage pass: the policies' part of the key is computed once, each
   * namespace's once. Undefined for workloads whose template has not been seen.
   */
  lookup(): PredictionLookup {
    const policies = this.ctx
      .policies()
      .map((p) => `${p.metadata.uid ?? ""}@${p.metadata.generation ?? 0}`)
      .sort()
      .join(",");
    const nsKeys = new Map<string, string>();
    const nsKey = (name: string) => {
      let k = nsKeys.get(name);
      if (k === undefined) {
        k = JSON.stringify(this.ctx.namespace(name)?.metadata?.labels ?? null);
        nsKeys.set(name, k);
      }
      return k;
    };
    return (kind, namespace, name) => {
      const entry = this.entries.get(keyOf(kind, namespace, name));
      if (!entry) return undefined;
      const context = `${policies}|${nsKey(namespace)}`;
      if (entry.context !== context || !entry.prediction) {
        const owner: TemplateOwner = { kind: kind as TemplateKind, namespace, name };
        if (entry.uid) owner.uid = entry.uid;
        entry.prediction = predictTemplate(this.ctx.admit, owner, JSON.parse(entry.template));
        entry.context = context;
        this.computed++;
      }
      return entry.prediction;
    };
  }
}
