// Table tests of the revision label choice, and of the claim that any revision value passes the
// agent's label parser unchanged.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import fc from "fast-check";
import { PROPERTY_TIMEOUT_MS, propertyParams } from "../../core/property-params.ts";
import { revisionLabelKey } from "./revision.ts";

const pod = (labels: unknown): V1Pod => ({ metadata: { labels } as V1Pod["metadata"] });

describe("revisionLabelKey", () => {
  const cases: [string, unknown, string | undefined][] = [
    ["a ReplicaSet's pod", { app: "web", "pod-template-hash": "7d9f8b6c4d" }, "pod-template-hash"],
    [
      "a StatefulSet's pod",
      { "controller-revision-hash": "db-6c5d8f7b9" },
      "controller-revision-hash",
    ],
    ["a DaemonSet's pod", { "controller-revision-hash": "5f7d9c8b6" }, "controller-revision-hash"],
    [
      "both labels: the ReplicaSet's first",
      { "controller-revision-hash": "a", "pod-template-hash": "b" },
      "pod-template-hash",
    ],
    [
      "a Job's pod",
      { "job-name": "report-1", "batch.kubernetes.io/controller-uid": "u" },
      undefined,
    ],
    ["a bare pod", { app: "debug" }, undefined],
    ["no labels", undefined, undefined],
    ["an empty value", { "pod-template-hash": "" }, undefined],
    ["a value that is not a string", { "pod-template-hash": 5 }, undefined],
    ["an inherited key", Object.create({ "pod-template-hash": "x" }), undefined],
    ["labels that are not a map", "pod-template-hash", undefined],
  ];
  for (const [what, labels, want] of cases) {
    it(`${what}: ${want ?? "none"}`, () => {
      expect(revisionLabelKey(pod(labels))).to.equal(want);
    });
  }
});

describe("revision values and the agent's label parser", () => {
  it("a Kubernetes label value never holds what the parser drops ({ } , = or a space)", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    const labelValue = fc.stringMatching(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/);
    fc.assert(
      fc.property(labelValue, (v) => {
        const pair = `revision=${v}`;
        // The agent splits on "," then "="; the pair survives when it splits into exactly two.
        expect(pair.split(",")).to.have.length(1);
        expect(pair.split("=")).to.have.length(2);
        expect(v).not.to.match(/[{}\s]/);
      }),
      propertyParams(100),
    );
  });
});
