// A policy resolved into the mutation's settings: defaults, and each field that needs mapping.
import { expect } from "chai";
import { withDefaults } from "../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../core/api/v1alpha1/types.ts";
import { settingsProblems } from "./inject/validate-settings.ts";
import { settingsFromPolicy } from "./policy-settings.ts";

const resolve = (spec: ProfilingPolicySpecInput) =>
  settingsFromPolicy(
    { metadata: { name: "p", generation: 4 }, spec: withDefaults(spec) } as ProfilingPolicy,
    { clusterName: "prod-eu", serverAddress: "http://p-pyroscope.pyroscope.svc:4040" },
  );

describe("settingsFromPolicy", () => {
  it("a defaulted policy gives settings the mutation accepts", () => {
    const s = resolve({});
    expect(settingsProblems(s)).to.deep.equal([]);
    expect(s).to.deep.include({
      policyName: "p",
      policyGeneration: 4,
      dryRun: false,
      agentVersion: "2.9.2",
      initImage: "ghcr.io/fleetscope/pyroscope-java-agent:2.9.2",
      applicationNameTemplate: "{namespace}/{workload}",
      uploadInterval: "10s",
      sysPtrace: "Auto",
      containers: { detect: "Java", names: [] },
    });
    expect(s.profiles).to.deep.equal({ event: "itimer", interval: "10ms" });
  });

  const cases: {
    name: string;
    spec: ProfilingPolicySpecInput;
    check: (s: ReturnType<typeof resolve>) => unknown;
    want: unknown;
  }[] = [
    {
      name: "{cluster} becomes the cluster name",
      spec: { agent: { applicationName: "{cluster}/{namespace}/{workload}" } },
      check: (s) => s.applicationNameTemplate,
      want: "prod-eu/{namespace}/{workload}",
    },
    {
      name: "numeric quantities become strings",
      spec: { agent: { resources: { requests: { cpu: 1, memory: "16Mi" } } } },
      check: (s) => s.initResources,
      want: { requests: { cpu: "1", memory: "16Mi" } },
    },
    {
      name: "alloc and lock when enabled",
      spec: { agent: { profiles: { alloc: "512k", lock: "10ms" } } },
      check: (s) => [s.profiles.alloc, s.profiles.lock],
      want: ["512k", "10ms"],
    },
    {
      name: "tenant",
      spec: { pyroscope: { tenantID: "team-a" } },
      check: (s) => s.tenantID,
      want: "team-a",
    },
    {
      name: "basic auth by Secret reference",
      spec: {
        pyroscope: {
          mode: "External",
          external: { url: "https://p.example" },
          basicAuthSecretRef: { name: "auth" },
        },
      },
      check: (s) => s.basicAuthSecret,
      want: { name: "auth", userKey: "username", passwordKey: "password" },
    },
    {
      name: "HTTP headers as one JSON property",
      spec: { agent: { httpHeaders: { "X-Team": "shop" } } },
      check: (s) => s.extraProperties?.["http.headers"],
      want: '{"X-Team":"shop"}',
    },
    {
      name: "explicit container names",
      spec: { selector: { containers: { detect: "Names", names: ["app"] } } },
      check: (s) => s.containers,
      want: { detect: "Names", names: ["app"] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = resolve(c.spec);
      expect(c.check(s)).to.deep.equal(c.want);
      expect(settingsProblems(s)).to.deep.equal([]);
    });
  }

  describe("revision", () => {
    const base = resolve({}).revision;
    const same: [string, ProfilingPolicySpecInput][] = [
      ["a rollout change", { rollout: { strategy: "Rolling", maxConcurrent: 3, paused: true } }],
      ["a priority change", { priority: 7 }],
      ["a dry-run switch", { dryRun: true }],
      ["more Pyroscope replicas elsewhere", { pyroscope: { retention: "30d" } }],
    ];
    for (const [what, spec] of same) {
      it(`is kept by ${what}`, () => expect(resolve(spec).revision).to.equal(base));
    }
    const changed: [string, ProfilingPolicySpecInput][] = [
      ["another agent version", { agent: { version: "2.9.3" } }],
      ["another profile set", { agent: { profiles: { alloc: "512k" } } }],
      ["another tenant", { pyroscope: { tenantID: "team-b" } }],
      ["other static labels", { agent: { labels: { team: "pay" } } }],
    ];
    for (const [what, spec] of changed) {
      it(`changes with ${what}`, () => expect(resolve(spec).revision).to.not.equal(base));
    }
  });
});
