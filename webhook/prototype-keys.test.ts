// User data keyed by names Object.prototype also answers for (valueOf, toString, constructor,
// __proto__, hasOwnProperty), through the admission pipeline: namespace and pod selectors, the
// mutation, the patch and a second admission. Each must be plain data, kept exactly as it came.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../core/api/v1alpha1/types.ts";
import { dict, PROTOTYPE_KEYS } from "../core/testing.ts";
import { createAdmit } from "./admit.ts";
import { applyPatch, type JsonPatchOp } from "./inject/json-patch.ts";
import { podWithKey } from "./inject/testing.ts";
import { settingsFromPolicy } from "./policy-settings.ts";
import type { AdmissionRequest } from "./server/admission-review.ts";

const policy = (spec: ProfilingPolicySpecInput): ProfilingPolicy =>
  ({
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name: "p", generation: 1 },
    spec: withDefaults(spec),
  }) as ProfilingPolicy;

function admitIn(nsLabels: Record<string, string>, spec: ProfilingPolicySpecInput) {
  return createAdmit({
    policies: () => [policy(spec)],
    namespace: (name) => ({ metadata: { name, labels: nsLabels } }),
    operatorNamespace: "fleetscope",
    // No probe answer: the namespace's enforce label alone decides, as before any probe ran.
    probedLevel: () => undefined,
    settingsFor: (p) => settingsFromPolicy(p, { clusterName: "c", serverAddress: "http://p:4040" }),
  });
}

const request = (pod: V1Pod): AdmissionRequest => ({
  uid: "u",
  kind: { group: "", version: "v1", kind: "Pod" },
  operation: "CREATE",
  namespace: "shop",
  object: pod,
});

const optIn = { "fleetscope.io/profiling": "enabled" };

describe("admission with keys named like Object.prototype members", () => {
  for (const key of PROTOTYPE_KEYS) {
    describe(key, () => {
      const cases: {
        name: string;
        nsLabels: Record<string, string>;
        spec: ProfilingPolicySpecInput;
        injected: boolean;
      }[] = [
        {
          name: "namespace selected by matchLabels on the key",
          nsLabels: dict([[key, "on"]]),
          spec: { selector: { namespaceSelector: { matchLabels: dict([[key, "on"]]) } } },
          injected: true,
        },
        {
          name: "namespace without the key is not selected by matchLabels on it",
          nsLabels: optIn,
          spec: { selector: { namespaceSelector: { matchLabels: dict([[key, "on"]]) } } },
          injected: false,
        },
        {
          name: "namespace without the key is selected by DoesNotExist",
          nsLabels: optIn,
          spec: {
            selector: {
              namespaceSelector: { matchExpressions: [{ key, operator: "DoesNotExist" }] },
            },
          },
          injected: true,
        },
        {
          name: "pod selected by In on its label",
          nsLabels: optIn,
          spec: {
            selector: {
              podSelector: { matchExpressions: [{ key, operator: "In", values: ["label"] }] },
            },
          },
          injected: true,
        },
        {
          name: "pod not selected by NotIn on its label",
          nsLabels: optIn,
          spec: {
            selector: {
              podSelector: { matchExpressions: [{ key, operator: "NotIn", values: ["label"] }] },
            },
          },
          injected: false,
        },
      ];
      for (const c of cases) {
        it(c.name, () => {
          const admit = admitIn(c.nsLabels, c.spec);
          const pod = podWithKey(key);
          const before = JSON.stringify(pod);
          const a = admit(request(pod));
          expect(JSON.stringify(pod), "the request is not modified").to.equal(before);
          expect(a.result).to.equal(c.injected ? "injected" : "skipped");
          if (!c.injected) {
            expect(a.patch).to.deep.equal([]);
            return;
          }
          const ops = a.patch as JsonPatchOp[];
          expect(
            ops.filter((op) => op.path.split("/").includes(key)),
            "no operation touches the user's key",
          ).to.deep.equal([]);
          const after = applyPatch(pod, ops);
          expect(Object.hasOwn(after.metadata!.labels!, key)).to.equal(true);
          expect(after.metadata!.labels![key]).to.equal("label");
          expect(after.metadata!.annotations![key]).to.equal("annotation");
          expect(after.spec!.volumes![0]!.csi!.volumeAttributes![key]).to.equal("attr");
          const env = after.spec!.containers[0]!.env!;
          expect(env.filter((e) => e.name === key)).to.deep.equal([{ name: key, value: "env" }]);
          const jto = env.find((e) => e.name === "JAVA_TOOL_OPTIONS")!.value!;
          expect(jto.startsWith(`-Xmx1g -Dx=$(${key}) -javaagent:`)).to.equal(true);
          const names = env.map((e) => e.name);
          expect(names.indexOf(key), "the user's var is defined before use").to.be.below(
            names.indexOf("JAVA_TOOL_OPTIONS"),
          );
          const again = admit(request(after));
          expect(again.patch, "a second admission changes nothing").to.deep.equal([]);
        });
      }
    });
  }
});
