// Predictions from pod templates: the webhook's decision for the pods a workload would create,
// and coverage that skips (never counts as pending) what a restart would not inject.
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { expect } from "chai";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../../core/api/v1alpha1/types.ts";
import type { NamespaceLike } from "../../core/match/policies.ts";
import { createAdmit } from "../../webhook/admit.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { computeCoverage } from "./compute.ts";
import { podFromTemplate, predictTemplate } from "./predict.ts";
import { TemplatePredictions } from "./template-predictions.ts";

const policy = (spec: ProfilingPolicySpecInput = {}, generation = 1): ProfilingPolicy =>
  ({
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: {
      name: "fleet",
      uid: "p-uid",
      generation,
      creationTimestamp: "2026-12-01T10:00:00Z",
    },
    spec: withDefaults(spec),
  }) as ProfilingPolicy;

const OPTED_IN = { "fleetscope.io/profiling": "enabled" };

function admitFor(policies: () => ProfilingPolicy[], namespaces: Record<string, NamespaceLike>) {
  return createAdmit({
    policies,
    namespace: (n) => namespaces[n],
    operatorNamespace: "fleetscope",
    probedLevel: () => undefined,
    settingsFor: (p) =>
      settingsFromPolicy(p, { clusterName: "c", serverAddress: "http://pyroscope:4040" }),
  });
}

const java = (extra: object = {}): V1PodTemplateSpec => ({
  metadata: { labels: { app: "shop" } },
  spec: { containers: [{ name: "app", image: "eclipse-temurin:21-jre", ...extra }] },
});
const fromConfigMap = { valueFrom: { configMapKeyRef: { name: "jvm", key: "opts" } } };

describe("predictTemplate", () => {
  const ns = { shop: { metadata: { name: "shop", labels: OPTED_IN } } };
  const cases: {
    name: string;
    template: V1PodTemplateSpec;
    spec?: ProfilingPolicySpecInput;
    outcome: string;
    reason?: string;
    message?: RegExp;
  }[] = [
    { name: "Java container", template: java(), outcome: "inject" },
    {
      name: "nginx",
      template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
      outcome: "skip",
      reason: "NoTargetContainer",
      message: /web: /,
    },
    {
      name: "opted out in the template",
      template: { ...java(), metadata: { labels: { "fleetscope.io/inject": "false" } } },
      outcome: "skip",
      reason: "OptedOut",
    },
    {
      name: "JAVA_TOOL_OPTIONS from a ConfigMap, JDK 21: through JDK_JAVA_OPTIONS",
      template: java({ env: [{ name: "JAVA_TOOL_OPTIONS", ...fromConfigMap }] }),
      outcome: "inject",
    },
    {
      name: "JAVA_TOOL_OPTIONS from a ConfigMap, Java 8: cannot merge",
      template: {
        spec: {
          containers: [
            {
              name: "legacy",
              image: "openjdk:8-jre",
              env: [{ name: "JAVA_TOOL_OPTIONS", ...fromConfigMap }],
            },
          ],
        },
      },
      outcome: "skip",
      reason: "Java8OptionsUnmergeable",
      message: /Java 8/,
    },
    {
      name: "both options variables from ConfigMaps",
      template: java({
        env: [
          { name: "JAVA_TOOL_OPTIONS", ...fromConfigMap },
          { name: "JDK_JAVA_OPTIONS", ...fromConfigMap },
        ],
      }),
      outcome: "skip",
      reason: "JavaOptionsUnmergeable",
    },
    {
      name: "Windows",
      template: { ...java(), spec: { ...java().spec!, os: { name: "windows" } } },
      outcome: "skip",
      reason: "WindowsPod",
    },
    { name: "dry run", template: java(), spec: { dryRun: true }, outcome: "dry-run" },
    {
      name: "the podSelector does not match",
      template: java(),
      spec: { selector: { podSelector: { matchLabels: { tier: "backend" } } } },
      outcome: "skip",
      reason: "NoPolicy",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = policy(c.spec);
      const admit = admitFor(() => [p], ns);
      const got = predictTemplate(
        admit,
        { kind: "Deployment", namespace: "shop", name: "shop" },
        c.template,
      );
      expect(got.outcome).to.equal(c.outcome);
      if (got.outcome === "skip") {
        expect(got.reason).to.equal(c.reason);
        if (c.message) expect(got.message).to.match(c.message);
      }
    });
  }

  it("builds the pod as the controller does: owner, hash label, generated name", () => {
    const pod = podFromTemplate({ kind: "Deployment", namespace: "shop", name: "web" }, java());
    expect(pod.metadata?.name).to.equal(undefined);
    expect(pod.metadata?.generateName).to.equal("web-predicted-");
    expect(pod.metadata?.labels).to.deep.equal({ app: "shop", "pod-template-hash": "predicted" });
    expect(pod.metadata?.ownerReferences?.[0]).to.include({
      kind: "ReplicaSet",
      name: "web-predicted",
      controller: true,
    });
    const sts = podFromTemplate({ kind: "StatefulSet", namespace: "shop", name: "db" }, java());
    expect(sts.metadata?.name).to.equal("db-0");
    expect(sts.metadata?.ownerReferences?.[0]?.kind).to.equal("StatefulSet");
  });
});

describe("TemplatePredictions", () => {
  const deployment = (template: V1PodTemplateSpec, generation = 1) => ({
    metadata: { namespace: "shop", name: "web", uid: "w-uid", generation },
    spec: { template },
  });

  it("recomputes only when the template, a policy's generation or the namespace changes", () => {
    let policies = [policy()];
    const namespaces: Record<string, NamespaceLike> = {
      shop: { metadata: { name: "shop", labels: OPTED_IN } },
    };
    const cache = new TemplatePredictions({
      admit: admitFor(() => policies, namespaces),
      policies: () => policies,
      namespace: (n) => namespaces[n],
    });
    cache.observe("Deployment", deployment(java()));
    expect(cache.lookup()("Deployment", "shop", "web")).to.deep.equal({ outcome: "inject" });
    expect(cache.lookup()("Deployment", "shop", "web")?.outcome).to.equal("inject");
    expect(cache.computed).to.equal(1);

    // A status update (same generation) changes nothing.
    cache.observe("Deployment", deployment(java()));
    cache.lookup()("Deployment", "shop", "web");
    expect(cache.computed).to.equal(1);

    // A new template generation: nginx now.
    cache.observe(
      "Deployment",
      deployment({ spec: { containers: [{ name: "web", image: "nginx" }] } }, 2),
    );
    expect(cache.lookup()("Deployment", "shop", "web")?.outcome).to.equal("skip");
    expect(cache.computed).to.equal(2);

    // A policy change: detect all containers.
    policies = [policy({ selector: { containers: { detect: "All" } } }, 2)];
    expect(cache.lookup()("Deployment", "shop", "web")?.outcome).to.equal("inject");
    expect(cache.computed).to.equal(3);

    // The namespace opts out: no policy selects it any more.
    namespaces.shop = { metadata: { name: "shop", labels: {} } };
    expect(cache.lookup()("Deployment", "shop", "web")).to.include({
      outcome: "skip",
      reason: "NoPolicy",
    });
    expect(cache.computed).to.equal(4);

    cache.forget("Deployment", "shop", "web");
    expect(cache.lookup()("Deployment", "shop", "web")).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });
});

describe("coverage with predictions", () => {
  const p = policy();
  const pod = (name: string, owner: string) => ({
    namespace: "shop",
    name,
    labels: { "pod-template-hash": "abc" },
    ownerReferences: [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: `${owner}-abc`,
        uid: "u",
        controller: true,
      },
    ],
    creationTimestamp: "2026-12-01T09:00:00Z",
  });
  const input = {
    namespaces: [{ metadata: { name: "shop", labels: OPTED_IN } }],
    policies: [p],
    pods: [pod("java-abc-1", "java"), pod("nginx-abc-1", "nginx")],
    operatorNamespace: "fleetscope",
  };

  it("without a prediction, pods that predate the policy are pending", () => {
    const c = computeCoverage(p, input);
    expect(c.workloads.map((w) => [w.name, w.state, w.reason])).to.deep.equal([
      ["java", "pending", "PredatesPolicy"],
      ["nginx", "pending", "PredatesPolicy"],
    ]);
  });

  it("a workload whose template would be skipped is skipped for the predicted reason", () => {
    const c = computeCoverage(p, {
      ...input,
      predict: (_kind, _ns, name) =>
        name === "nginx"
          ? { outcome: "skip", reason: "NoTargetContainer", message: "no container is targeted" }
          : { outcome: "inject" },
    });
    expect(c.workloads.map((w) => [w.name, w.state, w.reason])).to.deep.equal([
      ["java", "pending", "PredatesPolicy"],
      ["nginx", "skipped", "NoTargetContainer"],
    ]);
    const nginx = c.pods.find((x) => x.name === "nginx-abc-1")!;
    expect(nginx.predicted).to.equal(true);
    expect(nginx.message).to.equal(
      "its pod template would not be injected: no container is targeted",
    );
    expect(c.status.skippedReasons).to.deep.equal({ NoTargetContainer: 1, PredatesPolicy: 1 });
  });
});
