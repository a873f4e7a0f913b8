// Table tests of revision-range selection: reading revisions from ReplicaSets and
// ControllerRevisions, picking two, and the ranges their profiles are read from.
import { expect } from "chai";
import {
  changedSince,
  groupRevisions,
  MAX_RANGE_MS,
  pickRevisions,
  type Revision,
  type RevisionObject,
  revisionOf,
} from "./revisions.ts";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function replicaSet(
  deployment: string,
  hash: string,
  revision: number,
  created: number,
): RevisionObject {
  return {
    metadata: {
      name: `${deployment}-${hash}`,
      namespace: "shop",
      creationTimestamp: iso(created),
      labels: { app: deployment, "pod-template-hash": hash },
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ownerReferences: [{ kind: "Deployment", name: deployment, uid: "u1", controller: true }],
    },
  };
}

function controllerRevision(
  kind: string,
  owner: string,
  hash: string,
  revision: number,
  created: number,
): RevisionObject {
  return {
    metadata: {
      name: `${owner}-${hash}`,
      namespace: "data",
      creationTimestamp: iso(created),
      labels: {
        "controller.kubernetes.io/hash": hash,
        ...(kind === "DaemonSet" ? { "controller-revision-hash": hash } : {}),
      },
      ownerReferences: [{ kind, name: owner, uid: "u2", controller: true }],
    },
    revision,
  };
}

/** A Deployment's ReplicaSet with part of its metadata replaced. */
const replicaSetWith = (metadata: RevisionObject["metadata"]): RevisionObject => ({
  metadata: { ...replicaSet("x", "abc", 1, T0).metadata, ...metadata },
});

describe("revisionOf", () => {
  const cases: [string, RevisionObject, (Partial<Revision> & { owner?: object }) | undefined][] = [
    [
      "a Deployment's ReplicaSet: its pod-template-hash and revision annotation",
      replicaSet("checkout", "7d9f8b6c4d", 3, T0),
      {
        id: "7d9f8b6c4d",
        number: 3,
        created: T0,
        owner: { kind: "Deployment", namespace: "shop", name: "checkout" },
      },
    ],
    [
      "a StatefulSet's ControllerRevision: its name, which its pods carry",
      controllerRevision("StatefulSet", "db", "6c5d8f7b9", 2, T0),
      { id: "db-6c5d8f7b9", number: 2 },
    ],
    [
      "a DaemonSet's ControllerRevision: its hash, which its pods carry",
      controllerRevision("DaemonSet", "agent", "5f7d9c8b6", 4, T0),
      { id: "5f7d9c8b6", number: 4 },
    ],
    ["a ReplicaSet without a Deployment", replicaSetWith({ ownerReferences: [] }), undefined],
    ["a ReplicaSet without a revision annotation", replicaSetWith({ annotations: {} }), undefined],
    [
      "an object without a creation time",
      replicaSetWith({ creationTimestamp: undefined }),
      undefined,
    ],
  ];
  for (const [what, obj, want] of cases) {
    it(what, () => {
      const got = revisionOf(obj);
      if (want === undefined) expect(got).to.equal(undefined);
      else expect(got).to.deep.include(want);
    });
  }
});

describe("groupRevisions and changedSince", () => {
  const objects = [
    replicaSet("checkout", "bbb", 2, T0 + 60 * MIN),
    replicaSet("checkout", "aaa", 1, T0),
    replicaSet("cart", "ccc", 1, T0 - 48 * 60 * MIN),
    replicaSet("cart", "ddd", 2, T0 - 47 * 60 * MIN),
    controllerRevision("StatefulSet", "db", "eee", 1, T0 + 10 * MIN),
  ];

  it("groups by controlling workload, oldest revision first", () => {
    const groups = groupRevisions(objects);
    expect(groups.map((g) => [g.kind, g.name, g.revisions.map((r) => r.id)])).to.deep.equal([
      ["StatefulSet", "db", ["db-eee"]],
      ["Deployment", "cart", ["ccc", "ddd"]],
      ["Deployment", "checkout", ["aaa", "bbb"]],
    ]);
  });

  it("keeps workloads whose newest revision is in the window and that have an older one", () => {
    const changed = changedSince(groupRevisions(objects), T0 - 60 * MIN);
    expect(changed.map((w) => w.name)).to.deep.equal(["checkout"]);
  });
});

describe("pickRevisions", () => {
  const revs: Revision[] = [
    { id: "aaa", number: 1, created: T0 },
    { id: "bbb", number: 2, created: T0 + 30 * MIN },
    { id: "ccc", number: 3, created: T0 + 60 * MIN },
  ];
  const now = T0 + 90 * MIN;

  const cases: [
    string,
    string | undefined,
    [string, string, number, number, number, number] | RegExp,
  ][] = [
    [
      "by default the last two: before until the new one, after until now",
      undefined,
      ["bbb", "ccc", T0 + 30 * MIN, T0 + 60 * MIN, T0 + 60 * MIN, now],
    ],
    [
      "OLD..NEW by number: the new one's range ends at its successor",
      "1..2",
      ["aaa", "bbb", T0, T0 + 30 * MIN, T0 + 30 * MIN, T0 + 60 * MIN],
    ],
    ["OLD..NEW by label value", "aaa..ccc", ["aaa", "ccc", T0, T0 + 30 * MIN, T0 + 60 * MIN, now]],
    [
      "an unknown revision names those there are",
      "1..9",
      /no revision 9; the workload has: 1 \(aaa\), 2 \(bbb\), 3 \(ccc\)/,
    ],
    ["one revision twice", "2..bbb", /names one revision twice/],
    ["not a range", "2", /use OLD\.\.NEW/],
  ];
  for (const [what, spec, want] of cases) {
    it(what, () => {
      const got = pickRevisions(revs, spec, now);
      if (want instanceof RegExp) {
        expect(got).to.have.property("error").that.matches(want);
        return;
      }
      if ("error" in got) throw new Error(got.error);
      expect([
        got.old.id,
        got.new.id,
        got.before.start,
        got.before.end,
        got.after.start,
        got.after.end,
      ]).to.deep.equal(want);
    });
  }

  it("needs two revisions", () => {
    expect(pickRevisions(revs.slice(0, 1), undefined, now)).to.deep.equal({
      error: "needs two revisions to compare; the workload has: 1 (aaa)",
    });
  });

  it("clips long lifetimes: the old revision keeps its last day, the new its first", () => {
    const long: Revision[] = [
      { id: "old", number: 1, created: T0 - 30 * 24 * 60 * MIN },
      { id: "new", number: 2, created: T0 },
    ];
    const got = pickRevisions(long, undefined, T0 + 3 * MAX_RANGE_MS);
    if ("error" in got) throw new Error(got.error);
    expect(got.before).to.deep.equal({ start: T0 - MAX_RANGE_MS, end: T0 });
    expect(got.after).to.deep.equal({ start: T0, end: T0 + MAX_RANGE_MS });
  });
});
