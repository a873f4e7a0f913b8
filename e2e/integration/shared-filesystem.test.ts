// Microservices on a shared filesystem against the real control plane: a hostPath-backed
// ReadWriteMany PersistentVolume and its claim, a policy per storage architecture whose every
// component becomes Ready (kwok nodes) mounting that one claim, and PyroscopeReady naming a
// claim that is not ReadWriteMany.
import { expect } from "chai";
import { eventually, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import {
  admin,
  createNamespace,
  createPolicy,
  createStaticVolume,
  deletePolicy,
  deleteStaticVolume,
  type PolicyStatus,
  testPolicy,
  waitForPolicy,
} from "../harness/scenarios.ts";

const PYROSCOPE_READY = "PyroscopeReady";
const pyroscopeReady = (s: PolicyStatus) => s.conditions?.find((c) => c.type === PYROSCOPE_READY);

type AccessMode = "ReadWriteMany" | "ReadWriteOnce";

/** A claim of the storage class `volume`, so it binds only to that static volume. */
async function createClaim(
  namespace: string,
  name: string,
  volume: string,
  accessMode: AccessMode,
): Promise<void> {
  await admin().core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name },
      spec: {
        storageClassName: volume,
        accessModes: [accessMode],
        resources: { requests: { storage: "1Gi" } },
      },
    },
  });
}

/** Selects no namespace (its own name as the test label): only Pyroscope is under test. */
function sharedPolicy(name: string, namespace: string, architecture: "v1" | "v2", claim: string) {
  return testPolicy(name, name, {
    pyroscope: {
      mode: "Microservices",
      namespace,
      microservices: {
        architecture,
        objectStorage: {
          backend: "filesystem",
          filesystem: { persistentVolumeClaim: { claimName: claim }, subPath: "blocks" },
        },
      },
    },
  });
}

describe("Microservices on a shared ReadWriteMany claim", function () {
  this.timeout(300_000);
  const id = uniqueName("shfs");
  const volumes: string[] = [];
  const namespaces: string[] = [];
  const policies: string[] = [];
  let op: TestOperator;

  before(async () => {
    await installCRDs();
    op = await startTestOperator({
      FLEETSCOPE_NAMESPACE: `${id}-system`,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
      FLEETSCOPE_CLUSTER_NAME: "local",
    });
  });

  after(async () => {
    await op?.operator.stop();
    const { core } = admin();
    for (const p of policies) await deletePolicy(p);
    for (const ns of [...namespaces, `${id}-system`]) {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
    for (const v of volumes) await deleteStaticVolume(v);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  async function deploy(architecture: "v1" | "v2", accessMode: AccessMode) {
    const name = `${id}-${architecture}-${accessMode === "ReadWriteMany" ? "rwx" : "rwo"}`;
    await createNamespace(name);
    namespaces.push(name);
    volumes.push(name);
    await createStaticVolume(name, { accessMode });
    await createClaim(name, name, name, accessMode);
    await eventually(`claim ${name} bound`, async () => {
      const c = await admin().core.readNamespacedPersistentVolumeClaim({ namespace: name, name });
      return c.status?.phase === "Bound" ? true : undefined;
    });
    policies.push(name);
    await createPolicy(sharedPolicy(name, name, architecture, name));
    return name;
  }

  for (const architecture of ["v1", "v2"] as const) {
    it(`${architecture}: every component is Ready and mounts the one claim at /shared`, async () => {
      const name = await deploy(architecture, "ReadWriteMany");
      const status = await waitForPolicy(
        name,
        "PyroscopeReady",
        (s) => pyroscopeReady(s)?.status === "True",
        180_000,
      );
      expect(pyroscopeReady(status)?.reason).to.equal("ComponentsReady");

      const { core, apps } = admin();
      const [sts, deps] = await Promise.all([
        apps.listNamespacedStatefulSet({ namespace: name }),
        apps.listNamespacedDeployment({ namespace: name }),
      ]);
      const workloads = [...sts.items, ...deps.items];
      const expected = architecture === "v1" ? 7 : 6;
      expect(workloads).to.have.length(expected);
      const replicas = workloads.reduce((n, w) => n + (w.spec?.replicas ?? 0), 0);
      const ready = workloads.reduce((n, w) => n + (w.status?.readyReplicas ?? 0), 0);
      expect(ready).to.equal(replicas);

      const pods = (await core.listNamespacedPod({ namespace: name })).items.filter(
        (p) => !p.metadata?.deletionTimestamp,
      );
      expect(pods).to.have.length(replicas);
      const components = new Set<string>();
      for (const pod of pods) {
        const podName = pod.metadata?.name;
        const claims = (pod.spec?.volumes ?? [])
          .map((v) => v.persistentVolumeClaim?.claimName)
          .filter((c) => c !== undefined);
        expect(claims, podName).to.deep.equal([name]);
        const shared = pod.spec?.volumes?.find((v) => v.persistentVolumeClaim?.claimName === name);
        const mounts = pod.spec?.containers[0]?.volumeMounts?.filter(
          (m) => m.name === shared?.name,
        );
        expect(mounts, podName).to.deep.equal([{ name: shared?.name, mountPath: "/shared" }]);
        expect(pod.spec?.securityContext?.fsGroup, podName).to.equal(10001);
        const isReady = pod.status?.conditions?.find((c) => c.type === "Ready")?.status;
        expect(isReady, podName).to.equal("True");
        components.add(pod.metadata?.labels?.["app.kubernetes.io/component"] ?? "");
      }
      expect(components.size).to.equal(expected);

      const config = await core.readNamespacedConfigMap({
        namespace: name,
        name: `${name}-pyroscope-config`,
      });
      expect(config.data?.["config.yaml"]).to.include("dir: /shared/blocks");
    });
  }

  it("names a claim that is not ReadWriteMany in PyroscopeReady, though every pod runs", async () => {
    const name = await deploy("v2", "ReadWriteOnce");
    const status = await waitForPolicy(
      name,
      "PyroscopeReady to name the claim",
      (s) => pyroscopeReady(s)?.reason === "SharedClaimNotReady",
      180_000,
    );
    expect(pyroscopeReady(status)?.status).to.equal("False");
    expect(pyroscopeReady(status)?.message).to.include(
      `shared claim ${name}/${name} is bound to a volume with ReadWriteOnce, not ReadWriteMany`,
    );
    expect(status.conditions?.find((c) => c.type === "Ready")?.status).to.equal("False");
  });

  it("names a claim that does not exist, and clears it once the claim is there", async () => {
    const name = `${id}-missing`;
    await createNamespace(name);
    namespaces.push(name);
    policies.push(name);
    await createPolicy(sharedPolicy(name, name, "v2", "pyroscope-shared"));
    await waitForPolicy(name, "PyroscopeReady to name the missing claim", (s) =>
      (pyroscopeReady(s)?.message ?? "").includes(
        `shared claim ${name}/pyroscope-shared does not exist`,
      ),
    );
    const volume = `${name}-pv`;
    volumes.push(volume);
    await createStaticVolume(volume, { accessMode: "ReadWriteMany" });
    await createClaim(name, "pyroscope-shared", volume, "ReadWriteMany");
    await waitForPolicy(
      name,
      "PyroscopeReady once the claim is bound",
      (s) => pyroscopeReady(s)?.status === "True",
      180_000,
    );
  });
});
