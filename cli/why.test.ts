import { expect } from "chai";
import { loadFixture } from "../operator/coverage/testing.ts";
import {
  type ExplainPolicy,
  explainPod,
  explainWorkload,
  formatExplanation,
  type WhyContext,
} from "./why.ts";

const fx = loadFixture("mixed-namespace.yaml");
const policies = fx.policies as ExplainPolicy[];
const ns = (name: string) => fx.namespaces.find((n) => n.metadata?.name === name);
const ctx = (namespace = "shop", list = policies): WhyContext => ({
  namespace: ns(namespace),
  policies: list,
  operatorNamespace: "fleetscope",
});
const pod = (name: string) => fx.pods.find((p) => p.name === name)!;
const why = (name: string, c = ctx(pod(name).namespace)) =>
  formatExplanation(explainPod(c, pod(name)));

describe("fleetscope why <pod>", () => {
  it("an injected pod", () => {
    expect(why("vault-client-1a-a")).to.equal(
      [
        "pod shop/vault-client-1a-a (Deployment vault-client): profiled",
        "  policy:     shop (generation 5, agent 2.1.2)",
        "  containers: (not recorded)",
        "  note:       profiler event cpu replaced by itimer: namespace shop enforces Pod Security level restricted, which forbids SYS_PTRACE",
      ].join("\n"),
    );
  });

  it("a pod that predates the policy, with the restart to run", () => {
    expect(why("legacy-84c-a")).to.equal(
      [
        "pod shop/legacy-84c-a (Deployment legacy): not profiled yet",
        "  policy: shop (generation 5, agent 2.1.2)",
        "  reason: PredatesPolicy: created before the policy existed; gets the agent when it restarts",
        "  fix:    kubectl rollout restart deployment/legacy -n shop",
      ].join("\n"),
    );
  });

  it("an outdated pod under a Rolling policy points at the rollout", () => {
    const rolling = policies.map((p) =>
      p.metadata.name === "shop"
        ? { ...p, spec: { ...p.spec, rollout: { strategy: "Rolling" } } }
        : p,
    );
    const out = why("cart-7c8b-a", ctx("shop", rolling));
    expect(out).to.include("profiled with an older configuration");
    expect(out).to.include("OlderGeneration: injected for an older generation of the policy");
    expect(out).to.include("fix:    the rollout restarts it: fleetscope rollout status shop");
  });

  it("a skipped pod keeps the webhook's own words", () => {
    expect(why("pricing-66d-a")).to.include(
      "reason: JavaOptionsUnmergeable: JAVA_TOOL_OPTIONS is set with valueFrom",
    );
  });

  it("an opted-out pod says how to opt back in", () => {
    expect(why("ledger-0")).to.include("fix:    remove the label fleetscope.io/inject=false");
  });

  it("a pod another policy wins is explained against the winner", () => {
    expect(why("payments-api-3f-a")).to.include("policy: payments (generation 1, agent 2.1.2)");
  });

  it("a pod in a namespace no policy selects", () => {
    expect(why("elsewhere")).to.equal(
      [
        "pod unselected/elsewhere: not profiled",
        "  reason: no ProfilingPolicy selects namespace unselected (labels: none)",
        "  fix:    kubectl label namespace unselected fleetscope.io/profiling=enabled, or widen a policy's spec.selector.namespaceSelector",
      ].join("\n"),
    );
  });

  it("a pod in a system namespace", () => {
    expect(why("coredns-1-a")).to.include("is never profiled (system-namespace)");
  });

  it("a pod being deleted", () => {
    expect(why("checkout-6d4f9-c")).to.equal(
      "pod shop/checkout-6d4f9-c: not counted\n  reason: the pod is being deleted",
    );
  });

  it("a pod no podSelector matches", () => {
    const onlyPayments = policies.filter((p) => p.metadata.name === "payments");
    expect(why("legacy-84c-a", ctx("shop", onlyPayments))).to.include(
      "the podSelector of payments does not match the pod's labels",
    );
  });
});

describe("fleetscope why <workload>", () => {
  const checkout = { kind: "Deployment", namespace: "shop", name: "checkout" };

  it("a workload whose pods all run the agent, with its rollout record", () => {
    const e = explainWorkload(
      ctx(),
      {
        ...checkout,
        annotations: {
          "fleetscope.io/rollout": "shop/5",
          "fleetscope.io/rollout-phase": "Available",
          "fleetscope.io/rollout-time": "2025-06-03T10:05:00Z",
        },
      },
      fx.pods.filter((p) => p.name.startsWith("checkout")),
    );
    expect(formatExplanation(e)).to.equal(
      [
        "Deployment shop/checkout: profiled",
        "  policy:  shop (generation 5, agent 2.1.2)",
        "  pods:    2 injected",
        "  rollout: Available for shop/5 since 2025-06-03T10:05:00.000Z",
      ].join("\n"),
    );
  });

  it("a workload with old and new pods is partly profiled", () => {
    const e = explainWorkload(ctx(), checkout, [pod("checkout-6d4f9-a"), pod("legacy-84c-a")]);
    expect(e.verdict).to.equal("partly profiled");
    expect(formatExplanation(e)).to.include("pods:   1 injected, 1 pending");
  });

  it("a workload whose template would not be injected names the predicted reason", () => {
    const legacy = { kind: "Deployment", namespace: "shop", name: "legacy" };
    const e = explainWorkload(ctx(), legacy, [pod("legacy-84c-a")], {
      outcome: "skip",
      reason: "NoTargetContainer",
      message: "no container is targeted (web: image nginx:1.27 is not recognised as Java)",
    });
    expect(formatExplanation(e)).to.equal(
      [
        "Deployment shop/legacy: not profiled",
        "  policy:  shop (generation 5, agent 2.1.2)",
        "  pods:    1 skipped",
        "  reason:  NoTargetContainer (1 pod): its pod template would not be injected: no container is targeted (web: image nginx:1.27 is not recognised as Java)",
        "  restart: not restarted by the rollout: a new pod would not get the agent",
        "  fix:     name the containers in spec.selector.containers (detect: Names) if they run a JVM that is not recognised",
      ].join("\n"),
    );
    // The same workload, predicted to be injected: pending, with the restart to run.
    const pending = explainWorkload(ctx(), legacy, [pod("legacy-84c-a")], { outcome: "inject" });
    expect(formatExplanation(pending)).to.include("PredatesPolicy");
    expect(formatExplanation(pending)).to.include("kubectl rollout restart deployment/legacy");
  });

  it("a pod of such a workload says the same", () => {
    const out = formatExplanation(
      explainPod(ctx(), pod("legacy-84c-a"), {
        outcome: "skip",
        reason: "Java8OptionsUnmergeable",
        message: "container app: JAVA_TOOL_OPTIONS is set with valueFrom",
      }),
    );
    expect(out).to.include("not profiled");
    expect(out).to.include(
      "reason: Java8OptionsUnmergeable: its pod template would not be injected: container app: JAVA_TOOL_OPTIONS is set with valueFrom",
    );
    expect(out).to.include("fix:    set JAVA_TOOL_OPTIONS by value");
  });

  it("a workload scaled to zero", () => {
    expect(explainWorkload(ctx(), checkout, []).verdict).to.equal("no pods");
  });
});
