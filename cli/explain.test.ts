import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import { loadFixture } from "../operator/coverage/testing.ts";
import { explainFullPod } from "./explain.ts";
import { formatExplanation } from "./why.ts";

const fx = loadFixture("mixed-namespace.yaml");
const policies = fx.policies as unknown as ProfilingPolicy[];
const ctx = {
  namespace: fx.namespaces.find((n) => n.metadata?.name === "shop"),
  policies,
  operatorNamespace: "fleetscope",
};

/** A full pod: the fixture's metadata with a spec the mutation can read. */
const fullPod = (name: string, containers: V1Pod["spec"] extends infer S ? S : never): V1Pod => {
  const meta = fx.pods.find((p) => p.name === name)!;
  return {
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels ?? {},
      annotations: meta.annotations ?? {},
      ownerReferences: meta.ownerReferences as never,
      creationTimestamp: meta.creationTimestamp as never,
    },
    spec: containers,
  };
};

describe("fleetscope explain pod", () => {
  it("a pod that predates the policy: why not, and what a restart would inject", () => {
    const pod = fullPod("legacy-84c-a", {
      containers: [
        { name: "app", image: "eclipse-temurin:21-jre" },
        { name: "proxy", image: "envoyproxy/envoy:v1.30" },
      ],
    });
    const out = formatExplanation(explainFullPod(ctx, pod));
    const lines = out.split("\n");
    expect(lines.slice(0, 4)).to.deep.equal([
      "pod shop/legacy-84c-a (Deployment legacy): not profiled yet",
      "  policy:    shop (generation 5, agent 2.1.2)",
      "  reason:    PredatesPolicy: created before the policy existed; gets the agent when it restarts",
      "  fix:       kubectl rollout restart deployment/legacy -n shop",
    ]);
    expect(lines[4]).to.match(/^ {2}on create: injects agent 2\.1\.2 into app, sending to \S+/);
    expect(out).to.match(/on create: skips container proxy: \S+/);
  });

  it("a pod the policy could not inject: the webhook's exact reason", () => {
    const pod = fullPod("pricing-66d-a", {
      containers: [
        {
          name: "app",
          image: "eclipse-temurin:21-jre",
          env: [
            {
              name: "JAVA_TOOL_OPTIONS",
              valueFrom: { configMapKeyRef: { name: "jvm", key: "o" } },
            },
            { name: "JDK_JAVA_OPTIONS", valueFrom: { configMapKeyRef: { name: "jvm", key: "o" } } },
          ],
        },
      ],
    });
    const out = formatExplanation(explainFullPod(ctx, pod));
    expect(out).to.include("not profiled");
    expect(out).to.include("JavaOptionsUnmergeable");
    expect(out).to.include(
      "on create: not injected: java-options-unmergeable: no container could be injected: app: JAVA_TOOL_OPTIONS is set with valueFrom",
    );
  });

  it("an injected pod is explained by what it carries", () => {
    const pod = fullPod("vault-client-1a-a", {
      containers: [{ name: "app", image: "eclipse-temurin:21-jre" }],
    });
    const e = explainFullPod(ctx, pod);
    expect(e.profiled).to.equal(true);
    expect(e.details.map(([k]) => k)).to.not.include("on create");
  });

  it("a namespace no policy selects says so and how to fix it", () => {
    const pod = fullPod("legacy-84c-a", { containers: [{ name: "app", image: "java" }] });
    const e = explainFullPod(
      { ...ctx, namespace: { metadata: { name: "shop", labels: {} } }, policies: [] },
      pod,
    );
    expect(formatExplanation(e)).to.include("no ProfilingPolicy selects namespace shop");
  });
});
