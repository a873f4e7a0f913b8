// Mode Microservices: architecture v1 on S3 (MinIO) and v2 on GCS.
import type { V1Container, V1Service } from "@kubernetes/client-node";
import { expect } from "chai";
import { parse } from "yaml";
import type { RenderedObject } from "./objects.ts";
import { expectedWorkloads, renderPyroscope } from "./render.ts";
import { containerOf, find, loadFixture, podTemplateOf } from "./testing.ts";
import { pyroscopeEndpoints } from "./urls.ts";

const opts = { operatorNamespace: "fleetscope" };

type Workload = RenderedObject & { spec: { replicas: number; serviceName?: string } };

function workloads(objects: RenderedObject[]): Record<string, string> {
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment")
      .map((o) => [o.metadata.labels["app.kubernetes.io/component"], o.kind]),
  );
}

function configOf(objects: RenderedObject[], name: string): Record<string, unknown> {
  const cm = find(objects, "ConfigMap", name) as { data: Record<string, string> };
  return parse(cm.data["config.yaml"] ?? "");
}

function arg(container: V1Container, flag: string): string | undefined {
  return container.args?.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

describe("Microservices v1 on S3 (MinIO)", () => {
  const { policy } = loadFixture("microservices-v1-s3.yaml");
  const objects = renderPyroscope(policy, opts);
  const component = (c: string) =>
    find(
      objects,
      c === "ingester" || c === "store-gateway" || c === "compactor" ? "StatefulSet" : "Deployment",
      `payments-pyroscope-${c}`,
    ) as Workload;

  // target, kind, replicas, termination grace period
  const table: [string, string, number, number | undefined][] = [
    ["distributor", "Deployment", 2, undefined],
    ["ingester", "StatefulSet", 5, 600],
    ["querier", "Deployment", 3, undefined],
    ["query-frontend", "Deployment", 2, undefined],
    ["query-scheduler", "Deployment", 2, undefined],
    ["store-gateway", "StatefulSet", 3, undefined],
    ["compactor", "StatefulSet", 3, 1200],
  ];

  it("runs exactly the v1 components", () => {
    expect(workloads(objects)).to.deep.equal(Object.fromEntries(table.map(([t, k]) => [t, k])));
  });

  for (const [target, kind, replicas, grace] of table) {
    it(`${target}: ${kind}, ${replicas} replicas, grace ${grace ?? "default"}, Services and PDB`, () => {
      const w = component(target);
      const c = containerOf(w);
      expect(w.spec.replicas).to.equal(replicas);
      expect(arg(c, "-target")).to.equal(target);
      expect(arg(c, "-architecture.storage")).to.equal("v1");
      expect(arg(c, "-write-path")).to.equal("ingester");
      expect(podTemplateOf(w).spec?.terminationGracePeriodSeconds).to.equal(grace);
      if (kind === "StatefulSet") {
        expect(w.spec.serviceName).to.equal(`payments-pyroscope-${target}-headless`);
      }
      find(objects, "Service", `payments-pyroscope-${target}`);
      const headless = find(objects, "Service", `payments-pyroscope-${target}-headless`) as {
        spec: { clusterIP: string };
      };
      expect(headless.spec.clusterIP).to.equal("None");
      const pdb = find(objects, "PodDisruptionBudget", `payments-pyroscope-${target}`) as {
        spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
      };
      expect(pdb.spec.maxUnavailable).to.equal(1);
      expect(pdb.spec.selector.matchLabels["app.kubernetes.io/component"]).to.equal(target);
    });
  }

  it("joins every component through one headless memberlist Service, with a cluster label", () => {
    const svc = find(objects, "Service", "payments-pyroscope-memberlist") as V1Service;
    expect(svc.spec).to.deep.include({
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "app.kubernetes.io/name": "pyroscope", "app.kubernetes.io/instance": "payments" },
    });
    for (const [target] of table) {
      const c = containerOf(component(target));
      expect(arg(c, "-memberlist.join")).to.equal(
        "dns+payments-pyroscope-memberlist.profiling.svc.cluster.local.:7946",
      );
      expect(arg(c, "-memberlist.cluster-label")).to.equal("profiling.payments");
      expect(c.ports).to.deep.include({ name: "memberlist", containerPort: 7946, protocol: "TCP" });
    }
  });

  it("gives the ingesters the policy's resources", () => {
    expect(containerOf(component("ingester")).resources).to.deep.equal({
      requests: { cpu: "1", memory: "4Gi" },
      limits: { memory: "8Gi" },
    });
  });

  it("writes an S3 block without credentials and v1 retention into the shared config", () => {
    expect(configOf(objects, "payments-pyroscope-config")).to.deep.equal({
      storage: {
        backend: "s3",
        s3: {
          bucket_name: "pyroscope-blocks",
          endpoint: "minio.storage.svc:9000",
          region: "us-east-1",
          insecure: true,
        },
      },
      limits: { compactor_blocks_retention_period: "14d" },
      multitenancy_enabled: false,
    });
  });

  it("hands the keys to every component as AWS variables from the Secret", () => {
    for (const [target] of table) {
      expect(containerOf(component(target)).env).to.deep.equal([
        {
          name: "AWS_ACCESS_KEY_ID",
          valueFrom: { secretKeyRef: { name: "pyroscope-minio", key: "accessKey" } },
        },
        {
          name: "AWS_SECRET_ACCESS_KEY",
          valueFrom: { secretKeyRef: { name: "pyroscope-minio", key: "secretKey" } },
        },
      ]);
    }
  });

  it("gives the compactor a writable working directory", () => {
    expect(arg(containerOf(component("compactor")), "-compactor.data-dir")).to.equal(
      "/data/compactor",
    );
  });

  it("is written to through the distributor and read through the query-frontend", () => {
    expect(pyroscopeEndpoints(policy)).to.deep.equal({
      writeURL: "http://payments-pyroscope-distributor.profiling.svc:4040",
      readURL: "http://payments-pyroscope-query-frontend.profiling.svc:4040",
    });
    expect(expectedWorkloads(policy).map((w) => `${w.kind}/${w.name}`)).to.deep.equal(
      table.map(([t, k]) => `${k}/payments-pyroscope-${t}`),
    );
  });
});

describe("Microservices v2 on GCS", () => {
  const { policy } = loadFixture("microservices-v2-gcs.yaml");
  const objects = renderPyroscope(policy, opts);
  const table: [string, string, number, number | undefined][] = [
    ["distributor", "Deployment", 2, undefined],
    ["segment-writer", "StatefulSet", 3, 600],
    ["metastore", "StatefulSet", 3, 1200],
    ["compaction-worker", "StatefulSet", 3, 1200],
    ["query-frontend", "Deployment", 2, undefined],
    ["query-backend", "Deployment", 3, undefined],
  ];
  const component = (target: string) => {
    const kind = table.find(([t]) => t === target)?.[1] ?? "Deployment";
    return find(objects, kind, `checkout-pyroscope-${target}`) as Workload;
  };

  it("runs exactly the v2 components", () => {
    expect(workloads(objects)).to.deep.equal(Object.fromEntries(table.map(([t, k]) => [t, k])));
  });

  for (const [target, , replicas, grace] of table) {
    it(`${target}: ${replicas} replicas, grace ${grace ?? "default"}, metastore and query-backend addresses`, () => {
      const w = component(target);
      const c = containerOf(w);
      expect(w.spec.replicas).to.equal(replicas);
      expect(arg(c, "-target")).to.equal(target);
      expect(arg(c, "-architecture.storage")).to.equal("v2");
      expect(arg(c, "-write-path")).to.equal(undefined);
      expect(podTemplateOf(w).spec?.terminationGracePeriodSeconds).to.equal(grace);
      expect(arg(c, "-metastore.address")).to.equal(
        "dnssrvnoa+_grpc._tcp.checkout-pyroscope-metastore-headless.pyroscope-checkout.svc.cluster.local.:9095",
      );
      expect(arg(c, "-query-backend.address")).to.equal(
        "dns:///checkout-pyroscope-query-backend-headless.pyroscope-checkout.svc.cluster.local.:9095",
      );
      find(objects, "PodDisruptionBudget", `checkout-pyroscope-${target}`);
    });
  }

  it("forms the metastore's raft group on 9099 from the headless Service's SRV records", () => {
    const c = containerOf(component("metastore"));
    const peers = "checkout-pyroscope-metastore-headless.pyroscope-checkout.svc.cluster.local.";
    expect(c.args).to.include.members([
      "-metastore.raft.bind-address=:9099",
      `-metastore.raft.server-id=$(POD_NAME).${peers}:9099`,
      `-metastore.raft.advertise-address=$(POD_NAME).${peers}:9099`,
      `-metastore.raft.bootstrap-peers=dnssrvnoa+_raft._tcp.${peers}:9099`,
      "-metastore.raft.bootstrap-expect-peers=3",
    ]);
    expect(c.env?.[0]).to.deep.equal({
      name: "POD_NAME",
      valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
    });
    expect(c.ports).to.deep.include({ name: "raft", containerPort: 9099, protocol: "TCP" });
    const headless = find(objects, "Service", "checkout-pyroscope-metastore-headless") as {
      spec: { publishNotReadyAddresses: boolean; ports: { name: string; port: number }[] };
    };
    expect(headless.spec.publishNotReadyAddresses).to.equal(true);
    expect(headless.spec.ports.map((p) => `${p.name}:${p.port}`)).to.deep.equal([
      "http:4040",
      "grpc:9095",
      "raft:9099",
    ]);
  });

  it("writes a GCS block and v2 retention into the shared config", () => {
    expect(configOf(objects, "checkout-pyroscope-config")).to.deep.equal({
      storage: { backend: "gcs", gcs: { bucket_name: "checkout-profiles" } },
      limits: { retention_period: "30d" },
      multitenancy_enabled: false,
    });
  });

  it("mounts the service-account key as a file for Google's default credentials", () => {
    const w = component("query-backend");
    const c = containerOf(w);
    expect(c.env).to.deep.equal([
      {
        name: "GOOGLE_APPLICATION_CREDENTIALS",
        value: "/etc/pyroscope-storage/service-account.json",
      },
    ]);
    expect(podTemplateOf(w).spec?.volumes).to.deep.include({
      name: "storage-credentials",
      secret: { secretName: "gcs-key", items: [{ key: "key.json", path: "service-account.json" }] },
    });
    expect(c.volumeMounts).to.deep.include({
      name: "storage-credentials",
      mountPath: "/etc/pyroscope-storage",
      readOnly: true,
    });
  });
});

// A `${VAR}` as Pyroscope's -config.expand-env reads it.
const ref = (name: string) => `\${${name}}`;

describe("Microservices: credentials expanded into config.yaml (azure, swift)", () => {
  const cases = [
    {
      backend: "azure",
      block: {
        container_name: "blocks",
        account_name: ref("AZURE_STORAGE_ACCOUNT"),
        account_key: ref("AZURE_STORAGE_KEY"),
      },
      env: ["AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY"],
    },
    {
      backend: "swift",
      block: {
        container_name: "blocks",
        username: ref("SWIFT_USERNAME"),
        password: ref("SWIFT_PASSWORD"),
      },
      env: ["SWIFT_USERNAME", "SWIFT_PASSWORD"],
    },
  ];
  for (const c of cases) {
    it(`${c.backend}: references env variables and turns on -config.expand-env`, () => {
      const { policy } = loadFixture("microservices-v2-gcs.yaml");
      const storage = policy.spec.pyroscope.microservices?.objectStorage;
      if (storage === undefined) throw new Error("fixture has no object storage");
      Object.assign(storage, {
        backend: c.backend,
        bucket: "blocks",
        credentialsSecretRef: { name: "store", idKey: "id", secretKey: "secret" },
      });
      const objects = renderPyroscope(policy, opts);
      const cm = find(objects, "ConfigMap", "checkout-pyroscope-config") as {
        data: Record<string, string>;
      };
      const text = cm.data["config.yaml"] ?? "";
      expect(text).to.include(`"\${${c.env[1]}}"`);
      expect(
        (parse(text) as { storage: Record<string, unknown> }).storage[c.backend],
      ).to.deep.equal(c.block);
      const container = containerOf(find(objects, "Deployment", "checkout-pyroscope-distributor"));
      expect(container.args).to.include("-config.expand-env=true");
      expect(container.env?.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name])).to.deep.equal(
        c.env.map((name) => [name, "store"]),
      );
    });
  }
});

// The schema refuses it; a policy that slipped past it must not get a bucket per pod.
describe("Microservices: never on a local directory", () => {
  it("refuses to render without object storage", () => {
    const { policy } = loadFixture("microservices-v1-s3.yaml");
    const microservices = policy.spec.pyroscope.microservices;
    if (microservices === undefined) throw new Error("fixture has no microservices");
    delete microservices.objectStorage;
    expect(() => renderPyroscope(policy, opts)).to.throw(
      /spec\.pyroscope\.microservices\.objectStorage/,
    );
  });
});
