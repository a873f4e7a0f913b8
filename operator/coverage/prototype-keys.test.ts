// Coverage of pods and namespaces keyed by names Object.prototype also answers for (valueOf,
// toString, constructor, __proto__, hasOwnProperty): the pods are stamped by the real admission,
// and the selector, the stamps and the reasons must read those keys as plain data.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";
import { dict, PROTOTYPE_KEYS } from "../../core/testing.ts";
import { createAdmit } from "../../webhook/admit.ts";
import { applyPatch, type JsonPatchOp } from "../../webhook/inject/json-patch.ts";
import { podWithKey } from "../../webhook/inject/testing.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { computeCoverage } from "./compute.ts";
import { podMeta } from "./pod-meta.ts";
import { camelReason, describeReason } from "./reasons.ts";

describe("coverage with keys named like Object.prototype members", () => {
  for (const key of PROTOTYPE_KEYS) {
    it(`${key}: selector, stamps and reasons read it as data`, () => {
      const policy = {
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name: "p", generation: 1, creationTimestamp: "2025-06-01T00:00:00Z" },
        spec: withDefaults({
          selector: { namespaceSelector: { matchLabels: dict([[key, "on"]]) } },
        }),
      } as ProfilingPolicy;
      const ns = { metadata: { name: "shop", labels: dict([[key, "on"]]) } };
      const admit = createAdmit({
        policies: () => [policy],
        namespace: () => ns,
        operatorNamespace: "fleetscope",
        probedLevel: () => undefined,
        settingsFor: (p) => settingsFromPolicy(p, { clusterName: "c", serverAddress: "http://p" }),
      });
      const admitted = (name: string, pod: V1Pod) => {
        const a = admit({
          uid: name,
          kind: { group: "", version: "v1", kind: "Pod" },
          operation: "CREATE",
          namespace: "shop",
          object: pod,
        });
        const after = applyPatch(pod, a.patch as JsonPatchOp[]);
        after.metadata = { ...after.metadata, name, namespace: "shop" };
        after.metadata.creationTimestamp = new Date("2025-06-02T00:00:00Z");
        return podMeta(after);
      };
      const injected = admitted("injected", podWithKey(key));
      const nonJava = podWithKey(key);
      nonJava.spec!.containers[0] = { name: "web", image: "nginx:1.27", env: [{ name: key }] };
      const skipped = admitted("non-java", nonJava);
      // A skip code equal to the key, as a webhook of another version could have stamped it.
      const stamped = {
        namespace: "shop",
        name: "stamped",
        labels: dict([
          ["fleetscope.io/skip-reason", key],
          [key, "x"],
        ]),
        annotations: dict([["fleetscope.io/skip-reason", `its own words about ${key}`]]),
        creationTimestamp: "2025-06-02T00:00:00Z",
      };
      const predates = {
        namespace: "shop",
        name: "old",
        labels: dict([[key, "x"]]),
        creationTimestamp: "2025-05-01T00:00:00Z",
      };

      const result = computeCoverage(policy, {
        namespaces: [ns],
        policies: [policy],
        pods: [injected, skipped, stamped, predates],
        operatorNamespace: "fleetscope",
      });
      const states = Object.fromEntries(result.pods.map((p) => [p.name, [p.state, p.reason]]));
      expect(states).to.deep.equal({
        injected: ["injected", undefined],
        "non-java": ["skipped", "NoTargetContainer"],
        stamped: ["skipped", camelReason(key)],
        old: ["pending", "PredatesPolicy"],
      });
      expect(result.pods.find((p) => p.name === "stamped")?.message).to.equal(
        `its own words about ${key}`,
      );
      expect(result.status.pods).to.deep.equal({
        eligible: 4,
        injected: 1,
        outdated: 0,
        skipped: 3,
      });
      expect(result.status.skippedReasons).to.deep.equal(
        dict([
          ["NoTargetContainer", 1],
          ["PredatesPolicy", 1],
          [camelReason(key), 1],
        ]),
      );
      expect(describeReason(key)).to.equal(key);
    });
  }
});
