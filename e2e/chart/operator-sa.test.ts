// The chart's RBAC, proven by running the real operator with it: the chart is installed, the
// operator runs in this process with a token of the chart's ServiceAccount (TokenRequest) and
// the environment the chart's Deployment sets, and does its whole job on the local control
// plane — Pyroscope deployed and Ready, namespaces labelled, a pod injected, a pre-existing
// Deployment restarted by a Rolling rollout — without a single 403. Then policies are deleted
// (labels go) and `helm uninstall` garbage-collects the webhook configuration and certificate
// Secret through their owner, the chart's ClusterRole.
//
// Only the webhook's address differs from a pod: the API server reaches this process on
// 127.0.0.1 (FLEETSCOPE_WEBHOOK_URL), as the chart's Service cannot route to kwok pods.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { eventually, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { serviceAccountKubeConfig } from "../harness/credentials.ts";
import { recordingLogger, startTestOperator, type TestOperator } from "../harness/operator.ts";
import {
  admin,
  condition,
  createAvailableDeployment,
  createNamespace,
  createPod,
  createPolicy,
  createStaticVolume,
  deletePolicy,
  deleteStaticVolume,
  INJECTION_LABEL,
  injectedPods,
  injectionLabel,
  javaPod,
  monolithicPolicy,
  waitForPolicy,
} from "../harness/scenarios.ts";
import { chartDir, helm, helmOk, parseManifests } from "./helm.ts";

interface EnvVar {
  name: string;
  value?: string;
}

/** The plain `value` env of the chart's operator container, as installed. */
async function chartEnv(release: string, ns: string): Promise<Record<string, string>> {
  const manifest = await helmOk([
    "get",
    "manifest",
    release,
    "-n",
    ns,
    "--kubeconfig",
    kubeconfigPath(),
  ]);
  const d = parseManifests(manifest).find((m) => m.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: { env: EnvVar[] }[] } } };
  };
  const env: Record<string, string> = {};
  for (const e of d.spec.template.spec.containers[0]!.env) {
    if (e.value !== undefined) env[e.name] = e.value;
  }
  return env;
}

const isForbidden = (r: unknown) => /forbidden|\b403\b/i.test(JSON.stringify(r));

describe("chart: the operator running with the chart's ServiceAccount", function () {
  this.timeout(600_000);
  const release = uniqueName("fsa");
  const ns = release;
  const fullname = `${release}-fleetscope`;
  const id = release;
  const shop = `${id}-shop`;
  const elsewhere = `${id}-elsewhere`;
  const pyroscopeNs = `${id}-pyroscope`;
  const storageClass = `${id}-local`;
  const policyName = `${id}-policy`;
  const certSecret = `${fullname}-webhook-tls`;
  const kcArgs = () => ["--kubeconfig", kubeconfigPath()];
  const { logger, records } = recordingLogger("debug");
  let saKc: k8s.KubeConfig;
  let op: TestOperator | undefined;
  let installed = false;
  let env: Record<string, string>;

  before(async () => {
    await kubectl(["create", "namespace", ns]);
    const r = await helm(["install", release, chartDir, "-n", ns, ...kcArgs()]);
    expect(r.code, r.stderr).to.equal(0);
    installed = true;
    env = await chartEnv(release, ns);
    saKc = await serviceAccountKubeConfig(ns, fullname, "1h");
    // Selected: labelled for this test only, so no other policy on the cluster selects it.
    await createNamespace(shop, { "fleetscope.io/test": id });
    await createNamespace(elsewhere);
    await createStaticVolume(storageClass);
    // A Java Deployment that predates the policy: only a rollout restart can inject it.
    await createAvailableDeployment(shop, "orders", 2);
  });

  after(async () => {
    await op?.operator.stop();
    await deletePolicy(policyName);
    if (installed) await helm(["uninstall", release, "-n", ns, "--wait", ...kcArgs()]);
    await kubectl([
      "delete",
      "namespace",
      ns,
      shop,
      elsewhere,
      pyroscopeNs,
      "--ignore-not-found",
      "--wait=false",
    ]).catch(() => {});
    await deleteStaticVolume(storageClass);
    await kubectl(["delete", "mutatingwebhookconfiguration", fullname, "--ignore-not-found"]);
    const forbidden = records.filter(isForbidden);
    if (forbidden.length > 0) {
      process.stderr.write(
        `      operator log lines mentioning 403:\n${forbidden.map((f) => `        ${JSON.stringify(f)}`).join("\n")}\n`,
      );
    }
  });

  it("starts with the chart's environment and a token of the chart's ServiceAccount", async () => {
    expect(env).to.include({
      FLEETSCOPE_WEBHOOK_CONFIG: fullname,
      FLEETSCOPE_CERT_SECRET: certSecret,
      FLEETSCOPE_WEBHOOK_SERVICE: `${fullname}-webhook`,
      FLEETSCOPE_OWNER_CLUSTERROLE: fullname,
      FLEETSCOPE_LEADER_ELECTION: "true",
      FLEETSCOPE_MANAGE_WEBHOOK: "true",
    });
    // The chart's values, but the port and address the API server can reach in this process.
    const { FLEETSCOPE_PORT: _port, ...chart } = env;
    op = await startTestOperator(
      { ...chart, FLEETSCOPE_NAMESPACE: ns, POD_NAME: `${id}-operator` },
      { kubeConfig: saKc, logger },
    );
    expect(op.config.ownerClusterRole).to.equal(fullname);
    expect(saKc.getCurrentUser()?.name).to.equal(`system:serviceaccount:${ns}:${fullname}`);
    await eventually("leadership", async () => (op!.operator.isLeader() ? true : undefined));
    const others = (await kubectl(["get", "mutatingwebhookconfigurations", "-o", "name"]))
      .trim()
      .split("\n")
      .filter((n) => n && !n.endsWith(`/${fullname}`));
    if (others.length > 0) {
      process.stderr.write(
        `      (other webhook configurations on the cluster: ${others.length})\n`,
      );
    }
  });

  it("is refused what the chart does not grant (403)", async () => {
    const core = saKc.makeApiClient(k8s.CoreV1Api);
    const rbac = saKc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const refused = async (what: string, call: () => Promise<unknown>) => {
      const err = await call().then(
        () => undefined,
        (e: { code?: number }) => e,
      );
      expect(err?.code, what).to.equal(403);
    };
    await refused("list Secrets cluster-wide", () => core.listSecretForAllNamespaces());
    await refused("list Secrets in its own namespace", () =>
      core.listNamespacedSecret({ namespace: ns }),
    );
    await refused("read another ClusterRole", () => rbac.readClusterRole({ name: "admin" }));
    await refused("delete a namespace", () => core.deleteNamespace({ name: elsewhere }));
    // ... while what it is granted works with the same credentials.
    await rbac.readClusterRole({ name: fullname });
  });

  it("registers its webhook and certificate, both owned by the chart's ClusterRole", async () => {
    const role = JSON.parse(await kubectl(["get", "clusterrole", fullname, "-o", "json"]));
    const owner = { kind: "ClusterRole", name: fullname, uid: role.metadata.uid };
    const owners = async (args: string[]) =>
      (JSON.parse(await kubectl([...args, "-o", "json"])).metadata.ownerReferences ?? []) as {
        kind: string;
        name: string;
        uid: string;
      }[];
    await eventually("owned webhook configuration and Secret", async () => {
      const mwc = await owners(["get", "mutatingwebhookconfiguration", fullname]);
      const secret = await owners(["get", "secret", certSecret, "-n", ns]);
      const ok = [mwc, secret].every((o) =>
        o.some((x) => x.kind === owner.kind && x.name === owner.name && x.uid === owner.uid),
      );
      return ok ? true : undefined;
    });
  });

  it("deploys monolithic Pyroscope: the policy is Ready, its StatefulSet's pod Running", async () => {
    await createPolicy(
      monolithicPolicy(policyName, {
        selector: id,
        pyroscopeNamespace: pyroscopeNs,
        storageClass,
        rollout: { strategy: "Rolling", maxConcurrent: 1, healthTimeout: "2m" },
      }),
    );
    const s = await waitForPolicy(policyName, "Ready", (st) => condition(st, "Ready") === "True");
    expect(condition(s, "PyroscopeReady")).to.equal("True");
    expect(s.pyroscope?.writeURL).to.match(new RegExp(`\\.${pyroscopeNs}\\.svc:4040$`));
    const { apps, core } = admin();
    const sts = await apps.listNamespacedStatefulSet({ namespace: pyroscopeNs });
    expect(sts.items).to.have.length(1);
    const pods = await core.listNamespacedPod({ namespace: pyroscopeNs });
    expect(pods.items.map((p) => p.status?.phase)).to.deep.equal(["Running"]);
  });

  it("labels exactly the namespaces the policy selects", async () => {
    await eventually("namespace labels", async () => {
      const [a, b] = await Promise.all([injectionLabel(shop), injectionLabel(elsewhere)]);
      return a === "enabled" && b === undefined ? true : undefined;
    });
  });

  it("injects a Java pod created through the API", async () => {
    const pod = await createPod(shop, javaPod("checkout-1"));
    const jto = pod.spec?.containers[0]?.env?.find((e) => e.name === "JAVA_TOOL_OPTIONS")?.value;
    expect(jto).to.match(/^-Xmx256m -javaagent:\/fleetscope\/agent\/pyroscope\.jar/);
    expect(pod.spec?.initContainers?.map((c) => c.name)).to.include("fleetscope-agent-init");
    expect(pod.metadata?.labels).to.include({
      "fleetscope.io/injected": "true",
      "fleetscope.io/policy": policyName,
    });
    const other = await createPod(elsewhere, javaPod("checkout-e"));
    expect(other.metadata?.labels?.["fleetscope.io/injected"]).to.equal(undefined);
  });

  it("restarts the Deployment that predates the policy (Rolling) until its pods carry the agent", async () => {
    const s = await waitForPolicy(
      policyName,
      "rollout Complete with every orders pod injected",
      (st) => st.rollout?.phase === "Complete" && (st.coverage?.pods.injected ?? 0) >= 2,
      180_000,
    );
    expect(s.rollout).to.include({ done: 1, total: 1 });
    expect(await injectedPods(shop, "orders")).to.equal(2);
    const dep = await admin().apps.readNamespacedDeployment({ namespace: shop, name: "orders" });
    expect(dep.metadata?.annotations?.["fleetscope.io/rollout"]).to.equal(
      `${policyName}/${s.revision}`,
    );
  });

  it("did all that itself, without a 403 or a failed watch", async () => {
    expect(records.filter(isForbidden), "log records mentioning 403").to.deep.equal([]);
    const metric = async (name: string) =>
      (await op!.operator.registry.getSingleMetric(name)?.get())?.values ?? [];
    const restarts = (await metric("fleetscope_watch_restarts_total")).filter(
      (v) => v.labels.reason === "error",
    );
    expect(restarts, "watch restarts on errors").to.deep.equal([]);
    // Other operators on a shared cluster act on every policy too: these counters are this
    // process's own, so they show that its controllers and webhook did the work.
    const done = new Map<string, number>();
    for (const v of await metric("fleetscope_reconciles_total")) {
      if (v.labels.result === "success" || v.labels.result === "requeue") {
        const c = String(v.labels.controller);
        done.set(c, (done.get(c) ?? 0) + v.value);
      }
    }
    for (const c of ["webhook", "policy", "namespace-labels", "coverage"]) {
      expect(done.get(c) ?? 0, `successful ${c} reconciles`).to.be.greaterThan(0);
    }
    const failed = records.filter((r) => r.msg === "reconcile failed" && r.key === policyName);
    expect(failed, "failed reconciles of this test's policy").to.deep.equal([]);
    const admissions = (await metric("fleetscope_webhook_admissions_total")).reduce(
      (n, v) => n + v.value,
      0,
    );
    expect(admissions, "admission reviews answered").to.be.greaterThan(0);
  });

  it("removes the namespace labels when its policy is deleted (policies before uninstall)", async () => {
    await deletePolicy(policyName);
    await eventually("labels removed", async () =>
      (await injectionLabel(shop)) === undefined ? true : undefined,
    );
  });

  it("leaves nothing behind after helm uninstall: webhook configuration and Secret collected", async () => {
    // helm uninstall deletes the Deployment: its pods (this process) stop.
    await op!.operator.stop();
    op = undefined;
    await helmOk(["uninstall", release, "-n", ns, "--wait", "--timeout", "2m", ...kcArgs()]);
    installed = false;
    await eventually(
      "the garbage collector to delete the webhook configuration and Secret",
      async () => {
        const left = await Promise.all([
          kubectl([
            "get",
            "mutatingwebhookconfiguration",
            fullname,
            "--ignore-not-found",
            "-o",
            "name",
          ]),
          kubectl(["get", "secret", certSecret, "-n", ns, "--ignore-not-found", "-o", "name"]),
        ]);
        return left.every((l) => l.trim() === "") ? true : undefined;
      },
      60_000,
      500,
    );
    // No namespace of this test keeps the injection label (other tests may label their own).
    const labelled = await kubectl(["get", "namespaces", "-l", INJECTION_LABEL, "-o", "name"]);
    const mine = labelled
      .trim()
      .split("\n")
      .filter((n) => n.startsWith(`namespace/${id}`));
    expect(mine).to.deep.equal([]);
    // What stays is the namespace's: the Lease (deleted with the namespace) and Events.
    const inNs = await kubectl([
      "get",
      "secrets,configmaps,services,deployments",
      "-n",
      ns,
      "-o",
      "name",
    ]);
    expect(
      inNs
        .trim()
        .split("\n")
        .filter((l) => l && !l.includes("kube-root-ca.crt")),
    ).to.deep.equal([]);
  });
});
