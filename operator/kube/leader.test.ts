// Lease arithmetic: who may take the lease, and what a claim writes.
import { expect } from "chai";
import { canAcquire, claim } from "./leader.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(t0 + s * 1000).toISOString();

describe("canAcquire", () => {
  const cases = [
    { name: "no lease yet", spec: undefined, now: 0, ok: true },
    { name: "released lease (no holder)", spec: { holderIdentity: null }, now: 0, ok: true },
    { name: "our own lease", spec: { holderIdentity: "me", renewTime: at(0) }, now: 1, ok: true },
    {
      name: "another holder renewing in time",
      spec: { holderIdentity: "other", renewTime: at(0), leaseDurationSeconds: 15 },
      now: 14,
      ok: false,
    },
    {
      name: "another holder that stopped renewing",
      spec: { holderIdentity: "other", renewTime: at(0), leaseDurationSeconds: 15 },
      now: 16,
      ok: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(canAcquire(c.spec, "me", t0 + c.now * 1000)).to.equal(c.ok);
    });
  }
});

describe("claim", () => {
  it("taking over from another holder counts a transition and sets acquireTime", () => {
    const spec = claim({ holderIdentity: "other", leaseTransitions: 2 }, "me", t0, 15);
    expect(spec).to.include({
      holderIdentity: "me",
      leaseDurationSeconds: 15,
      leaseTransitions: 3,
    });
    expect(spec.acquireTime).to.equal(spec.renewTime);
  });

  it("renewing keeps acquireTime and the transition count", () => {
    const first = claim(undefined, "me", t0, 15);
    const renewed = claim(first, "me", t0 + 5000, 15);
    expect(renewed.acquireTime).to.equal(first.acquireTime);
    expect(renewed.renewTime).to.not.equal(first.renewTime);
    expect(renewed.leaseTransitions).to.equal(0);
  });
});
