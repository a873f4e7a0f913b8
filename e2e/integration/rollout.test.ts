// Coverage and rollout against the real control plane: pods that predate a policy show up as
// pending, a Rolling policy restarts their workloads one at a time until every pod carries the
// agent, and a restart that cannot become available halts the rollout and is rolled back.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { eventually, kubeConfig, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import { injectedPods, javaDeployment, policyApi, policyStatus } from "../harness/scenarios.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

const policy = (name: string, selector: string, rollout: object) => ({
  apiVersion: "fleetscope.io/v1alpha1",
  kind: "ProfilingPolicy",
  metadata: { name },
  spec: {
    selector: { namespaceSelector: { matchLabels: { "fleetscope.io/test": selector } } },
    pyroscope: { mode: "External", external: { url: "http://pyroscope.example:4040" } },
    rollout,
  },
});

describe("coverage and rollout", function () {
  this.timeout(240_000);
  const id = uniqueName("roll");
  let op: TestOperator;
  const namespaces: string[] = [];
  const policies: string[] = [];

  async function namespaceWith(suffix: string, deployments: string[]): Promise<string> {
    const ns = `${id}-${suffix}`;
    namespaces.push(ns);
    await core.createNamespace({
      body: { metadata: { name: ns, labels: { "fleetscope.io/test": ns } } },
    });
    for (const d of deployments) {
      await eventually("deployment created", () =>
        apps.createNamespacedDeployment({ namespace: ns, body: javaDeployment(d) }),
      );
    }
    for (const d of deployments) {
      await eventually(`${d} available`, async () => {
        const dep = await apps.readNamespacedDeployment({ namespace: ns, name: d });
        return dep.status?.availableReplicas === 2 ? true : undefined;
      });
    }
    return ns;
  }

  before(async () => {
    await installCRDs();
    op = await startTestOperator({
      FLEETSCOPE_NAMESPACE: `${id}-system`,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
    });
  });

  after(async () => {
    await op?.operator.stop();
    for (const name of policies)
      await custom.deleteClusterCustomObject({ ...policyApi, name }).catch(() => undefined);
    for (const ns of [...namespaces, `${id}-system`])
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  it("OnRestart: pods that predate the policy are counted as skipped and nothing is restarted", async () => {
    const ns = await namespaceWith("onrestart", ["orders"]);
    const name = `${id}-onrestart`;
    policies.push(name);
    await custom.createClusterCustomObject({
      ...policyApi,
      body: policy(name, ns, { strategy: "OnRestart" }),
    });
    const s = await eventually("coverage", async () => {
      const st = await policyStatus(name);
      return st?.coverage?.pods.eligible === 2 ? st : undefined;
    });
    expect(s.coverage?.pods).to.include({ injected: 0, skipped: 2 });
    expect(s.coverage?.skippedReasons).to.deep.equal({ PredatesPolicy: 2 });
    expect(s.coverage?.summary).to.match(/^0\/2/);
    const dep = await apps.readNamespacedDeployment({ namespace: ns, name: "orders" });
    expect(dep.spec?.template.metadata?.annotations?.["fleetscope.io/restartedAt"]).to.equal(
      undefined,
    );
  });

  it("Rolling: restarts each workload once, one at a time, until every pod carries the agent", async () => {
    const ns = await namespaceWith("rolling", ["billing", "catalog", "payments"]);
    const name = `${id}-rolling`;
    policies.push(name);
    await custom.createClusterCustomObject({
      ...policyApi,
      body: policy(name, ns, { strategy: "Rolling", maxConcurrent: 1, healthTimeout: "2m" }),
    });
    const s = await eventually(
      "the rollout to complete",
      async () => {
        const st = await policyStatus(name);
        return st?.rollout?.phase === "Complete" && st.coverage?.pods.injected === 6
          ? st
          : undefined;
      },
      180_000,
    );
    expect(s.rollout).to.include({ done: 3, total: 3 });
    expect(s.conditions?.find((c) => c.type === "RolloutComplete")?.status).to.equal("True");
    for (const d of ["billing", "catalog", "payments"]) {
      expect(await injectedPods(ns, d), d).to.equal(2);
      const dep = await apps.readNamespacedDeployment({ namespace: ns, name: d });
      expect(dep.metadata?.annotations?.["fleetscope.io/rollout"]).to.equal(
        `${name}/${s.revision}`,
      );
    }
    // Restarted one at a time: the restart stamps are strictly ordered by name.
    const stamps = await Promise.all(
      ["billing", "catalog", "payments"].map(async (d) =>
        Date.parse(
          (await apps.readNamespacedDeployment({ namespace: ns, name: d })).spec?.template.metadata
            ?.annotations?.["fleetscope.io/restartedAt"] ?? "",
        ),
      ),
    );
    expect(stamps).to.deep.equal([...stamps].sort((a, b) => a - b));
  });

  it("a restart that cannot become available halts the rollout and rolls that workload back", async () => {
    const ns = await namespaceWith("halt", ["stuck"]);
    // A quota of exactly the running pods: the rolling update's surge pod is never admitted.
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: "pods" }, spec: { hard: { pods: "2" } } },
    });
    const name = `${id}-halt`;
    policies.push(name);
    await custom.createClusterCustomObject({
      ...policyApi,
      body: policy(name, ns, { strategy: "Rolling", healthTimeout: "5s", rollbackOnFailure: true }),
    });
    const s = await eventually(
      "the rollout to halt",
      async () => {
        const st = await policyStatus(name);
        return st?.rollout?.phase === "Halted" ? st : undefined;
      },
      120_000,
    );
    expect(s.rollout?.halted?.workload).to.match(/stuck/);
    const rc = s.conditions?.find((c) => c.type === "RolloutComplete");
    expect([rc?.status, rc?.reason]).to.deep.equal(["False", "Halted"]);
    const dep = await apps.readNamespacedDeployment({ namespace: ns, name: "stuck" });
    expect(dep.spec?.template.metadata?.labels?.["fleetscope.io/inject"]).to.equal("false");
  });
});
