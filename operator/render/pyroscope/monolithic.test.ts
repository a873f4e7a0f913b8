// Mode Monolithic, from the quickstart and a policy with a tenant, storage and resources.
import { expect } from "chai";
import { parse } from "yaml";
import { expectedWorkloads, renderPyroscope } from "./render.ts";
import { containerOf, find, kindsAndNames, loadFixture, podTemplateOf } from "./testing.ts";
import { pyroscopeEndpoints } from "./urls.ts";

const opts = { operatorNamespace: "fleetscope" };

describe("Monolithic: quickstart", () => {
  const { policy } = loadFixture("quickstart-monolithic.yaml");
  const objects = renderPyroscope(policy, opts);

  it("renders a ServiceAccount, a ConfigMap, two Services and a StatefulSet", () => {
    expect(kindsAndNames(objects)).to.deep.equal([
      "ServiceAccount/pyroscope/java-fleet-pyroscope",
      "ConfigMap/pyroscope/java-fleet-pyroscope-config",
      "Service/pyroscope/java-fleet-pyroscope",
      "Service/pyroscope/java-fleet-pyroscope-headless",
      "StatefulSet/pyroscope/java-fleet-pyroscope",
    ]);
  });

  const sts = find(objects, "StatefulSet", "java-fleet-pyroscope") as {
    spec: {
      replicas: number;
      serviceName: string;
      volumeClaimTemplates: { metadata: { name: string }; spec: Record<string, unknown> }[];
    };
  } & Parameters<typeof containerOf>[0];
  const container = containerOf(sts);
  const pod = podTemplateOf(sts).spec;

  it("runs every component in one replica with the v1 architecture", () => {
    expect(sts.spec.replicas).to.equal(1);
    expect(sts.spec.serviceName).to.equal("java-fleet-pyroscope-headless");
    expect(container.args).to.include.members([
      "-target=all",
      "-config.file=/etc/pyroscope/config.yaml",
      "-architecture.storage=v1",
      "-write-path=ingester",
    ]);
    expect(container.image).to.equal("grafana/pyroscope:2.2.1");
  });

  it("keeps /data on a 10Gi claim of the default StorageClass", () => {
    const [claim] = sts.spec.volumeClaimTemplates;
    expect(claim?.metadata.name).to.equal("data");
    expect(claim?.spec).to.deep.equal({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "10Gi" } },
    });
    expect(container.volumeMounts).to.deep.include({ name: "data", mountPath: "/data" });
  });

  it("is ready when GET /ready on 4040 answers", () => {
    expect(container.readinessProbe?.httpGet).to.deep.equal({
      path: "/ready",
      port: "http",
      scheme: "HTTP",
    });
    expect(container.ports).to.deep.include({ name: "http", containerPort: 4040, protocol: "TCP" });
  });

  it("runs as uid/gid 10001, hardened, on a read-only root with /tmp writable", () => {
    expect(pod?.securityContext).to.include({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
    });
    expect(container.securityContext).to.deep.equal({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.volumeMounts).to.deep.include({ name: "tmp", mountPath: "/tmp" });
    expect(pod?.automountServiceAccountToken).to.equal(false);
    expect(find(objects, "ServiceAccount", "java-fleet-pyroscope")).to.include({
      automountServiceAccountToken: false,
    });
  });

  it("serves HTTP on 4040 and gRPC on 9095, plus a headless Service", () => {
    const svc = find(objects, "Service", "java-fleet-pyroscope") as { spec: { ports: unknown[] } };
    expect(svc.spec.ports).to.deep.equal([
      { name: "http", port: 4040, targetPort: "http", protocol: "TCP" },
      { name: "grpc", port: 9095, targetPort: "grpc", protocol: "TCP" },
    ]);
    const headless = find(objects, "Service", "java-fleet-pyroscope-headless") as {
      spec: { clusterIP: string };
    };
    expect(headless.spec.clusterIP).to.equal("None");
  });

  it("configures a filesystem bucket under /data, 7 days retention, single tenant", () => {
    const cm = find(objects, "ConfigMap", "java-fleet-pyroscope-config") as {
      data: Record<string, string>;
    };
    expect(parse(cm.data["config.yaml"] ?? "")).to.deep.equal({
      storage: { backend: "filesystem", filesystem: { dir: "/data/shared" } },
      limits: { compactor_blocks_retention_period: "7d" },
      multitenancy_enabled: false,
    });
  });

  it("is written to and read from its Service", () => {
    expect(pyroscopeEndpoints(policy)).to.deep.equal({
      writeURL: "http://java-fleet-pyroscope.pyroscope.svc:4040",
      readURL: "http://java-fleet-pyroscope.pyroscope.svc:4040",
    });
    expect(expectedWorkloads(policy)).to.deep.equal([
      {
        kind: "StatefulSet",
        name: "java-fleet-pyroscope",
        namespace: "pyroscope",
        component: "all",
      },
    ]);
  });
});

describe("Monolithic: tenant, storage class and resources", () => {
  const { policy } = loadFixture("grafana-tenant.yaml");
  const objects = renderPyroscope(policy, opts);
  const sts = find(objects, "StatefulSet", "team-a-pyroscope") as Parameters<
    typeof containerOf
  >[0] & {
    spec: { volumeClaimTemplates: { spec: Record<string, unknown> }[] };
  };

  it("claims the requested size from the requested StorageClass", () => {
    expect(sts.spec.volumeClaimTemplates[0]?.spec).to.deep.equal({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "50Gi" } },
      storageClassName: "fast-ssd",
    });
  });

  it("gives the container the policy's resources", () => {
    expect(containerOf(sts).resources).to.deep.equal({ requests: { cpu: "500m", memory: "1Gi" } });
  });

  it("turns multi-tenancy on", () => {
    const cm = find(objects, "ConfigMap", "team-a-pyroscope-config") as {
      data: Record<string, string>;
    };
    expect(parse(cm.data["config.yaml"] ?? "").multitenancy_enabled).to.equal(true);
  });
});
