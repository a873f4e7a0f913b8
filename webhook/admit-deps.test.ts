// Admission's dependencies as a process assembles them: Events land on the pod or its owner,
// and each policy's settings are computed once per policy object.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { admissionDeps, eventRegarding, type Regarding, settingsCache } from "./admit-deps.ts";
import type { AdmissionRequest } from "./server/admission-review.ts";

const replicaSet = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name: "checkout-7d9f8b6c4d",
  uid: "rs-uid",
  controller: true,
};
const daemonSet = { apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "ds-uid" };

const request = (namespace: string | undefined): AdmissionRequest => ({
  uid: "u1",
  kind: { group: "", version: "v1", kind: "Pod" },
  operation: "CREATE",
  ...(namespace === undefined ? {} : { namespace }),
});

const policy = (name: string): ProfilingPolicy =>
  ({ metadata: { name, generation: 1 }, spec: withDefaults({}) }) as ProfilingPolicy;

describe("eventRegarding", () => {
  const cases: { name: string; pod: V1Pod | undefined; want: Regarding | undefined }[] = [
    {
      name: "a named pod: the pod itself, in the request's namespace",
      pod: { metadata: { name: "checkout-0", ownerReferences: [replicaSet] } },
      want: { apiVersion: "v1", kind: "Pod", name: "checkout-0", namespace: "shop" },
    },
    {
      name: "a pod from a template has no name yet: its owner, with the owner's uid",
      pod: { metadata: { generateName: "checkout-7d9f8b6c4d-", ownerReferences: [replicaSet] } },
      want: {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "checkout-7d9f8b6c4d",
        namespace: "shop",
        uid: "rs-uid",
      },
    },
    {
      name: "several owners: the first",
      pod: { metadata: { generateName: "agent-", ownerReferences: [daemonSet, replicaSet] } },
      want: { ...daemonSet, namespace: "shop" },
    },
    {
      name: "neither a name nor an owner: nothing to record against",
      pod: { metadata: { generateName: "loose-" } },
      want: undefined,
    },
    { name: "no pod at all: nothing", pod: undefined, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(eventRegarding(request("shop"), c.pod)).to.deep.equal(c.want);
    });
  }
});

describe("admissionDeps", () => {
  const sources = {
    policies: () => [],
    namespace: () => undefined,
    operatorNamespace: "fleetscope",
    settingsFor: settingsCache({ clusterName: "c", writeURL: () => "http://p:4040" }),
  };
  const records = [
    { reason: "InjectionSkipped", message: "no Java container" },
    { reason: "ProfilerEventFallback", message: "itimer instead of cpu" },
  ];

  it("records every admission Event as a Warning about the pod", () => {
    const warned: unknown[][] = [];
    const deps = admissionDeps(sources, { warn: (...args) => warned.push(args) });
    deps.onEvents?.(request("shop"), { metadata: { name: "checkout-0" } }, records);
    const pod = { apiVersion: "v1", kind: "Pod", name: "checkout-0", namespace: "shop" };
    expect(warned).to.deep.equal([
      [pod, "InjectionSkipped", "no Java container"],
      [pod, "ProfilerEventFallback", "itimer instead of cpu"],
    ]);
  });

  it("drops the Events of a pod with nothing to record them against", () => {
    const warned: unknown[][] = [];
    const deps = admissionDeps(sources, { warn: (...args) => warned.push(args) });
    deps.onEvents?.(request("shop"), { metadata: {} }, records);
    expect(warned).to.deep.equal([]);
  });

  it("without a recorder and a probe: no Event hook, and no Pod Security level known", () => {
    const deps = admissionDeps(sources);
    expect(deps.onEvents).to.equal(undefined);
    expect(deps.probedLevel("shop", {})).to.equal(undefined);
    expect(deps.operatorNamespace).to.equal("fleetscope");
  });

  it("passes the probe through", () => {
    const deps = admissionDeps(sources, {
      probedLevel: (ns) => ({ kind: "known", level: ns === "shop" ? "baseline" : "restricted" }),
    });
    expect(deps.probedLevel("shop", {})).to.deep.equal({ kind: "known", level: "baseline" });
  });
});

describe("settingsCache", () => {
  it("computes a policy object's settings once, with its write URL and the cluster name", () => {
    const asked: string[] = [];
    const settingsFor = settingsCache({
      clusterName: "prod",
      writeURL: (p) => {
        asked.push(p.metadata.name ?? "");
        return `http://${p.metadata.name}-pyroscope.pyroscope.svc:4040`;
      },
    });
    const p = policy("shop");
    const first = settingsFor(p);
    expect(settingsFor(p)).to.equal(first);
    expect(first.serverAddress).to.equal("http://shop-pyroscope.pyroscope.svc:4040");
    expect(asked).to.deep.equal(["shop"]);
  });

  it("a changed policy is a new object: its settings are computed anew", () => {
    const settingsFor = settingsCache({ clusterName: "prod", writeURL: () => "http://p:4040" });
    const before = settingsFor(policy("shop"));
    const after = settingsFor({ ...policy("shop"), metadata: { name: "shop", generation: 2 } });
    expect(after).to.not.equal(before);
    expect([before.policyGeneration, after.policyGeneration]).to.deep.equal([1, 2]);
  });
});
