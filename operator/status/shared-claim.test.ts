// The shared claim check: which claims a policy mounts, and the cause named for each state a
// claim can be in.
import { expect } from "chai";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../../core/api/v1alpha1/types.ts";
import { type ClaimLike, sharedClaimCause, sharedClaimOf } from "./shared-claim.ts";

const policy = (spec: ProfilingPolicySpecInput): ProfilingPolicy =>
  ({ metadata: { name: "p" }, spec: withDefaults(spec) }) as ProfilingPolicy;

const microservices = (objectStorage: unknown) =>
  policy({
    pyroscope: {
      mode: "Microservices",
      namespace: "profiling",
      microservices: { objectStorage },
    },
  } as ProfilingPolicySpecInput);

describe("sharedClaimOf", () => {
  const cases: [string, ProfilingPolicy, ReturnType<typeof sharedClaimOf>][] = [
    [
      "a claim",
      microservices({
        backend: "filesystem",
        filesystem: { persistentVolumeClaim: { claimName: "c" } },
      }),
      { namespace: "profiling", name: "c" },
    ],
    [
      "an NFS export",
      microservices({ backend: "filesystem", filesystem: { nfs: { server: "n", path: "/e" } } }),
      undefined,
    ],
    ["an object store", microservices({ backend: "s3", bucket: "b" }), undefined],
    ["mode Monolithic", policy({}), undefined],
  ];
  for (const [what, p, want] of cases) {
    it(`${what}: ${want ? want.name : "none"}`, () => {
      expect(sharedClaimOf(p)).to.deep.equal(want);
    });
  }
});

describe("sharedClaimCause", () => {
  const ref = { namespace: "profiling", name: "shared" };
  const id = "shared claim profiling/shared";
  const claim = (phase: string | undefined, spec: string[], status?: string[]): ClaimLike => ({
    spec: { accessModes: spec },
    status: {
      ...(phase === undefined ? {} : { phase }),
      ...(status ? { accessModes: status } : {}),
    },
  });
  const cases: [string, ClaimLike | undefined, string | undefined][] = [
    ["bound, ReadWriteMany", claim("Bound", ["ReadWriteMany"], ["ReadWriteMany"]), undefined],
    [
      "bound to a volume offering more than asked",
      claim("Bound", ["ReadWriteMany"], ["ReadWriteOnce", "ReadWriteMany"]),
      undefined,
    ],
    [
      "missing",
      undefined,
      `${id} does not exist: create a ReadWriteMany PersistentVolumeClaim of that name`,
    ],
    ["pending, ReadWriteMany", claim("Pending", ["ReadWriteMany"]), `${id} is Pending, not Bound`],
    ["no phase yet", claim(undefined, ["ReadWriteMany"]), `${id} is Pending, not Bound`],
    ["lost", claim("Lost", ["ReadWriteMany"]), `${id} is Lost, not Bound`],
    [
      "bound, ReadWriteOnce",
      claim("Bound", ["ReadWriteOnce"], ["ReadWriteOnce"]),
      `${id} is bound to a volume with ReadWriteOnce, not ReadWriteMany: pods on different nodes cannot all mount it`,
    ],
    [
      // The volume decides: asking for ReadWriteMany and getting less is still not shared.
      "asked for ReadWriteMany, bound to ReadWriteOncePod",
      claim("Bound", ["ReadWriteMany"], ["ReadWriteOncePod"]),
      `${id} is bound to a volume with ReadWriteOncePod, not ReadWriteMany: pods on different nodes cannot all mount it`,
    ],
    [
      "pending, ReadWriteOnce",
      claim("Pending", ["ReadWriteOnce"]),
      `${id} is Pending, not Bound and asks for ReadWriteOnce, not ReadWriteMany: pods on different nodes cannot all mount it`,
    ],
    [
      "pending without access modes",
      claim("Pending", []),
      `${id} is Pending, not Bound and asks for no access mode, not ReadWriteMany: pods on different nodes cannot all mount it`,
    ],
  ];
  for (const [what, c, want] of cases) {
    it(`${what}: ${want ?? "no cause"}`, () => {
      expect(sharedClaimCause(ref, c)).to.equal(want);
    });
  }
});
