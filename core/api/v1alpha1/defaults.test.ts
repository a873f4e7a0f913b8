// withDefaults fills in exactly what the API server would, and nothing the user wrote changes.
import { expect } from "chai";
import { withDefaults } from "./defaults.ts";
import type { ProfilingPolicySpecInput } from "./types.ts";

describe("withDefaults", () => {
  const empty = withDefaults({});

  const cases: [string, (s: ReturnType<typeof withDefaults>) => unknown, unknown][] = [
    [
      "namespaces labelled fleetscope.io/profiling=enabled",
      (s) => s.selector.namespaceSelector,
      { matchLabels: { "fleetscope.io/profiling": "enabled" } },
    ],
    ["Java containers", (s) => s.selector.containers, { detect: "Java" }],
    ["no pod selector", (s) => s.selector.podSelector, undefined],
    ["priority 0", (s) => s.priority, 0],
    ["a monolithic Pyroscope", (s) => s.pyroscope.mode, "Monolithic"],
    ["in namespace pyroscope", (s) => s.pyroscope.namespace, "pyroscope"],
    ["running grafana/pyroscope:2.2.1", (s) => s.pyroscope.image, "grafana/pyroscope:2.2.1"],
    ["keeping profiles for 7 days", (s) => s.pyroscope.retention, "7d"],
    [
      "no settings block for any mode",
      (s) => s.pyroscope.microservices ?? s.pyroscope.external,
      undefined,
    ],
    ["agent 2.9.2", (s) => s.agent.version, "2.9.2"],
    [
      "from the fleetscope init image",
      (s) => s.agent.image,
      "ghcr.io/fleetscope/pyroscope-java-agent",
    ],
    [
      "itimer CPU profiling at 100 Hz",
      (s) => s.agent.profiles.cpu,
      { event: "itimer", interval: "10ms" },
    ],
    [
      "no allocation or lock profiling",
      (s) => [s.agent.profiles.alloc, s.agent.profiles.lock],
      [undefined, undefined],
    ],
    ["uploads every 10s", (s) => s.agent.uploadInterval, "10s"],
    [
      "application names namespace/workload",
      (s) => s.agent.applicationName,
      "{namespace}/{workload}",
    ],
    ["SYS_PTRACE only when needed", (s) => s.agent.capabilities.sysPtrace, "Auto"],
    [
      "a small init container",
      (s) => s.agent.resources,
      { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    ],
    [
      "the agent's own retry and queue defaults",
      (s) => [s.agent.ingestMaxTries, s.agent.pushQueueCapacity],
      [8, 8],
    ],
    ["injection on restart only", (s) => s.rollout.strategy, "OnRestart"],
    ["one restart at a time", (s) => s.rollout.maxConcurrent, 1],
    ["a 5m health timeout", (s) => s.rollout.healthTimeout, "5m"],
    ["Deployments and DaemonSets", (s) => s.rollout.workloadKinds, ["Deployment", "DaemonSet"]],
    ["rollback on failure", (s) => s.rollout.rollbackOnFailure, true],
    ["changes applied, not audited", (s) => s.dryRun, false],
    [
      "no Grafana datasource, labelled for the sidecar when enabled",
      (s) => s.grafana.datasource,
      { enabled: false, labels: { grafana_datasource: "1" } },
    ],
  ];
  for (const [what, get, want] of cases) {
    it(`defaults to ${what}`, () => expect(get(empty)).to.deep.equal(want));
  }

  it("fills defaults inside blocks the user wrote, keeping the user's values", () => {
    const spec = withDefaults({
      pyroscope: {
        mode: "Microservices",
        microservices: { components: { ingester: { replicas: 5 } } },
      },
      rollout: { strategy: "Rolling", canary: {} },
    });
    const ms = spec.pyroscope.microservices!;
    expect(ms.architecture).to.equal("v2");
    expect(ms.components.ingester.replicas).to.equal(5);
    expect(ms.components.metastore.replicas).to.equal(3);
    expect(ms.components.distributor.replicas).to.equal(2);
    expect(spec.rollout.canary).to.deep.equal({ count: 1, pause: "10m" });
    expect(spec.rollout.maxConcurrent).to.equal(1);
  });

  it("does not change its argument", () => {
    const input: ProfilingPolicySpecInput = { agent: { labels: { team: "a" } } };
    const before = structuredClone(input);
    withDefaults(input);
    expect(input).to.deep.equal(before);
  });

  it("returns fresh defaults every time", () => {
    const a = withDefaults({});
    a.rollout.workloadKinds.push("StatefulSet");
    expect(withDefaults({}).rollout.workloadKinds).to.deep.equal(["Deployment", "DaemonSet"]);
  });
});
