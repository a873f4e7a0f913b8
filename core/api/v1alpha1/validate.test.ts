// Every validation rule of ProfilingPolicy, through the ajv validator: what is refused, with
// which field path, and the near misses that are accepted.
import { expect } from "chai";
import { parseOperatorDuration } from "./common.ts";
import type { ProfilingPolicySpecInput } from "./types.ts";
import { formatErrors, parsePolicy, validatePolicy } from "./validate.ts";

function policy(spec: unknown) {
  return {
    apiVersion: "fleetscope.io/v1alpha1",
    kind: "ProfilingPolicy",
    metadata: { name: "p" },
    spec,
  };
}

const microservicesV2 = (objectStorage: unknown) => ({
  pyroscope: { mode: "Microservices", microservices: { architecture: "v2", objectStorage } },
});

const onFilesystem = (filesystem: unknown) => ({ backend: "filesystem", filesystem });
const claim = { claimName: "pyroscope-shared" };
const nfs = { server: "nfs.example.internal", path: "/exports/pyroscope" };

// Architecture v1 with the given components, on S3 so that only the components are in question.
const microservicesV1 = (components: unknown) => ({
  pyroscope: {
    mode: "Microservices",
    microservices: {
      architecture: "v1",
      components,
      objectStorage: { backend: "s3", bucket: "b" },
    },
  },
});

// [what, spec, path of the error, or undefined when the spec is valid]
const cases: [string, unknown, string | undefined][] = [
  ["an empty spec (all defaults)", {}, undefined],

  // Agent durations: only us, ms and s, whole numbers.
  ["lock 10ms", { agent: { profiles: { lock: "10ms" } } }, undefined],
  ["lock 1m", { agent: { profiles: { lock: "1m" } } }, "spec.agent.profiles.lock"],
  ["lock 1h", { agent: { profiles: { lock: "1h" } } }, "spec.agent.profiles.lock"],
  ["uploadInterval 60s", { agent: { uploadInterval: "60s" } }, undefined],
  ["uploadInterval without unit", { agent: { uploadInterval: "10" } }, "spec.agent.uploadInterval"],
  ["uploadInterval 1.5s", { agent: { uploadInterval: "1.5s" } }, "spec.agent.uploadInterval"],
  ["cpu interval 500us", { agent: { profiles: { cpu: { interval: "500us" } } } }, undefined],
  [
    "cpu interval 0ms",
    { agent: { profiles: { cpu: { interval: "0ms" } } } },
    "spec.agent.profiles.cpu.interval",
  ],
  [
    "cpu event ctimer",
    { agent: { profiles: { cpu: { event: "ctimer" } } } },
    "spec.agent.profiles.cpu.event",
  ],

  // Allocation threshold: bytes with k, m or g.
  ["alloc 512k", { agent: { profiles: { alloc: "512k" } } }, undefined],
  ["alloc 1m (one mebibyte)", { agent: { profiles: { alloc: "1m" } } }, undefined],
  ["alloc 65536", { agent: { profiles: { alloc: "65536" } } }, undefined],
  ["alloc 512KB", { agent: { profiles: { alloc: "512KB" } } }, "spec.agent.profiles.alloc"],
  ["alloc off", { agent: { profiles: { alloc: "off" } } }, "spec.agent.profiles.alloc"],

  // Static labels survive the agent's k=v,k=v parsing.
  ["label env=prod", { agent: { labels: { env: "prod" } } }, undefined],
  ["label key with a space", { agent: { labels: { "a b": "x" } } }, "spec.agent.labels"],
  ["label key with =", { agent: { labels: { "a=b": "x" } } }, "spec.agent.labels"],
  ["label key with a brace", { agent: { labels: { "a{": "x" } } }, "spec.agent.labels"],
  ["label key reserved __name__", { agent: { labels: { __name__: "x" } } }, "spec.agent.labels"],
  ["label value with a comma", { agent: { labels: { team: "a,b" } } }, "spec.agent.labels.team"],
  ["label value with a space", { agent: { labels: { team: "a b" } } }, "spec.agent.labels.team"],
  ["label value with }", { agent: { labels: { team: "a}" } } }, "spec.agent.labels.team"],
  ["empty label value", { agent: { labels: { team: "" } } }, "spec.agent.labels.team"],

  // Application name templates.
  [
    "app name with every placeholder",
    { agent: { applicationName: "{cluster}/{namespace}/{workload}.{container}" } },
    undefined,
  ],
  [
    "app name with {pod}",
    { agent: { applicationName: "{namespace}/{pod}" } },
    "spec.agent.applicationName",
  ],
  [
    "app name with an unclosed brace",
    { agent: { applicationName: "{namespace" } },
    "spec.agent.applicationName",
  ],
  ["app name with a space", { agent: { applicationName: "my app" } }, "spec.agent.applicationName"],

  // Other agent settings.
  ["agent image with a tag", { agent: { image: "fleetscope/agent:1" } }, "spec.agent.image"],
  [
    "agent image on a registry with a port",
    { agent: { image: "registry.local:5000/fleetscope/agent" } },
    undefined,
  ],
  ["agent version 2.10.0", { agent: { version: "2.10.0" } }, undefined],
  ["agent version latest", { agent: { version: "latest" } }, "spec.agent.version"],
  ["log level trace", { agent: { logLevel: "trace" } }, "spec.agent.logLevel"],
  ["ingestMaxTries -1 (forever)", { agent: { ingestMaxTries: -1 } }, undefined],
  ["ingestMaxTries -2", { agent: { ingestMaxTries: -2 } }, "spec.agent.ingestMaxTries"],
  ["pushQueueCapacity 0", { agent: { pushQueueCapacity: 0 } }, "spec.agent.pushQueueCapacity"],
  ["a custom HTTP header", { agent: { httpHeaders: { "X-Source": "fleet" } } }, undefined],
  [
    "an Authorization header",
    { agent: { httpHeaders: { authorization: "Basic x" } } },
    "spec.agent.httpHeaders",
  ],
  [
    "an X-Scope-OrgID header",
    { agent: { httpHeaders: { "X-Scope-OrgID": "t" } } },
    "spec.agent.httpHeaders",
  ],
  [
    "a header name with a colon",
    { agent: { httpHeaders: { "X:Y": "t" } } },
    "spec.agent.httpHeaders",
  ],
  [
    "sysPtrace Sometimes",
    { agent: { capabilities: { sysPtrace: "Sometimes" } } },
    "spec.agent.capabilities.sysPtrace",
  ],
  [
    "init memory as a quantity",
    { agent: { resources: { limits: { memory: "128Mi" } } } },
    undefined,
  ],
  ["init cpu as a number", { agent: { resources: { requests: { cpu: 1 } } } }, undefined],
  [
    "init memory 1 GB",
    { agent: { resources: { limits: { memory: "1 GB" } } } },
    "spec.agent.resources.limits.memory",
  ],

  // Pyroscope modes.
  [
    "External with an https URL",
    { pyroscope: { mode: "External", external: { url: "https://p.example.com/" } } },
    undefined,
  ],
  ["External without settings", { pyroscope: { mode: "External" } }, "spec.pyroscope.external"],
  [
    "External without url",
    { pyroscope: { mode: "External", external: {} } },
    "spec.pyroscope.external.url",
  ],
  [
    "External with a bare host",
    { pyroscope: { mode: "External", external: { url: "p.example.com:4040" } } },
    "spec.pyroscope.external.url",
  ],
  [
    "External with grpc://",
    { pyroscope: { mode: "External", external: { url: "grpc://p:9095" } } },
    "spec.pyroscope.external.url",
  ],
  [
    "external settings in Monolithic mode",
    { pyroscope: { external: { url: "https://p" } } },
    "spec.pyroscope.external",
  ],
  [
    "monolithic settings in External mode",
    { pyroscope: { mode: "External", external: { url: "https://p" }, monolithic: {} } },
    "spec.pyroscope.monolithic",
  ],
  [
    "Monolithic with 50Gi on ssd",
    { pyroscope: { monolithic: { storage: { size: "50Gi", storageClassName: "ssd" } } } },
    undefined,
  ],
  [
    "Monolithic storage of 10 gigs",
    { pyroscope: { monolithic: { storage: { size: "10 gigs" } } } },
    "spec.pyroscope.monolithic.storage.size",
  ],
  ["mode Standalone", { pyroscope: { mode: "Standalone" } }, "spec.pyroscope.mode"],
  ["retention 2w", { pyroscope: { retention: "2w" } }, undefined],
  ["retention 0 (forever)", { pyroscope: { retention: "0" } }, undefined],
  ["retention one week", { pyroscope: { retention: "1 week" } }, "spec.pyroscope.retention"],
  ["tenant with a slash", { pyroscope: { tenantID: "a/b" } }, "spec.pyroscope.tenantID"],
  [
    "basic auth Secret by name",
    { pyroscope: { basicAuthSecretRef: { name: "creds" } } },
    undefined,
  ],
  [
    "basic auth without a Secret name",
    { pyroscope: { basicAuthSecretRef: {} } },
    "spec.pyroscope.basicAuthSecretRef.name",
  ],
  [
    "basic auth with an inline password",
    { pyroscope: { basicAuthSecretRef: { name: "c", password: "x" } } },
    "spec.pyroscope.basicAuthSecretRef.password",
  ],

  // Microservices and object storage.
  [
    "Microservices without settings",
    { pyroscope: { mode: "Microservices" } },
    "spec.pyroscope.microservices",
  ],
  ["v2 on s3", microservicesV2({ backend: "s3", bucket: "b" }), undefined],
  [
    "v2 without object storage",
    { pyroscope: { mode: "Microservices", microservices: {} } },
    "spec.pyroscope.microservices.objectStorage",
  ],
  // A filesystem bucket is one volume every component mounts; without it, each pod would have
  // a directory of its own.
  [
    "v2 on filesystem without a volume",
    microservicesV2({ backend: "filesystem" }),
    "spec.pyroscope.microservices.objectStorage.filesystem",
  ],
  [
    "v1 on filesystem without a volume",
    {
      pyroscope: {
        mode: "Microservices",
        microservices: { architecture: "v1", objectStorage: { backend: "filesystem" } },
      },
    },
    "spec.pyroscope.microservices.objectStorage.filesystem",
  ],
  [
    "v2 on a shared claim",
    microservicesV2(onFilesystem({ persistentVolumeClaim: claim })),
    undefined,
  ],
  [
    "v1 on an NFS export, in a sub-directory",
    {
      pyroscope: {
        mode: "Microservices",
        microservices: {
          architecture: "v1",
          objectStorage: onFilesystem({ nfs: { ...nfs, readOnly: false }, subPath: "a/b.c_d-e" }),
        },
      },
    },
    undefined,
  ],
  [
    "a claim and an NFS export",
    microservicesV2(onFilesystem({ persistentVolumeClaim: claim, nfs })),
    "spec.pyroscope.microservices.objectStorage.filesystem.nfs",
  ],
  [
    "neither a claim nor an NFS export",
    microservicesV2(onFilesystem({ subPath: "x" })),
    "spec.pyroscope.microservices.objectStorage.filesystem",
  ],
  [
    "a volume for backend s3",
    microservicesV2({ backend: "s3", bucket: "b", filesystem: { persistentVolumeClaim: claim } }),
    "spec.pyroscope.microservices.objectStorage.filesystem",
  ],
  [
    "a bucket for backend filesystem",
    microservicesV2({ ...onFilesystem({ persistentVolumeClaim: claim }), bucket: "b" }),
    "spec.pyroscope.microservices.objectStorage",
  ],
  [
    "credentials for backend filesystem",
    microservicesV2({
      ...onFilesystem({ nfs }),
      credentialsSecretRef: { name: "s" },
    }),
    "spec.pyroscope.microservices.objectStorage",
  ],
  [
    "a read-only NFS export",
    microservicesV2(onFilesystem({ nfs: { ...nfs, readOnly: true } })),
    "spec.pyroscope.microservices.objectStorage.filesystem.nfs.readOnly",
  ],
  [
    "a relative NFS path",
    microservicesV2(onFilesystem({ nfs: { ...nfs, path: "exports" } })),
    "spec.pyroscope.microservices.objectStorage.filesystem.nfs.path",
  ],
  [
    "an NFS server with a path in it",
    microservicesV2(onFilesystem({ nfs: { ...nfs, server: "nfs/x" } })),
    "spec.pyroscope.microservices.objectStorage.filesystem.nfs.server",
  ],
  [
    "an IPv6 NFS server",
    microservicesV2(onFilesystem({ nfs: { ...nfs, server: "fd00::10" } })),
    undefined,
  ],
  [
    "an NFS export without a server",
    microservicesV2(onFilesystem({ nfs: { path: "/exports" } })),
    "spec.pyroscope.microservices.objectStorage.filesystem.nfs.server",
  ],
  [
    "an upper-case claim name",
    microservicesV2(onFilesystem({ persistentVolumeClaim: { claimName: "Shared" } })),
    "spec.pyroscope.microservices.objectStorage.filesystem.persistentVolumeClaim.claimName",
  ],
  ...["/abs", "a/../b", "..", "./a", "a//b", "a/", "a b"].map(
    (subPath): [string, unknown, string] => [
      `subPath ${JSON.stringify(subPath)}`,
      microservicesV2(onFilesystem({ persistentVolumeClaim: claim, subPath })),
      "spec.pyroscope.microservices.objectStorage.filesystem.subPath",
    ],
  ),
  [
    "v1 without object storage",
    { pyroscope: { mode: "Microservices", microservices: { architecture: "v1" } } },
    "spec.pyroscope.microservices.objectStorage",
  ],
  ["v1 on s3", microservicesV1({}), undefined],
  [
    "architecture v3",
    { pyroscope: { mode: "Microservices", microservices: { architecture: "v3" } } },
    "spec.pyroscope.microservices.architecture",
  ],
  [
    "gcs without a bucket",
    microservicesV2({ backend: "gcs" }),
    "spec.pyroscope.microservices.objectStorage.bucket",
  ],
  [
    "backend cos",
    microservicesV2({ backend: "cos", bucket: "b" }),
    "spec.pyroscope.microservices.objectStorage.backend",
  ],
  [
    "inline S3 keys",
    microservicesV2({ backend: "s3", bucket: "b", secretAccessKey: "x" }),
    "spec.pyroscope.microservices.objectStorage.secretAccessKey",
  ],
  [
    "an endpoint with a scheme",
    microservicesV2({ backend: "s3", bucket: "b", endpoint: "https://minio:9000" }),
    "spec.pyroscope.microservices.objectStorage.endpoint",
  ],
  ["100 ingesters", microservicesV1({ ingester: { replicas: 100 } }), undefined],
  [
    "101 ingesters",
    microservicesV1({ ingester: { replicas: 101 } }),
    "spec.pyroscope.microservices.components.ingester.replicas",
  ],
  [
    "-1 distributors",
    microservicesV1({ distributor: { replicas: -1 } }),
    "spec.pyroscope.microservices.components.distributor.replicas",
  ],
  [
    "2.5 queriers",
    microservicesV1({ querier: { replicas: 2.5 } }),
    "spec.pyroscope.microservices.components.querier.replicas",
  ],
  [
    "an unknown component",
    microservicesV1({ ruler: {} }),
    "spec.pyroscope.microservices.components.ruler",
  ],

  // Selection.
  [
    "detect Names with names",
    { selector: { containers: { detect: "Names", names: ["app"] } } },
    undefined,
  ],
  [
    "detect Names without names",
    { selector: { containers: { detect: "Names" } } },
    "spec.selector.containers.names",
  ],
  [
    "detect Names with an empty list",
    { selector: { containers: { detect: "Names", names: [] } } },
    "spec.selector.containers.names",
  ],
  [
    "names with detect Java",
    { selector: { containers: { names: ["app"] } } },
    "spec.selector.containers.names",
  ],
  [
    "the same name twice",
    { selector: { containers: { detect: "Names", names: ["a", "a"] } } },
    "spec.selector.containers.names",
  ],
  ["every namespace", { selector: { namespaceSelector: {} } }, undefined],
  [
    "Exists without values",
    { selector: { podSelector: { matchExpressions: [{ key: "a", operator: "Exists" }] } } },
    undefined,
  ],
  [
    "In without values",
    { selector: { namespaceSelector: { matchExpressions: [{ key: "a", operator: "In" }] } } },
    "spec.selector.namespaceSelector.matchExpressions[0].values",
  ],
  [
    "DoesNotExist with values",
    {
      selector: {
        podSelector: { matchExpressions: [{ key: "a", operator: "DoesNotExist", values: ["x"] }] },
      },
    },
    "spec.selector.podSelector.matchExpressions[0].values",
  ],
  [
    "operator Contains",
    {
      selector: {
        podSelector: { matchExpressions: [{ key: "a", operator: "Contains", values: ["x"] }] },
      },
    },
    "spec.selector.podSelector.matchExpressions[0].operator",
  ],
  [
    "a namespace label value with a slash",
    { selector: { namespaceSelector: { matchLabels: { team: "a/b" } } } },
    "spec.selector.namespaceSelector.matchLabels.team",
  ],
  [
    "a namespace label key with a space",
    { selector: { namespaceSelector: { matchLabels: { "my team": "a" } } } },
    "spec.selector.namespaceSelector.matchLabels",
  ],
  ["priority 1001", { priority: 1001 }, "spec.priority"],

  // Rollout.
  [
    "a Rolling rollout with canaries",
    { rollout: { strategy: "Rolling", canary: { count: 2, pause: "1h30m" } } },
    undefined,
  ],
  ["canaries with OnRestart", { rollout: { canary: {} } }, "spec.rollout.canary"],
  ["maxConcurrent 0", { rollout: { maxConcurrent: 0 } }, "spec.rollout.maxConcurrent"],
  ["maxConcurrent 101", { rollout: { maxConcurrent: 101 } }, "spec.rollout.maxConcurrent"],
  ["healthTimeout 90s", { rollout: { healthTimeout: "90s" } }, undefined],
  [
    "healthTimeout 5 minutes",
    { rollout: { healthTimeout: "5 minutes" } },
    "spec.rollout.healthTimeout",
  ],
  ["healthTimeout empty", { rollout: { healthTimeout: "" } }, "spec.rollout.healthTimeout"],
  [
    "workload kind CronJob",
    { rollout: { workloadKinds: ["CronJob"] } },
    "spec.rollout.workloadKinds[0]",
  ],
  ["no workload kinds", { rollout: { workloadKinds: [] } }, "spec.rollout.workloadKinds"],
  [
    "Deployment twice",
    { rollout: { workloadKinds: ["Deployment", "Deployment"] } },
    "spec.rollout.workloadKinds",
  ],

  // Grafana.
  [
    "datasource labelled for a custom sidecar",
    { grafana: { datasource: { enabled: true, labels: { "grafana.io/ds": "yes" } } } },
    undefined,
  ],
  [
    "datasource label key with a space",
    { grafana: { datasource: { labels: { "grafana ds": "1" } } } },
    "spec.grafana.datasource.labels",
  ],

  // Shape.
  ["a misspelt field", { agent: { profile: {} } }, "spec.agent.profile"],
  ["dryRun as a string", { dryRun: "yes" }, "spec.dryRun"],
];

describe("validatePolicy", () => {
  for (const [what, spec, path] of cases) {
    if (path === undefined) {
      it(`accepts ${what}`, () => {
        const result = validatePolicy(policy(spec));
        expect(result.errors, formatErrors(result.errors)).to.deep.equal([]);
        expect(result.ok).to.equal(true);
      });
    } else {
      it(`refuses ${what} at ${path}`, () => {
        const result = validatePolicy(policy(spec));
        expect(result.ok).to.equal(false);
        expect(result.errors.map((e) => e.path)).to.include(path);
      });
    }
  }

  it("names the field and says what to write instead", () => {
    const { errors } = validatePolicy(policy({ agent: { profiles: { lock: "1m" } } }));
    expect(formatErrors(errors)).to.equal(
      "spec.agent.profiles.lock: spec.agent.profiles.lock must be a whole number with unit us, ms or s, e.g. 10ms or 60s (the agent ignores m, h and unitless values)",
    );
  });

  it("reports every error at once", () => {
    const { errors } = validatePolicy(policy({ priority: 5000, agent: { uploadInterval: "1m" } }));
    expect(errors.map((e) => e.path)).to.have.members([
      "spec.priority",
      "spec.agent.uploadInterval",
    ]);
  });

  it("refuses a wrong kind and a missing spec", () => {
    const { errors } = validatePolicy({ apiVersion: "v1", kind: "Pod", metadata: {} });
    expect(errors.map((e) => e.path)).to.have.members(["apiVersion", "kind", "spec"]);
  });

  it("copes with garbage", () => {
    for (const junk of [null, 42, "x", [], { spec: [] }, { spec: { agent: null } }]) {
      expect(validatePolicy(junk).ok).to.equal(false);
    }
  });

  it("does not change the object it checks", () => {
    const obj = policy({ agent: { labels: { team: "a" } } });
    const before = structuredClone(obj);
    validatePolicy(obj);
    expect(obj).to.deep.equal(before);
  });
});

describe("parsePolicy", () => {
  it("returns the valid policy with defaults filled in", () => {
    const spec: ProfilingPolicySpecInput = { dryRun: true };
    const result = parsePolicy(policy(spec));
    expect(result.ok).to.equal(true);
    if (result.ok) {
      expect(result.policy.spec.dryRun).to.equal(true);
      expect(result.policy.spec.rollout.strategy).to.equal("OnRestart");
    }
  });

  it("returns the errors of an invalid one", () => {
    const result = parsePolicy(policy({ rollout: { maxConcurrent: 0 } }));
    expect(result.ok).to.equal(false);
  });
});

describe("parseOperatorDuration", () => {
  const table: [string, number | undefined][] = [
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["2h0m5s", 7_205_000],
    ["", undefined],
    ["5", undefined],
    ["1d", undefined],
  ];
  for (const [text, ms] of table) {
    it(`${JSON.stringify(text)} is ${ms === undefined ? "refused" : `${ms} ms`}`, () => {
      if (ms === undefined) expect(() => parseOperatorDuration(text)).to.throw();
      else expect(parseOperatorDuration(text)).to.equal(ms);
    });
  }
});
