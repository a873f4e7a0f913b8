// Installs the chart into a cluster ($KUBECONFIG, default the local control plane), checks its
// objects, scheduling under Pod Security "restricted", the operator's RBAC with `kubectl auth
// can-i`, and that `helm uninstall` removes everything. On kwok nodes pods reach Running without
// any container running, so this proves the manifests and permissions, not the operator process.
import { expect } from "chai";
import { eventually, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { chartDir, helm, helmOk } from "./helm.ts";
import { type CanI, operatorMustNot, operatorNeeds } from "./rbac.ts";

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string };
}

async function canI(q: CanI, as: string): Promise<boolean> {
  const args = ["auth", "can-i", q.verb, q.resource, `--as=${as}`];
  if (q.namespace) args.push("-n", q.namespace);
  if (q.subresource) args.push(`--subresource=${q.subresource}`);
  try {
    return (await kubectl(args)).trim() === "yes";
  } catch (err) {
    // can-i exits 1 for "no".
    if (/\bno\b/.test(String(err))) return false;
    throw err;
  }
}

describe("chart install on a cluster", function () {
  this.timeout(600_000);
  const ns = uniqueName("fleetscope-chart");
  const other = uniqueName("fleetscope-other");
  const release = uniqueName("fs");
  const fullname = `${release}-fleetscope`;
  const names = {
    webhookConfig: fullname,
    certSecret: `${fullname}-webhook-tls`,
    lease: "fleetscope-operator",
    clusterRole: fullname,
  };
  const sa = `system:serviceaccount:${ns}:${fullname}`;
  const kc = () => ["--kubeconfig", kubeconfigPath()];
  let installed = false;

  before(async () => {
    // The namespace enforces Pod Security "restricted": the operator pods must pass it.
    await kubectl(["create", "namespace", ns]);
    await kubectl([
      "label",
      "namespace",
      ns,
      "pod-security.kubernetes.io/enforce=restricted",
      "pod-security.kubernetes.io/warn=restricted",
    ]);
    await kubectl(["create", "namespace", other]);
  });

  after(async () => {
    if (installed) await helm(["uninstall", release, "-n", ns, "--wait", ...kc()]);
    // Created by a running operator (a real cluster), never by the chart.
    await kubectl(["delete", "mutatingwebhookconfiguration", fullname, "--ignore-not-found"]);
    await kubectl(["delete", "namespace", ns, other, "--ignore-not-found", "--wait=false"]).catch(
      () => {},
    );
  });

  it("installs (CRD included) without Pod Security warnings", async () => {
    const r = await helm(["install", release, chartDir, "-n", ns, "--timeout", "3m", ...kc()]);
    expect(r.code, r.stderr).to.equal(0);
    installed = true;
    expect(r.stderr).to.not.match(/would violate PodSecurity/);
    await kubectl(["get", "crd", "profilingpolicies.fleetscope.io"]);
    const status = JSON.parse(await helmOk(["status", release, "-n", ns, "-o", "json", ...kc()]));
    expect(status.info.status).to.equal("deployed");
  });

  it("creates the chart's objects", async () => {
    for (const [kind, name] of [
      ["deployment", fullname],
      ["service", `${fullname}-webhook`],
      ["serviceaccount", fullname],
      ["poddisruptionbudget", fullname],
      ["role", fullname],
      ["rolebinding", fullname],
    ]) {
      await kubectl(["get", kind!, name!, "-n", ns]);
    }
    await kubectl(["get", "clusterrole", fullname]);
    await kubectl(["get", "clusterrolebinding", fullname]);
    // The operator, not the chart, creates the webhook configuration (once it runs).
    const manifest = await helmOk(["get", "manifest", release, "-n", ns, ...kc()]);
    expect(manifest).to.not.include("kind: MutatingWebhookConfiguration");
    expect(manifest).to.not.include("kind: Secret");
  });

  it("schedules both replicas onto different kwok nodes, where they reach Running", async () => {
    const pods = await eventually(
      "two Running operator pods",
      async () => {
        const list = JSON.parse(
          await kubectl([
            "get",
            "pods",
            "-n",
            ns,
            "-l",
            `app.kubernetes.io/instance=${release}`,
            "-o",
            "json",
          ]),
        ) as { items: Pod[] };
        const running = list.items.filter((p) => p.status.phase === "Running");
        return running.length === 2 ? running : undefined;
      },
      120_000,
      1_000,
    );
    const nodes = pods.map((p) => p.spec.nodeName!);
    expect(new Set(nodes).size, `nodes ${nodes}`).to.equal(2);
    // On kwok nodes (the local control plane) Running means scheduled and admitted: no
    // container runs. On a real cluster (kind) the operator itself must get ready.
    const fake = await Promise.all(
      nodes.map(async (n) => {
        const node = JSON.parse(await kubectl(["get", "node", n, "-o", "json"]));
        return node.metadata.annotations?.["kwok.x-k8s.io/node"] === "fake";
      }),
    );
    if (fake.every(Boolean)) process.stderr.write("      (kwok nodes: no container ran)\n");
    await eventually(
      "two ready replicas",
      async () => {
        const ready = await kubectl([
          "get",
          "deployment",
          fullname,
          "-n",
          ns,
          "-o",
          "jsonpath={.status.readyReplicas}",
        ]);
        return ready === "2" ? true : undefined;
      },
      180_000,
      1_000,
    );
  });

  it("lets the operator's ServiceAccount do what it needs", async () => {
    const denied: string[] = [];
    for (const q of operatorNeeds(names, ns, other)) {
      if (!(await canI(q, sa))) denied.push(JSON.stringify(q));
    }
    expect(denied, "denied").to.deep.equal([]);
  });

  it("and nothing it must not", async () => {
    const allowed: string[] = [];
    for (const q of operatorMustNot(names, ns, other)) {
      if (await canI(q, sa)) allowed.push(JSON.stringify(q));
    }
    expect(allowed, "allowed").to.deep.equal([]);
  });

  it("is removed by helm uninstall, except the CRD (Helm never deletes crds/)", async () => {
    await helmOk(["uninstall", release, "-n", ns, "--wait", "--timeout", "2m", ...kc()]);
    installed = false;
    const left = await kubectl([
      "get",
      "deployment,service,serviceaccount,poddisruptionbudget,role,rolebinding",
      "-n",
      ns,
      "-l",
      `app.kubernetes.io/instance=${release}`,
      "-o",
      "name",
    ]);
    expect(left.trim()).to.equal("");
    for (const kind of ["clusterrole", "clusterrolebinding"]) {
      const r = await kubectl(["get", kind, fullname, "--ignore-not-found", "-o", "name"]);
      expect(r.trim(), kind).to.equal("");
    }
    await eventually(
      "the operator pods to go",
      async () => {
        const pods = await kubectl([
          "get",
          "pods",
          "-n",
          ns,
          "-l",
          `app.kubernetes.io/instance=${release}`,
          "-o",
          "name",
        ]);
        return pods.trim() === "" ? true : undefined;
      },
      120_000,
      1_000,
    );
    await kubectl(["get", "crd", "profilingpolicies.fleetscope.io"]);
  });
});
