// The operator against the real control plane: a policy deploys Pyroscope, labels the namespaces
// it selects, registers the webhook, and pods created through the API come back injected.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { eventually, kubeConfig, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import { createStaticVolume, deleteStaticVolume } from "../harness/scenarios.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const policyApi = { group: "fleetscope.io", version: "v1alpha1", plural: "profilingpolicies" };

const javaPod = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels: { "app.kubernetes.io/name": "checkout", ...labels } },
  spec: {
    containers: [
      {
        name: "app",
        image: "eclipse-temurin:21-jre",
        env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx256m" }],
        securityContext: {
          allowPrivilegeEscalation: false,
          runAsNonRoot: true,
          runAsUser: 1000,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        },
      },
    ],
  },
});

async function createPod(namespace: string, body: object): Promise<k8s.V1Pod> {
  // The ServiceAccount admission plugin refuses pods until the default ServiceAccount exists.
  return eventually(
    `pod in ${namespace}`,
    () => core.createNamespacedPod({ namespace, body }),
    30_000,
  );
}

const condition = (
  p: { status?: { conditions?: { type: string; status: string }[] } },
  type: string,
) => p.status?.conditions?.find((c) => c.type === type)?.status;

describe("operator", function () {
  this.timeout(240_000);
  const id = uniqueName("op");
  const pyroscopeNs = `${id}-pyroscope`;
  const shop = `${id}-shop`;
  const restricted = `${id}-restricted`;
  const elsewhere = `${id}-elsewhere`;
  const policyName = `${id}-policy`;
  const storageClass = `${id}-local`;
  let op: TestOperator;

  before(async () => {
    await installCRDs();
    op = await startTestOperator({
      FLEETSCOPE_NAMESPACE: `${id}-system`,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
      FLEETSCOPE_CLUSTER_NAME: "local",
    });
    const optIn = { "fleetscope.io/profiling": "enabled" };
    await core.createNamespace({ body: { metadata: { name: shop, labels: optIn } } });
    await core.createNamespace({
      body: {
        metadata: {
          name: restricted,
          labels: { ...optIn, "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
    });
    await core.createNamespace({ body: { metadata: { name: elsewhere } } });
    await createStaticVolume(storageClass);
  });

  after(async () => {
    await op?.operator.stop();
    for (const ns of [shop, restricted, elsewhere, pyroscopeNs, `${id}-system`]) {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
    await custom
      .deleteClusterCustomObject({ ...policyApi, name: policyName })
      .catch(() => undefined);
    await deleteStaticVolume(storageClass);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  it("deploys monolithic Pyroscope and reports PyroscopeReady with its pod Running on a kwok node", async () => {
    await custom.createClusterCustomObject({
      ...policyApi,
      body: {
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name: policyName },
        spec: {
          pyroscope: {
            namespace: pyroscopeNs,
            monolithic: { storage: { size: "10Gi", storageClassName: storageClass } },
          },
          agent: { labels: { team: "checkout" } },
        },
      },
    });
    const policy = await eventually(
      "the policy to be Ready",
      async () => {
        const p = (await custom.getClusterCustomObject({ ...policyApi, name: policyName })) as {
          status?: {
            conditions?: { type: string; status: string }[];
            pyroscope?: { writeURL?: string };
          };
        };
        return condition(p, "Ready") === "True" ? p : undefined;
      },
      120_000,
    );
    expect(condition(policy, "PyroscopeReady")).to.equal("True");
    expect(policy.status?.pyroscope?.writeURL).to.match(
      new RegExp(`\\.${pyroscopeNs}\\.svc:4040$`),
    );
    const sts = await apps.listNamespacedStatefulSet({ namespace: pyroscopeNs });
    expect(sts.items).to.have.length(1);
    const pods = await core.listNamespacedPod({ namespace: pyroscopeNs });
    expect(pods.items.map((p) => p.status?.phase)).to.deep.equal(["Running"]);
  });

  it("a storage change replaces the StatefulSet and keeps its running pod", async () => {
    const [before] = (await core.listNamespacedPod({ namespace: pyroscopeNs })).items;
    await custom.patchClusterCustomObject(
      {
        ...policyApi,
        name: policyName,
        body: { spec: { pyroscope: { monolithic: { storage: { size: "20Gi" } } } } },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await eventually("the new claim template", async () => {
      const [sts] = (await apps.listNamespacedStatefulSet({ namespace: pyroscopeNs })).items;
      const size = sts?.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage;
      return size === "20Gi" ? true : undefined;
    });
    const policy = (await custom.getClusterCustomObject({ ...policyApi, name: policyName })) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    expect(condition(policy, "Degraded")).to.not.equal("True");
    const after = await core.readNamespacedPod({
      namespace: pyroscopeNs,
      name: before!.metadata!.name!,
    });
    expect(after.metadata?.uid, "the pod was adopted, not recreated").to.equal(
      before!.metadata?.uid,
    );
  });

  it("labels exactly the namespaces the policy selects", async () => {
    await eventually("namespace labels", async () => {
      const label = async (name: string) =>
        (await core.readNamespace({ name })).metadata?.labels?.["fleetscope.io/injection"];
      const [a, b, c] = await Promise.all([label(shop), label(restricted), label(elsewhere)]);
      return a === "enabled" && b === "enabled" && c === undefined ? true : undefined;
    });
  });

  it("injects a Java pod created through the API, keeping the user's JAVA_TOOL_OPTIONS", async () => {
    const pod = await createPod(shop, javaPod("checkout-1"));
    const app = pod.spec?.containers[0];
    const jto = app?.env?.find((e) => e.name === "JAVA_TOOL_OPTIONS")?.value ?? "";
    expect(jto).to.match(/^-Xmx256m -javaagent:\/fleetscope\/agent\/pyroscope\.jar/);
    expect(jto).to.include(`-Dpyroscope.application.name=${shop}/checkout`);
    expect(pod.spec?.initContainers?.map((c) => c.name)).to.include("fleetscope-agent-init");
    expect(pod.metadata?.labels).to.include({
      "fleetscope.io/injected": "true",
      "fleetscope.io/policy": policyName,
    });
  });

  it("admits injected pods in a namespace enforcing the restricted Pod Security level", async () => {
    const pod = await createPod(restricted, javaPod("checkout-r"));
    expect(pod.metadata?.labels?.["fleetscope.io/injected"]).to.equal("true");
    const caps = pod.spec?.containers[0]?.securityContext?.capabilities?.add ?? [];
    expect(caps).to.not.include("SYS_PTRACE");
  });

  it("leaves pods elsewhere and opted-out pods untouched", async () => {
    const other = await createPod(elsewhere, javaPod("checkout-e"));
    const optedOut = await createPod(
      shop,
      javaPod("checkout-o", { "fleetscope.io/inject": "false" }),
    );
    for (const pod of [other, optedOut]) {
      expect(pod.spec?.initContainers ?? []).to.deep.equal([]);
      expect(pod.metadata?.labels?.["fleetscope.io/injected"]).to.equal(undefined);
    }
  });

  it("with the webhook stopped, pods are still admitted (failurePolicy Ignore)", async () => {
    await op.operator.stop();
    const pod = await createPod(shop, javaPod("checkout-down"));
    expect(pod.metadata?.labels?.["fleetscope.io/injected"]).to.equal(undefined);
  });
});
