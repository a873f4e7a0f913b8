// A mixed fleet under a Rolling policy on the real control plane: Java Deployments (one whose
// JAVA_TOOL_OPTIONS come from a ConfigMap), a Java 8 one whose options cannot be merged, nginx
// and an opted-out Java Deployment, all created before the policy. Only the workloads the
// webhook would inject are restarted, each exactly once; the others show the predicted reason
// in coverage and in `fleetscope why`. Every write of the operator is under its own manager.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { expect } from "chai";
import { eventually, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import {
  admin,
  createNamespace,
  createPolicy,
  deletePolicy,
  injectedPods,
  policyStatus,
  testPolicy,
} from "../harness/scenarios.ts";

const root = resolve(import.meta.dirname, "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `fleetscope why`'s output; it exits 1 for "not profiled", which is not an error here. */
async function why(namespace: string, target: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(root, "cli/fleetscope.ts"), "why", `${namespace}/deployment/${target}`],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath() } },
    );
    return stdout;
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (out) return out;
    throw err;
  }
}

const container = (image: string, env: V1Container["env"] = []): V1Container => ({
  name: "app",
  image,
  env,
});
const fromConfigMap = {
  name: "JAVA_TOOL_OPTIONS",
  valueFrom: { configMapKeyRef: { name: "jvm-options", key: "options" } },
};

/** name → template labels and containers; `restart` says whether the webhook would inject. */
const FLEET: Record<
  string,
  { restart: boolean; labels?: Record<string, string>; containers: V1Container[] }
> = {
  "java-a": { restart: true, containers: [container("eclipse-temurin:21-jre")] },
  "java-b": { restart: true, containers: [container("eclipse-temurin:21-jre")] },
  "jvm-configmap": {
    restart: true,
    containers: [container("eclipse-temurin:21-jre", [fromConfigMap])],
  },
  "java8-configmap": { restart: false, containers: [container("openjdk:8-jre", [fromConfigMap])] },
  nginx: { restart: false, containers: [container("nginx:1.27")] },
  "opted-out": {
    restart: false,
    labels: { "fleetscope.io/inject": "false" },
    containers: [container("eclipse-temurin:21-jre")],
  },
};
const PREDICTED: Record<string, string> = {
  "java8-configmap": "Java8OptionsUnmergeable",
  nginx: "NoTargetContainer",
  "opted-out": "OptedOut",
};

describe("rollout of a mixed fleet", function () {
  this.timeout(480_000);
  const id = uniqueName("mixed");
  const ns = `${id}-apps`;
  const policyName = `${id}-rolling`;
  let op: TestOperator;

  before(async () => {
    await installCRDs();
    await createNamespace(ns, { "fleetscope.io/test": ns });
    const { core, apps } = admin();
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "jvm-options" }, data: { options: "-Xmx256m" } },
    });
    for (const [name, d] of Object.entries(FLEET)) {
      await eventually(`deployment ${name}`, () =>
        apps.createNamespacedDeployment({
          namespace: ns,
          body: {
            metadata: { name },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: name } },
              template: {
                metadata: { labels: { app: name, ...d.labels } },
                spec: { containers: d.containers },
              },
            },
          },
        }),
      );
    }
    for (const name of Object.keys(FLEET)) {
      await eventually(
        `${name} available`,
        async () => {
          const dep = await apps.readNamespacedDeployment({ namespace: ns, name });
          return dep.status?.availableReplicas === 2 ? true : undefined;
        },
        180_000,
      );
    }
    op = await startTestOperator({
      FLEETSCOPE_NAMESPACE: `${id}-system`,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
    });
  });

  after(async () => {
    await op?.operator.stop();
    await deletePolicy(policyName);
    for (const name of [ns, `${id}-system`])
      await admin()
        .core.deleteNamespace({ name })
        .catch(() => undefined);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  });

  it("restarts only what the webhook would inject, each once, and says why not the rest", async () => {
    const { apps } = admin();
    await createPolicy(
      testPolicy(policyName, ns, {
        pyroscope: { mode: "External", external: { url: "http://pyroscope.example:4040" } },
        rollout: { strategy: "Rolling", maxConcurrent: 2, healthTimeout: "2m" },
      }),
    );

    // Every restart stamp each Deployment carried while the rollout ran.
    const stamps = new Map<string, Set<string>>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const list = await apps.listNamespacedDeployment({ namespace: ns }).catch(() => undefined);
        for (const d of list?.items ?? []) {
          const s = stamps.get(d.metadata!.name!) ?? new Set<string>();
          const stamp = d.spec?.template.metadata?.annotations?.["fleetscope.io/restartedAt"];
          if (stamp) s.add(stamp);
          stamps.set(d.metadata!.name!, s);
        }
        await sleep(500);
      }
    })();

    const status = await eventually(
      "the rollout to complete",
      async () => {
        const s = await policyStatus(policyName);
        return s?.rollout?.phase === "Complete" && s.coverage?.pods.injected === 6 ? s : undefined;
      },
      240_000,
    );
    // Long enough for a wrongly planned second wave to show up.
    await sleep(5_000);
    sampling = false;
    await sampler;

    expect(status.rollout).to.include({ done: 3, total: 3 });
    expect(status.coverage?.pods).to.include({ eligible: 12, injected: 6, skipped: 6 });
    expect(status.coverage?.skippedReasons).to.deep.equal({
      Java8OptionsUnmergeable: 2,
      NoTargetContainer: 2,
      OptedOut: 2,
    });
    for (const [name, d] of Object.entries(FLEET)) {
      const dep: V1Deployment = await apps.readNamespacedDeployment({ namespace: ns, name });
      // One restart is one new template: ReplicaSet revision 2, and one stamp ever seen.
      expect(
        dep.metadata?.annotations?.["deployment.kubernetes.io/revision"],
        `${name} revision`,
      ).to.equal(d.restart ? "2" : "1");
      expect(stamps.get(name)?.size ?? 0, `${name} restarts`).to.equal(d.restart ? 1 : 0);
      if (d.restart) expect(await injectedPods(ns, name), name).to.equal(2);
    }

    // The restart is written under the operator's own field manager, never "undici".
    const restarted = await apps.readNamespacedDeployment({ namespace: ns, name: "java-a" });
    const managers = (restarted.metadata?.managedFields ?? []).map((f) => f.manager);
    expect(managers).to.include("fleetscope-rollout");
    expect(managers).to.not.include("undici");
    const nsObj = await admin().core.readNamespace({ name: ns });
    expect((nsObj.metadata?.managedFields ?? []).map((f) => f.manager)).to.not.include("undici");

    for (const [name, reason] of Object.entries(PREDICTED)) {
      const out = await why(ns, name);
      expect(out, name).to.include(`Deployment ${ns}/${name}: not profiled`);
      expect(out, name).to.include(`reason:  ${reason} (2 pods)`);
      if (name !== "opted-out")
        expect(out, name).to.include("its pod template would not be injected");
      expect(out, name).to.include("not restarted by the rollout");
    }
    expect(await why(ns, "jvm-configmap")).to.include(`Deployment ${ns}/jvm-configmap: profiled`);
  });
});
