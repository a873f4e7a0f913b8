// Work queue behaviour: dedup, one worker per key, delayed adds, backoff and terminal errors.
import { expect } from "chai";
import { FakeClock } from "./clock.ts";
import { ExponentialBackoff, MaxOf, TokenBucket } from "./rate-limiter.ts";
import { processOne, TerminalError } from "./worker.ts";
import { WorkQueue } from "./workqueue.ts";

function newQueue(clock = new FakeClock()) {
  return { clock, queue: new WorkQueue(clock, new ExponentialBackoff(10, 1000)) };
}

describe("WorkQueue", () => {
  it("deduplicates a key added several times before it is taken", async () => {
    const { queue } = newQueue();
    for (const k of ["a", "b", "a", "a", "b", "c"]) queue.add(k);
    expect(queue.length).to.equal(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).to.deep.equal([
      "a",
      "b",
      "c",
    ]);
  });

  it("never hands a key to two workers; a re-add while processing runs it again after done", async () => {
    const { queue } = newQueue();
    queue.add("a");
    const first = await queue.get();
    queue.add("a");
    expect(queue.length, "re-added key waits for done").to.equal(0);
    queue.done(first!);
    expect(queue.length).to.equal(1);
    expect(await queue.get()).to.equal("a");
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const { queue } = newQueue();
    const pending = queue.get();
    queue.add("x");
    expect(await pending).to.equal("x");
    expect(queue.inFlight).to.equal(1);
  });

  it("adds after a delay, keeping the earliest of two delays", () => {
    const { clock, queue } = newQueue();
    queue.addAfter("a", 100);
    queue.addAfter("a", 500);
    clock.advance(99);
    expect(queue.length).to.equal(0);
    clock.advance(1);
    expect(queue.length).to.equal(1);
    clock.advance(1000);
    expect(queue.length, "the later delay was dropped").to.equal(1);
  });

  it("shutting down releases waiting workers and drops delayed keys", async () => {
    const { clock, queue } = newQueue();
    const pending = queue.get();
    queue.addAfter("a", 10);
    queue.shutDown();
    expect(await pending).to.equal(undefined);
    expect(clock.pendingTimers()).to.equal(0);
    queue.add("b");
    expect(queue.length).to.equal(0);
  });
});

describe("rate limiters", () => {
  it("backs off exponentially per key up to the cap, and forgets", () => {
    const b = new ExponentialBackoff(10, 100);
    expect(["a", "a", "a", "a", "a"].map((k) => b.when(k))).to.deep.equal([10, 20, 40, 80, 100]);
    expect(b.when("other")).to.equal(10);
    b.forget("a");
    expect(b.when("a")).to.equal(10);
  });

  it("the global token bucket delays once the burst is spent, and refills with time", () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 10, 2);
    expect([bucket.when("a"), bucket.when("b"), bucket.when("c")]).to.deep.equal([0, 0, 100]);
    clock.advance(1000);
    expect(bucket.when("d")).to.equal(0);
  });

  it("combined, the slower limiter wins", () => {
    const clock = new FakeClock();
    const limiter = new MaxOf(new ExponentialBackoff(10, 1000), new TokenBucket(clock, 1, 1));
    expect(limiter.when("a")).to.equal(10);
    expect(limiter.when("b")).to.equal(1000);
  });
});

describe("processOne", () => {
  const cases: {
    name: string;
    reconcile: () => Promise<{ requeueAfterMs?: number } | undefined>;
    outcome: string;
    requeuedAfterMs?: number;
  }[] = [
    { name: "success forgets the key", reconcile: async () => undefined, outcome: "success" },
    {
      name: "requeueAfter re-adds after the delay",
      reconcile: async () => ({ requeueAfterMs: 5000 }),
      outcome: "requeue",
      requeuedAfterMs: 5000,
    },
    {
      name: "an error retries with backoff",
      reconcile: async () => {
        throw new Error("conflict");
      },
      outcome: "error",
      requeuedAfterMs: 10,
    },
    {
      name: "a terminal error is not retried",
      reconcile: async () => {
        throw new TerminalError("bad spec");
      },
      outcome: "terminal",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { clock, queue } = newQueue();
      queue.add("k");
      const key = await queue.get();
      const outcome = await processOne(queue, key!, c.reconcile);
      expect(outcome).to.equal(c.outcome);
      expect(queue.inFlight).to.equal(0);
      clock.advance(c.requeuedAfterMs === undefined ? 60_000 : c.requeuedAfterMs - 1);
      expect(queue.length, "not yet requeued").to.equal(0);
      clock.advance(1);
      expect(queue.length).to.equal(c.requeuedAfterMs === undefined ? 0 : 1);
    });
  }

  it("consecutive failures double the delay and a success resets it", async () => {
    const { queue } = newQueue();
    const fail = async () => {
      throw new Error("boom");
    };
    for (let i = 0; i < 3; i++) {
      queue.add("k");
      await processOne(queue, (await queue.get())!, fail);
    }
    expect(queue.failures("k")).to.equal(3);
    queue.add("k");
    await processOne(queue, (await queue.get())!, async () => undefined);
    expect(queue.failures("k")).to.equal(0);
  });
});
