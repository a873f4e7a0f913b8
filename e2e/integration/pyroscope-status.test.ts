// Why Pyroscope is not ready, on the real control plane: monolithic Pyroscope whose claim names
// no StorageClass, on a cluster without a default one (the local control plane has none), so
// the scheduler cannot place its pod. PyroscopeReady says so, with the scheduler's words and the
// claim's reason, an Event carries the same text, and the rendered objects are the operator's
// under its own field manager.
import { expect } from "chai";
import { eventually, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import {
  admin,
  createPolicy,
  deletePolicy,
  policyApi,
  policyStatus,
  testPolicy,
} from "../harness/scenarios.ts";

interface EventList {
  items: { reason?: string; note?: string; regarding?: { kind?: string; name?: string } }[];
}

describe("Pyroscope status names the blocking cause", function () {
  this.timeout(180_000);
  const id = uniqueName("pyrostat");
  const opNamespace = `${id}-system`;
  const pyroscopeNs = `${id}-pyro`;
  const policyName = `${id}-unbound`;
  let op: TestOperator;

  before(async () => {
    await installCRDs();
    op = await startTestOperator({
      FLEETSCOPE_NAMESPACE: opNamespace,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
    });
  });

  after(async () => {
    await op?.operator.stop();
    await deletePolicy(policyName);
    for (const name of [pyroscopeNs, opNamespace])
      await admin()
        .core.deleteNamespace({ name })
        .catch(() => undefined);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  it("an unbound claim: the pod cannot be scheduled, and why the claim is unbound", async () => {
    const classes = JSON.parse(await kubectl(["get", "storageclass", "-o", "json"])) as {
      items: { metadata: { annotations?: Record<string, string> } }[];
    };
    const hasDefault = classes.items.some(
      (c) => c.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
    );
    await createPolicy(
      testPolicy(policyName, id, {
        pyroscope: { namespace: pyroscopeNs, monolithic: { storage: { size: "1Gi" } } },
      }),
    );
    const condition = await eventually(
      "PyroscopeReady with a blocking cause",
      async () => {
        const c = (await policyStatus(policyName))?.conditions?.find(
          (x) => x.type === "PyroscopeReady",
        );
        return c?.reason === "ComponentBlocked" && /PersistentVolumeClaim/.test(c.message ?? "")
          ? c
          : undefined;
      },
      120_000,
    );
    expect(condition.status).to.equal("False");
    expect(condition.message).to.match(/^all \(StatefulSet \S+, 0\/1 ready\): pod \S+-0 /);
    expect(condition.message).to.include("cannot be scheduled:");
    expect(condition.message).to.include("unbound immediate PersistentVolumeClaims");
    expect(condition.message).to.match(/PersistentVolumeClaim \S+ is Pending/);
    if (!hasDefault)
      expect(condition.message).to.include(
        "it names no StorageClass and the cluster has no default StorageClass",
      );

    // The Event on the policy (Events of cluster-scoped objects live in "default") says the same.
    const events = await eventually("the PyroscopeNotReady Event", async () => {
      const list = JSON.parse(
        await kubectl(["get", "events.events.k8s.io", "-n", "default", "-o", "json"]),
      ) as EventList;
      const mine = list.items.filter(
        (e) => e.reason === "PyroscopeNotReady" && e.regarding?.name === policyName,
      );
      return mine.some((e) => e.note === condition.message) ? mine : undefined;
    });
    expect(events.length).to.be.greaterThan(0);

    // The rendered StatefulSet is applied by "fleetscope"; nothing of ours writes as "undici".
    const sts = (await admin().apps.listNamespacedStatefulSet({ namespace: pyroscopeNs })).items;
    expect(sts).to.have.length(1);
    const managers = (sts[0]!.metadata?.managedFields ?? []).map(
      (f) => `${f.manager}/${f.operation}`,
    );
    expect(managers).to.include("fleetscope/Apply");
    expect(managers.some((m) => m.startsWith("undici/"))).to.equal(false);
    const policy = (await admin().custom.getClusterCustomObject({
      ...policyApi,
      name: policyName,
    })) as { metadata: { managedFields?: { manager?: string }[] } };
    expect(policy.metadata.managedFields?.map((f) => f.manager)).to.not.include("undici");
  });
});
