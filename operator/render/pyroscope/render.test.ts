// Properties every rendering has: ownership and labels, no credentials, determinism, name
// limits, and changes that stay local.
import { expect } from "chai";
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { CONFIG_KEY, configHash } from "./config.ts";
import { objectName, shortHash } from "./names.ts";
import type { RenderedObject } from "./objects.ts";
import { renderPyroscope } from "./render.ts";
import { containerOf, loadFixture, podTemplateOf } from "./testing.ts";
import { CONFIG_HASH_ANNOTATION } from "./workload.ts";

const opts = { operatorNamespace: "fleetscope" };
const fixtures = [
  "quickstart-monolithic.yaml",
  "microservices-v1-s3.yaml",
  "microservices-v2-gcs.yaml",
  "microservices-v1-nfs.yaml",
  "microservices-v2-claim.yaml",
  "external.yaml",
  "grafana-tenant.yaml",
];

function changedPaths(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return [path];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) =>
    changedPaths(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}/${k}`,
    ),
  );
}

for (const file of fixtures) {
  describe(`every object rendered from ${file}`, () => {
    const { policy, secretValues } = loadFixture(file);
    const objects = renderPyroscope(policy, opts);
    const name = policy.metadata.name;

    it("is structurally sound: apiVersion, kind, name, namespace; Services within 63", () => {
      for (const o of objects) {
        expect(o.apiVersion, o.kind).to.be.a("string").and.not.empty;
        expect(o.kind).to.be.a("string").and.not.empty;
        expect(o.metadata.name).to.match(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
        expect(o.metadata.name.length).to.be.at.most(o.kind === "Service" ? 63 : 253);
        expect(o.metadata.namespace).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
      const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
      expect(new Set(ids).size).to.equal(ids.length);
    });

    it("is labelled for pruning and owned by the policy", () => {
      for (const o of objects) {
        expect(o.metadata.labels).to.include({
          "app.kubernetes.io/name": "pyroscope",
          "app.kubernetes.io/instance": name,
          "app.kubernetes.io/managed-by": "fleetscope",
          "fleetscope.io/policy": name,
        });
        expect(o.metadata.labels["app.kubernetes.io/component"]).to.be.a("string").and.not.empty;
        expect(o.metadata.ownerReferences).to.deep.equal([
          {
            apiVersion: "fleetscope.io/v1alpha1",
            kind: "ProfilingPolicy",
            name,
            uid: policy.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ]);
      }
    });

    it("selects its pods by labels the pods carry", () => {
      for (const o of objects) {
        const spec = (o as { spec?: Record<string, unknown> }).spec;
        const selector = (spec?.selector as { matchLabels?: Record<string, string> } | undefined)
          ?.matchLabels;
        const template = spec?.template as { metadata: { labels: Record<string, string> } };
        if (selector && template) expect(template.metadata.labels).to.include(selector);
      }
    });

    it("contains no credential value", () => {
      const json = JSON.stringify(objects);
      for (const secret of secretValues) expect(json).not.to.include(secret);
    });

    it("is the same, byte for byte, when rendered again", () => {
      const again = renderPyroscope(structuredClone(policy), opts);
      expect(again).to.deep.equal(objects);
      expect(JSON.stringify(again)).to.equal(JSON.stringify(objects));
    });
  });
}

describe("local changes", () => {
  it("scaling a component changes only its replicas", () => {
    const { policy } = loadFixture("microservices-v1-s3.yaml");
    const before = renderPyroscope(policy, opts);
    const scaled = structuredClone(policy);
    const components = scaled.spec.pyroscope.microservices?.components;
    if (components === undefined) throw new Error("no components");
    components.querier.replicas = 7;
    const after = renderPyroscope(scaled, opts);
    expect(after.length).to.equal(before.length);
    const changes = before.flatMap((o, i) =>
      changedPaths(o, after[i]).map((p) => `${o.kind}/${o.metadata.name}${p}`),
    );
    expect(changes).to.deep.equal(["Deployment/payments-pyroscope-querier/spec/replicas"]);
  });

  it("a new image changes only the containers' image", () => {
    const { policy } = loadFixture("microservices-v2-gcs.yaml");
    const before = renderPyroscope(policy, opts);
    const upgraded = structuredClone(policy);
    upgraded.spec.pyroscope.image = "grafana/pyroscope:2.3.0";
    const after = renderPyroscope(upgraded, opts);
    const changes = new Set(
      before.flatMap((o, i) => changedPaths(o, after[i]).map((p) => `${o.kind}${p}`)),
    );
    expect([...changes].sort()).to.deep.equal([
      "Deployment/spec/template/spec/containers/0/image",
      "StatefulSet/spec/template/spec/containers/0/image",
    ]);
  });

  it("a new storage size changes only the claim template", () => {
    const { policy } = loadFixture("grafana-tenant.yaml");
    const before = renderPyroscope(policy, opts);
    const grown = structuredClone(policy);
    if (grown.spec.pyroscope.monolithic) grown.spec.pyroscope.monolithic.storage.size = "100Gi";
    const after = renderPyroscope(grown, opts);
    const changes = before.flatMap((o, i) => changedPaths(o, after[i]));
    expect(changes).to.deep.equal(["/spec/volumeClaimTemplates/0/spec/resources/requests/storage"]);
  });

  it("switching mode replaces the object set", () => {
    const { policy } = loadFixture("quickstart-monolithic.yaml");
    const mono = renderPyroscope(policy, opts);
    const micro = structuredClone(policy);
    micro.spec.pyroscope.mode = "Microservices";
    delete micro.spec.pyroscope.monolithic;
    micro.spec.pyroscope.microservices = loadFixture(
      "microservices-v2-gcs.yaml",
    ).policy.spec.pyroscope.microservices;
    const names = (objs: RenderedObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names(renderPyroscope(micro, opts))).to.include(
      "StatefulSet/java-fleet-pyroscope-metastore",
    );
    expect(names(renderPyroscope(micro, opts))).not.to.include("StatefulSet/java-fleet-pyroscope");
    expect(names(mono)).to.include("StatefulSet/java-fleet-pyroscope");
  });
});

describe("names", () => {
  const cases = [
    { policy: "java-fleet", suffix: "pyroscope", expected: "java-fleet-pyroscope" },
    { policy: "team.a", suffix: "pyroscope", expected: `team-a-${shortHash("team.a")}-pyroscope` },
    { policy: "team-a", suffix: "pyroscope", expected: "team-a-pyroscope" },
    { policy: "1st", suffix: "pyroscope", expected: `p1st-${shortHash("1st")}-pyroscope` },
  ];
  for (const c of cases) {
    it(`${c.policy} + ${c.suffix} → ${c.expected}`, () => {
      expect(objectName(c.policy, c.suffix)).to.equal(c.expected);
    });
  }

  it("keeps every object of a 253-character policy name within the limits", () => {
    const { policy } = loadFixture("microservices-v2-gcs.yaml");
    const long = structuredClone(policy);
    long.metadata.name = `${"very-long-policy-name.".repeat(11)}end`.slice(0, 253);
    long.spec.grafana.datasource.enabled = true;
    const objects = renderPyroscope(long, opts);
    for (const o of objects) {
      expect(o.metadata.name.length, o.metadata.name).to.be.at.most(52);
      expect(o.metadata.name).to.match(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      for (const v of Object.values(o.metadata.labels)) expect(v.length).to.be.at.most(63);
    }
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});

describe(`${CONFIG_HASH_ANNOTATION} on the pod templates`, () => {
  const isWorkload = (o: RenderedObject) => o.kind === "StatefulSet" || o.kind === "Deployment";

  /** The one hash every pod template carries; it must be that of the ConfigMap's config.yaml. */
  function hashOf(objects: RenderedObject[]): string {
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("-config"));
    const text = (cm as { data?: Record<string, string> } | undefined)?.data?.[CONFIG_KEY];
    if (text === undefined) throw new Error("no config.yaml rendered");
    const hashes = objects
      .filter(isWorkload)
      .map((o) => podTemplateOf(o).metadata?.annotations?.[CONFIG_HASH_ANNOTATION]);
    expect(hashes).not.to.be.empty;
    expect(new Set(hashes)).to.deep.equal(new Set([configHash(text)]));
    return configHash(text);
  }

  type Change = (spec: ProfilingPolicy["spec"]) => void;
  const microservices = (spec: ProfilingPolicy["spec"]) => {
    const m = spec.pyroscope.microservices;
    if (m?.objectStorage === undefined) throw new Error("fixture has no object storage");
    return { components: m.components, storage: m.objectStorage };
  };
  // [what, fixture, change, whether config.yaml (and so the hash) changes]
  const cases: [string, string, Change, boolean][] = [
    [
      "a longer retention",
      "quickstart-monolithic.yaml",
      (s) => (s.pyroscope.retention = "30d"),
      true,
    ],
    [
      "another tenant (multi-tenancy already on)",
      "grafana-tenant.yaml",
      (s) => (s.pyroscope.tenantID = "team-b"),
      false,
    ],
    [
      "a first tenant",
      "microservices-v1-s3.yaml",
      (s) => (s.pyroscope.tenantID = "payments"),
      true,
    ],
    [
      "another bucket",
      "microservices-v2-gcs.yaml",
      (s) => (microservices(s).storage.bucket = "other"),
      true,
    ],
    [
      "another S3 endpoint",
      "microservices-v1-s3.yaml",
      (s) => (microservices(s).storage.endpoint = "s3.example.com"),
      true,
    ],
    [
      "scaling a component",
      "microservices-v1-s3.yaml",
      (s) => (microservices(s).components.querier.replicas = 7),
      false,
    ],
    [
      "another sub-directory of the shared volume",
      "microservices-v1-nfs.yaml",
      (s) => {
        const fs = microservices(s).storage.filesystem;
        if (fs) fs.subPath = "ledger/blocks-2";
      },
      true,
    ],
    [
      "a new image",
      "microservices-v2-gcs.yaml",
      (s) => (s.pyroscope.image = "grafana/pyroscope:2.3.0"),
      false,
    ],
    [
      "a new monolithic storage size",
      "quickstart-monolithic.yaml",
      (s) => {
        s.pyroscope.monolithic = { storage: { size: "50Gi" } };
      },
      false,
    ],
    [
      "another credentials Secret",
      "microservices-v1-s3.yaml",
      (s) => {
        const creds = microservices(s).storage.credentialsSecretRef;
        if (creds) creds.name = "pyroscope-minio-2026";
      },
      false,
    ],
  ];
  for (const [what, file, change, changes] of cases) {
    it(`${changes ? "changes" : "stays the same"} with ${what} (${file})`, () => {
      const { policy } = loadFixture(file);
      const before = hashOf(renderPyroscope(policy, opts));
      const changed = structuredClone(policy);
      change(changed.spec);
      const after = hashOf(renderPyroscope(changed, opts));
      if (changes) expect(after).not.to.equal(before);
      else expect(after).to.equal(before);
    });
  }

  // The operator cannot read the Secret (see ADR 0005): new values under the same name restart
  // nothing, but a new Secret name changes the pods' secretKeyRefs, so their template changes.
  it("a new credentials Secret name still restarts pods through their env", () => {
    const { policy } = loadFixture("microservices-v1-s3.yaml");
    const changed = structuredClone(policy);
    const creds = changed.spec.pyroscope.microservices?.objectStorage?.credentialsSecretRef;
    if (creds === undefined) throw new Error("fixture has no credentials Secret");
    creds.name = "pyroscope-minio-2026";
    const secretsOf = (objects: RenderedObject[]) =>
      objects
        .filter(isWorkload)
        .flatMap((o) => containerOf(o).env ?? [])
        .map((e) => e.valueFrom?.secretKeyRef?.name);
    expect(new Set(secretsOf(renderPyroscope(policy, opts)))).to.deep.equal(
      new Set(["pyroscope-minio"]),
    );
    expect(new Set(secretsOf(renderPyroscope(changed, opts)))).to.deep.equal(
      new Set(["pyroscope-minio-2026"]),
    );
  });
});
