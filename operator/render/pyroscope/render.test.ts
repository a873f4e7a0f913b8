// Properties every rendering has: ownership and labels, no credentials, determinism, name
// limits, and changes that stay local.
import { expect } from "chai";
import { renderPyroscope } from "./index.ts";
import { objectName, shortHash } from "./names.ts";
import type { RenderedObject } from "./objects.ts";
import { loadFixture } from "./testing.ts";

const opts = { operatorNamespace: "fleetscope" };
const fixtures = [
  "quickstart-monolithic.yaml",
  "microservices-v1-s3.yaml",
  "microservices-v2-gcs.yaml",
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
