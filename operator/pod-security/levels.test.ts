import { expect } from "chai";
import type { ProbedLevel } from "../../webhook/inject/settings.ts";
import { enforceFingerprint, nextProbeIn, probePod, readProbeAnswer } from "./levels.ts";

describe("readProbeAnswer", () => {
  // HTTP status, message → level or unknown
  const rows: [number, string, string][] = [
    [201, "", "privileged"],
    [200, "", "privileged"],
    [
      403,
      'POST /api/v1/namespaces/shop/pods: pods "fleetscope-pod-security-probe-x" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "probe" must not include "SYS_PTRACE" in securityContext.capabilities.add)',
      "baseline",
    ],
    [
      403,
      'pods "p" is forbidden: violates PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false',
      "restricted",
    ],
    [403, 'pods "p" is forbidden: violates PodSecurity "baseline": host namespaces', "baseline"],
    // Forbidden by something else: says nothing about Pod Security.
    [
      403,
      'pods "p" is forbidden: error looking up service account shop/default: serviceaccount "default" not found',
      "unknown",
    ],
    [403, 'pods "p" is forbidden: exceeded quota: compute', "unknown"],
    [
      400,
      'admission webhook "policy.example" denied the request: violates PodSecurity "baseline:latest"',
      "unknown",
    ],
    [500, "etcdserver: request timed out", "unknown"],
    [0, "Error: connect ECONNREFUSED 127.0.0.1:6443", "unknown"],
  ];
  for (const [status, message, want] of rows) {
    it(`${status} ${message.slice(0, 70)} → ${want}`, () => {
      const got = readProbeAnswer(status, message);
      expect(got.kind === "known" ? got.level : "unknown").to.equal(want);
      if (got.kind === "unknown") expect(got.why).to.include(message);
    });
  }
});

describe("enforceFingerprint", () => {
  const enforce = "pod-security.kubernetes.io/enforce";
  // labels a, labels b → same fingerprint?
  const rows: [Record<string, string> | undefined, Record<string, string> | undefined, boolean][] =
    [
      [undefined, {}, true],
      [{}, { team: "a", "pod-security.kubernetes.io/warn": "restricted" }, true],
      [{}, { [enforce]: "baseline" }, false],
      [{ [enforce]: "baseline" }, { [enforce]: "restricted" }, false],
      [{ [enforce]: "baseline" }, { [enforce]: "baseline", other: "x" }, true],
      [{}, { [`${enforce}-version`]: "v1.30" }, false],
      [{ [enforce]: "" }, {}, false],
      // Keys inherited from Object.prototype are no labels.
      [{}, Object.create({ [enforce]: "baseline" }) as Record<string, string>, true],
    ];
  for (const [a, b, same] of rows) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${same ? "same" : "different"}`, () =>
      expect(enforceFingerprint(a) === enforceFingerprint(b)).to.equal(same));
  }
});

describe("nextProbeIn", () => {
  const timing = { ttlMs: 600_000, retryMs: 1_000, maxRetryMs: 60_000 };
  const known: ProbedLevel = { kind: "known", level: "baseline" };
  const unknown: ProbedLevel = { kind: "unknown", why: "x" };
  // probed, failures, jitter → delay
  const rows: [ProbedLevel, number, number, number][] = [
    [known, 0, 0, 600_000],
    [known, 0, 0.5, 570_000],
    [known, 0, 0.999, 540_060],
    [unknown, 1, 0, 1_000],
    [unknown, 2, 0, 2_000],
    [unknown, 3, 0.9, 4_000],
    [unknown, 7, 0, 60_000],
    [unknown, 40, 0, 60_000],
  ];
  for (const [probed, failures, jitter, want] of rows) {
    it(`${probed.kind}, ${failures} failures, jitter ${jitter} → ${want} ms`, () =>
      expect(nextProbeIn(probed, failures, timing, jitter)).to.equal(want));
  }
});

describe("probePod", () => {
  it("carries SYS_PTRACE and nothing else baseline forbids, and keeps the webhook away", () => {
    const pod = probePod();
    expect(pod.metadata?.name).to.equal(undefined);
    expect(pod.metadata?.labels?.["fleetscope.io/inject"]).to.equal("false");
    expect(pod.spec?.containers).to.have.length(1);
    const [c] = pod.spec!.containers;
    expect(c?.securityContext).to.deep.equal({ capabilities: { add: ["SYS_PTRACE"] } });
    for (const k of ["hostNetwork", "hostPID", "hostIPC", "volumes", "securityContext"]) {
      expect(pod.spec, k).to.not.have.property(k);
    }
  });
});
