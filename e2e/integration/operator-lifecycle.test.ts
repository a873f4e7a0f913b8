// The operator's life cycle on the real control plane: microservices v1 and v2 come up, a change
// scales a component, deletion leaves nothing behind, a restarted operator converges without
// duplicates, and of two replicas only the leader reconciles.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { formatErrors, parsePolicy } from "../../core/api/v1alpha1/validate.ts";
import { renderPyroscope } from "../../operator/render/pyroscope/render.ts";
import { eventually, kubeConfig, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const policyApi = { group: "fleetscope.io", version: "v1alpha1", plural: "profilingpolicies" };
type Policy = {
  status?: {
    conditions?: { type: string; status: string }[];
    pyroscope?: { readyComponents?: string };
  };
};

const getPolicy = (name: string) =>
  custom.getClusterCustomObject({ ...policyApi, name }) as Promise<Policy>;
const isTrue = (p: Policy, type: string) =>
  p.status?.conditions?.find((c) => c.type === type)?.status === "True";

async function waitReady(name: string, timeoutMs = 120_000): Promise<Policy> {
  return eventually(
    `${name} PyroscopeReady`,
    async () => {
      const p = await getPolicy(name);
      return isTrue(p, "PyroscopeReady") ? p : undefined;
    },
    timeoutMs,
  );
}

/** Every object the operator created for a policy, as kind/name, from the ownership label. */
async function owned(namespace: string, policy: string): Promise<string[]> {
  const out = await kubectl([
    "get",
    "deployments,statefulsets,services,configmaps,serviceaccounts,poddisruptionbudgets",
    "-n",
    namespace,
    "-l",
    `fleetscope.io/policy=${policy}`,
    "-o",
    "name",
  ]);
  return out.split("\n").filter(Boolean).sort();
}

const microservices = (
  name: string,
  namespace: string,
  architecture: "v1" | "v2",
  replicas = 1,
) => ({
  apiVersion: "fleetscope.io/v1alpha1",
  kind: "ProfilingPolicy",
  metadata: { name },
  spec: {
    // Selects no namespace: these tests are about the Pyroscope the policy deploys.
    selector: { namespaceSelector: { matchLabels: { "fleetscope.io/test": name } } },
    pyroscope: {
      mode: "Microservices",
      namespace,
      microservices: {
        architecture,
        components: Object.fromEntries(
          (architecture === "v1"
            ? [
                "distributor",
                "ingester",
                "querier",
                "queryFrontend",
                "queryScheduler",
                "storeGateway",
                "compactor",
              ]
            : [
                "distributor",
                "segmentWriter",
                "metastore",
                "compactionWorker",
                "queryFrontend",
                "queryBackend",
              ]
          ).map((c) => [c, { replicas }]),
        ),
        objectStorage: {
          backend: "s3",
          bucket: "blocks",
          endpoint: "minio.storage.svc:9000",
          insecure: true,
          credentialsSecretRef: { name: "pyroscope-s3" },
        },
      },
    },
  },
});

describe("operator life cycle", function () {
  this.timeout(300_000);
  const id = uniqueName("life");
  const system = `${id}-system`;
  let op: TestOperator | undefined;
  const created: string[] = [];
  const start = () =>
    startTestOperator({ FLEETSCOPE_NAMESPACE: system, FLEETSCOPE_WEBHOOK_CONFIG: id });

  before(async () => {
    await installCRDs();
    op = await start();
  });

  after(async () => {
    await op?.operator.stop();
    for (const name of created) {
      await custom.deleteClusterCustomObject({ ...policyApi, name }).catch(() => undefined);
    }
    for (const ns of [system, `${id}-v1`, `${id}-v2`, `${id}-mid`]) {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  for (const arch of ["v1", "v2"] as const) {
    it(`microservices ${arch}: every component reaches ready replicas on kwok nodes`, async () => {
      const name = `${id}-${arch}`;
      created.push(name);
      await custom.createClusterCustomObject({
        ...policyApi,
        body: microservices(name, name, arch),
      });
      const p = await waitReady(name);
      const expected = arch === "v1" ? 7 : 6;
      expect(p.status?.pyroscope?.readyComponents).to.equal(`${expected}/${expected}`);
      const [deployments, statefulsets] = await Promise.all([
        apps.listNamespacedDeployment({ namespace: name }),
        apps.listNamespacedStatefulSet({ namespace: name }),
      ]);
      expect(deployments.items.length + statefulsets.items.length).to.equal(expected);
    });
  }

  it("a change to the policy scales its component", async () => {
    const name = `${id}-v1`;
    await custom.patchClusterCustomObject(
      {
        ...policyApi,
        name,
        body: {
          spec: { pyroscope: { microservices: { components: { querier: { replicas: 3 } } } } },
        },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await eventually("querier scaled to 3 ready replicas", async () => {
      const list = await apps.listNamespacedDeployment({ namespace: name });
      const querier = list.items.find((d) => d.metadata?.name?.endsWith("-querier"));
      return querier?.spec?.replicas === 3 && querier.status?.readyReplicas === 3
        ? true
        : undefined;
    });
  });

  it("an operator stopped mid-reconcile is replaced by one that converges, without duplicates", async () => {
    const name = `${id}-mid`;
    created.push(name);
    await custom.createClusterCustomObject({ ...policyApi, body: microservices(name, name, "v2") });
    await eventually("the first objects", async () =>
      (await owned(name, name)).length > 0 ? true : undefined,
    );
    await op!.operator.stop();
    op = await start();
    await waitReady(name);
    const parsed = parsePolicy(await getPolicy(name));
    if (!parsed.ok) throw new Error(formatErrors(parsed.errors));
    const expected = renderPyroscope(parsed.policy, { operatorNamespace: system })
      .map((o) => {
        const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
        return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
      })
      .sort();
    expect(await owned(name, name)).to.deep.equal(expected);
  });

  it("deleting a policy leaves nothing of it behind", async () => {
    const name = `${id}-v2`;
    expect(await owned(name, name)).to.not.be.empty;
    await custom.deleteClusterCustomObject({ ...policyApi, name });
    await eventually("garbage collection of the policy's objects", async () =>
      (await owned(name, name)).length === 0 ? true : undefined,
    );
    await eventually("its pods gone", async () => {
      const left = await core.listNamespacedPod({ namespace: name });
      return left.items.length === 0 ? true : undefined;
    });
  });

  it("of two replicas only the leader reconciles; the other takes over when it stops", async () => {
    const second = await start();
    try {
      const leaders = [op!.operator.isLeader(), second.operator.isLeader()];
      expect(leaders).to.deep.equal([true, false]);
      const name = `${id}-lead`;
      created.push(name);
      await custom.createClusterCustomObject({
        ...policyApi,
        body: {
          apiVersion: "fleetscope.io/v1alpha1",
          kind: "ProfilingPolicy",
          metadata: { name },
          spec: {
            selector: { namespaceSelector: { matchLabels: { "fleetscope.io/test": name } } },
            pyroscope: { mode: "External", external: { url: "https://pyroscope.example.com" } },
          },
        },
      });
      await waitReady(name);
      const followerReconciles = await second.operator.registry.getSingleMetricAsString(
        "fleetscope_reconciles_total",
      );
      expect(followerReconciles).to.not.match(/result="\w+"\} [1-9]/);
      await op!.operator.stop();
      await eventually(
        "the second replica to lead",
        async () => (second.operator.isLeader() ? true : undefined),
        30_000,
      );
    } finally {
      await op?.operator.stop().catch(() => undefined);
      op = second;
    }
  });
});
