// Informer behaviour against a scripted source: sync, watch events, 410 relist, restart backoff, resync.
import { expect } from "chai";
import { FakeClock } from "../runtime/clock.ts";
import type { WatchEvent } from "./client.ts";
import {
  type ChangeKind,
  Informer,
  type ListerWatcher,
  type ListPage,
  metadataTransform,
  workloadTransform,
} from "./informer.ts";

type Obj = { metadata: { name: string; resourceVersion: string; managedFields?: unknown } };
const obj = (name: string, rv: number): Obj => ({
  metadata: { name, resourceVersion: String(rv), managedFields: [{ manager: "x" }] },
});

interface OpenWatch {
  rv: string;
  emit: (e: WatchEvent<Obj>) => void;
  end: () => void;
  fail: (err: Error) => void;
}

/** A scripted API server: lists its current objects (two per page), records every watch. */
class FakeSource implements ListerWatcher<Obj> {
  objects: Obj[] = [];
  rv = 100;
  lists = 0;
  watches: OpenWatch[] = [];

  async list({ limit, continue: cont }: { limit: number; continue?: string }) {
    if (!cont) this.lists++;
    const start = Number(cont ?? 0);
    const page: ListPage<Obj> = {
      items: this.objects.slice(start, start + Math.min(limit, 2)),
      resourceVersion: String(this.rv),
    };
    if (start + 2 < this.objects.length) page.continue = String(start + 2);
    return page;
  }

  watch(rv: string, _t: number, onEvent: (e: WatchEvent<Obj>) => void, signal: AbortSignal) {
    return new Promise<void>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      this.watches.push({ rv, emit: onEvent, end: resolve, fail: reject });
    });
  }

  get current(): OpenWatch {
    return this.watches.at(-1)!;
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function setup(objects: Obj[] = []) {
  const clock = new FakeClock();
  const source = new FakeSource();
  source.objects = objects;
  const restarts: string[] = [];
  const informer = new Informer(source, {
    clock,
    resyncMs: 60_000,
    backoffMs: [1000, 8000],
    random: () => 1,
    onRestart: (r) => restarts.push(r),
  });
  const changes: string[] = [];
  informer.onChange((key: string, kind: ChangeKind) => changes.push(`${kind} ${key}`));
  return { clock, source, informer, changes, restarts };
}

describe("Informer", () => {
  it("lists every page, fills the cache without managedFields, then watches from the list's version", async () => {
    const { source, informer, changes } = setup([obj("a", 1), obj("b", 2), obj("c", 3)]);
    informer.start();
    await informer.waitForSync();
    await flush();
    expect(informer.synced).to.equal(true);
    expect(informer.keys()).to.deep.equal(["a", "b", "c"]);
    expect(informer.get("a")?.metadata.managedFields).to.equal(undefined);
    expect(changes).to.deep.equal(["add a", "add b", "add c"]);
    expect(source.current.rv).to.equal("100");
    await informer.stop();
  });

  it("applies watch events in order and resumes from the last bookmark", async () => {
    const { source, informer, changes } = setup([obj("a", 1)]);
    informer.start();
    await flush();
    source.current.emit({ type: "ADDED", object: obj("b", 101) });
    source.current.emit({ type: "MODIFIED", object: obj("a", 102) });
    source.current.emit({ type: "DELETED", object: obj("b", 103) });
    source.current.emit({ type: "BOOKMARK", object: obj("", 150) });
    source.current.end();
    await flush();
    expect(changes).to.deep.equal(["add a", "add b", "update a", "delete b"]);
    expect(informer.get("a")?.metadata.resourceVersion).to.equal("102");
    expect(source.lists, "a clean close rewatches without relisting").to.equal(1);
    expect(source.current.rv).to.equal("150");
    await informer.stop();
  });

  it("relists at once on 410 Gone and reports objects deleted meanwhile", async () => {
    const { source, informer, changes, restarts } = setup([obj("a", 1), obj("b", 2)]);
    informer.start();
    await flush();
    source.objects = [obj("a", 5)];
    source.rv = 200;
    source.current.emit({ type: "ERROR", object: { code: 410 } as never });
    source.current.end();
    await flush();
    expect(source.lists).to.equal(2);
    expect(restarts).to.deep.equal(["gone"]);
    expect(changes.slice(2)).to.deep.equal(["delete b", "update a"]);
    expect(source.current.rv).to.equal("200");
    await informer.stop();
  });

  it("restarts a failed watch after a growing, capped backoff", async () => {
    const { clock, source, informer, restarts } = setup([obj("a", 1)]);
    informer.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const lists = source.lists;
      source.current.fail(new Error("connection reset"));
      await flush();
      let waited = 0;
      while (source.lists === lists) {
        clock.advance(100);
        waited += 100;
        await flush();
      }
      delays.push(waited);
    }
    expect(delays).to.deep.equal([1000, 2000, 4000, 8000, 8000]);
    expect(restarts).to.have.length(5);
    expect(informer.synced, "the cache stays usable while restarting").to.equal(true);
    await informer.stop();
  });

  it("resets the backoff once a watch delivers again", async () => {
    const { clock, source, informer } = setup();
    informer.start();
    await flush();
    source.current.fail(new Error("x"));
    await flush();
    clock.advance(1000);
    await flush();
    source.current.emit({ type: "BOOKMARK", object: obj("", 300) });
    source.current.fail(new Error("y"));
    await flush();
    clock.advance(999);
    await flush();
    expect(source.lists).to.equal(2);
    clock.advance(1);
    await flush();
    expect(source.lists).to.equal(3);
    await informer.stop();
  });

  it("resyncs every key periodically", async () => {
    const { clock, informer, changes } = setup([obj("a", 1), obj("b", 2)]);
    informer.start();
    await flush();
    clock.advance(60_000);
    expect(changes.slice(2)).to.deep.equal(["resync a", "resync b"]);
    await informer.stop();
  });
});

describe("informer transforms", () => {
  it("applies the transform to listed and watched objects, after dropping managedFields", async () => {
    const clock = new FakeClock();
    const source = new FakeSource();
    source.objects = [obj("a", 1)];
    const seen: unknown[] = [];
    const informer = new Informer<Obj>(source, {
      clock,
      transform: (o) => {
        seen.push(o.metadata.managedFields);
        return { metadata: { ...o.metadata, name: o.metadata.name, resourceVersion: "t" } };
      },
    }).start();
    await informer.waitForSync();
    await flush();
    source.current.emit({ type: "ADDED", object: obj("b", 2) });
    expect(informer.get("a")?.metadata.resourceVersion).to.equal("t");
    expect(informer.get("b")?.metadata.resourceVersion).to.equal("t");
    expect(seen).to.deep.equal([undefined, undefined]);
    await informer.stop();
  });

  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "checkout",
      namespace: "shop",
      uid: "u1",
      resourceVersion: "7",
      generation: 3,
      labels: { app: "checkout" },
      annotations: {
        "fleetscope.io/rollout": "shop/5",
        "kubectl.kubernetes.io/last-applied-configuration": "{...}",
      },
      managedFields: [{ manager: "kubectl" }],
      creationTimestamp: "2025-06-01T00:00:00Z",
      selfLink: "/x",
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "checkout" } },
      strategy: { type: "RollingUpdate" },
      revisionHistoryLimit: 10,
      template: {
        metadata: {
          labels: { app: "checkout" },
          annotations: { "fleetscope.io/restartedAt": "t" },
        },
        spec: { containers: [{ name: "app", image: "java", env: [{ name: "A", value: "1" }] }] },
      },
    },
    status: { observedGeneration: 3, replicas: 3, availableReplicas: 3, updatedReplicas: 3 },
  };

  it("workloadTransform keeps what the rollout reads and drops the pod spec", () => {
    expect(workloadTransform(deployment as never)).to.deep.equal({
      metadata: {
        name: "checkout",
        namespace: "shop",
        uid: "u1",
        resourceVersion: "7",
        generation: 3,
        labels: { app: "checkout" },
        annotations: { "fleetscope.io/rollout": "shop/5" },
        creationTimestamp: "2025-06-01T00:00:00Z",
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "checkout" } },
        strategy: { type: "RollingUpdate" },
        template: {
          metadata: {
            labels: { app: "checkout" },
            annotations: { "fleetscope.io/restartedAt": "t" },
          },
        },
      },
      status: deployment.status,
    });
  });

  it("metadataTransform keeps the metadata readers use", () => {
    const pod = {
      kind: "PartialObjectMetadata",
      metadata: {
        name: "p",
        namespace: "shop",
        resourceVersion: "1",
        generateName: "checkout-",
        ownerReferences: [{ kind: "ReplicaSet", name: "checkout-1" }],
        labels: { app: "checkout" },
      },
    };
    expect(metadataTransform(pod as never)).to.deep.equal({
      metadata: {
        name: "p",
        namespace: "shop",
        resourceVersion: "1",
        ownerReferences: [{ kind: "ReplicaSet", name: "checkout-1" }],
        labels: { app: "checkout" },
      },
    });
  });
});
