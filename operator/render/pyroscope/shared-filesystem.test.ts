// Mode Microservices on a shared filesystem: every component of v1 (NFS export) and v2
// (ReadWriteMany claim) mounts one volume at one path, the bucket points there, and what must
// stay per pod stays on the pod's own volumes.
import type { V1PodSpec } from "@kubernetes/client-node";
import { expect } from "chai";
import { parse } from "yaml";
import type { RenderedObject } from "./objects.ts";
import { renderPyroscope } from "./render.ts";
import { containerOf, find, loadFixture, podTemplateOf } from "./testing.ts";

const opts = { operatorNamespace: "fleetscope" };

const workloadsOf = (objects: RenderedObject[]) =>
  objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment");

const componentOf = (o: RenderedObject) => o.metadata.labels["app.kubernetes.io/component"];

function podSpec(o: RenderedObject): V1PodSpec {
  const spec = podTemplateOf(o).spec;
  if (spec === undefined) throw new Error(`${o.metadata.name} has no pod spec`);
  return spec;
}

const cases = [
  {
    fixture: "microservices-v1-nfs.yaml",
    config: "ledger-pyroscope-config",
    components: [
      "distributor",
      "ingester",
      "querier",
      "query-frontend",
      "query-scheduler",
      "store-gateway",
      "compactor",
    ],
    volume: { nfs: { server: "nfs.example.internal", path: "/exports/pyroscope" } },
    bucketDir: "/shared/ledger/blocks",
    retention: { compactor_blocks_retention_period: "30d" },
  },
  {
    fixture: "microservices-v2-claim.yaml",
    config: "orders-pyroscope-config",
    components: [
      "distributor",
      "segment-writer",
      "metastore",
      "compaction-worker",
      "query-frontend",
      "query-backend",
    ],
    volume: { persistentVolumeClaim: { claimName: "pyroscope-shared" } },
    bucketDir: "/shared",
    retention: { retention_period: "7d" },
  },
];

for (const c of cases) {
  describe(`Microservices on a shared filesystem: ${c.fixture}`, () => {
    const { policy } = loadFixture(c.fixture);
    const objects = renderPyroscope(policy, opts);
    const workloads = workloadsOf(objects);

    it("runs every component of the architecture", () => {
      expect(workloads.map(componentOf)).to.have.members(c.components);
    });

    it("points the filesystem bucket at the shared mount", () => {
      const cm = find(objects, "ConfigMap", c.config) as { data: Record<string, string> };
      expect(parse(cm.data["config.yaml"] ?? "")).to.deep.equal({
        storage: { backend: "filesystem", filesystem: { dir: c.bucketDir } },
        limits: c.retention,
        multitenancy_enabled: false,
      });
    });

    // Every component initialises the bucket (Pyroscope's usage-statistics seed lives there
    // even for the query path), so none may see a directory of its own.
    for (const target of c.components) {
      it(`${target}: mounts the one shared volume at /shared, read-write`, () => {
        const w = workloads.find((o) => componentOf(o) === target);
        if (w === undefined) throw new Error(`no workload for ${target}`);
        const spec = podSpec(w);
        const shared = spec.volumes?.filter((v) => v.name === "shared-storage");
        expect(shared).to.deep.equal([{ name: "shared-storage", ...c.volume }]);
        const mounts = containerOf(w).volumeMounts ?? [];
        expect(mounts.filter((m) => m.name === "shared-storage")).to.deep.equal([
          { name: "shared-storage", mountPath: "/shared" },
        ]);
      });

      it(`${target}: keeps /data and /tmp on emptyDirs of its own`, () => {
        const w = workloads.find((o) => componentOf(o) === target);
        if (w === undefined) throw new Error(`no workload for ${target}`);
        const spec = podSpec(w);
        expect(spec.volumes).to.deep.include({ name: "data", emptyDir: {} });
        expect(spec.volumes).to.deep.include({ name: "tmp", emptyDir: {} });
        const mounts = containerOf(w).volumeMounts ?? [];
        expect(mounts).to.deep.include({ name: "data", mountPath: "/data" });
        expect(mounts).to.deep.include({ name: "tmp", mountPath: "/tmp" });
        // No per-pod directory (raft log, local blocks, compaction scratch) is put on the share.
        for (const arg of containerOf(w).args ?? []) expect(arg).not.to.include("/shared");
      });

      it(`${target}: runs as the image's user with fsGroup, changing ownership only on a mismatch`, () => {
        const w = workloads.find((o) => componentOf(o) === target);
        if (w === undefined) throw new Error(`no workload for ${target}`);
        expect(podSpec(w).securityContext).to.deep.include({
          runAsNonRoot: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          fsGroup: 10001,
          fsGroupChangePolicy: "OnRootMismatch",
        });
      });
    }
  });
}

describe("Microservices on a shared filesystem: per-pod directories", () => {
  it("v1: the compactor's scratch stays under /data", () => {
    const objects = renderPyroscope(loadFixture("microservices-v1-nfs.yaml").policy, opts);
    const compactor = find(objects, "StatefulSet", "ledger-pyroscope-compactor");
    expect(containerOf(compactor).args).to.include("-compactor.data-dir=/data/compactor");
  });

  it("the same policy on S3 mounts no shared volume and keeps the default ownership change", () => {
    const objects = renderPyroscope(loadFixture("microservices-v1-s3.yaml").policy, opts);
    for (const w of workloadsOf(objects)) {
      expect(podSpec(w).volumes?.map((v) => v.name)).not.to.include("shared-storage");
      expect(podSpec(w).securityContext?.fsGroupChangePolicy).to.equal(undefined);
    }
  });

  it("refuses to render backend filesystem without a volume", () => {
    const { policy } = loadFixture("microservices-v2-claim.yaml");
    const storage = policy.spec.pyroscope.microservices?.objectStorage;
    if (storage === undefined) throw new Error("fixture has no storage");
    delete storage.filesystem;
    expect(() => renderPyroscope(policy, opts)).to.throw(
      /spec\.pyroscope\.microservices\.objectStorage\.filesystem is required/,
    );
  });
});
