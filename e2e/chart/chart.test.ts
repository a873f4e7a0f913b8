// Chart checks without a cluster: helm lint, rendering in every mode, the values schema, the
// exact RBAC set, the CRD being the generated one, and the agent pin of the init image.
// biome-ignore-all lint/suspicious/noExplicitAny: rendered manifests are untyped JSON that the assertions walk
import { execFile } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { renderWebhookConfiguration } from "../../operator/render/webhook-configuration.ts";
import { chartDir, helm, helmOk, type Manifest, parseManifests, render, root } from "./helm.ts";
import {
  expectedClusterPermissions,
  expectedNamespacePermissions,
  flatten,
  type Rule,
} from "./rbac.ts";

const names = {
  webhookConfig: "fleetscope",
  certSecret: "fleetscope-webhook-tls",
  lease: "fleetscope-operator",
  clusterRole: "fleetscope",
};
const find = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind);
const one = (ms: Manifest[], kind: string) => {
  const found = find(ms, kind);
  expect(found, `${kind} objects`).to.have.length(1);
  return found[0]! as Manifest & Record<string, any>;
};

describe("chart: charts/fleetscope", function () {
  this.timeout(600_000); // the first run builds helm (about 2 minutes)

  before(async () => {
    await helmOk(["version", "--short"]);
  });

  it("passes helm lint --strict with defaults and with every option on", async () => {
    await helmOk(["lint", "--strict", chartDir]);
    await helmOk([
      "lint",
      "--strict",
      chartDir,
      "--set",
      "certificates.mode=certManager,serviceMonitor.enabled=true,networkPolicy.enabled=true",
    ]);
  });

  describe("rendering with defaults", () => {
    let ms: Manifest[];
    before(async () => {
      ms = await render();
    });

    it("renders exactly the operator's objects, and no webhook configuration or Secret", () => {
      expect(ms.map((m) => m.kind).sort()).to.deep.equal(
        [
          "ClusterRole",
          "ClusterRoleBinding",
          "Deployment",
          "PodDisruptionBudget",
          "Role",
          "RoleBinding",
          "Service",
          "ServiceAccount",
        ].sort(),
      );
    });

    it("runs two hardened, leader-electing replicas with HTTPS probes", () => {
      const d = one(ms, "Deployment");
      expect(d.spec.replicas).to.equal(2);
      const pod = d.spec.template.spec;
      expect(pod.securityContext).to.include({ runAsNonRoot: true, runAsUser: 65532 });
      expect(pod.securityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
      expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).to.deep.equal([
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
      ]);
      for (const t of pod.topologySpreadConstraints) {
        expect(t.labelSelector.matchLabels).to.deep.equal(d.spec.selector.matchLabels);
      }
      const [c] = pod.containers;
      expect(c.securityContext).to.deep.include({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      for (const [probe, path] of [
        ["livenessProbe", "/healthz"],
        ["readinessProbe", "/readyz"],
        ["startupProbe", "/healthz"],
      ] as const) {
        expect(c[probe].httpGet, probe).to.deep.equal({ path, port: "https", scheme: "HTTPS" });
      }
      expect(c.ports).to.deep.equal([{ name: "https", containerPort: 9443, protocol: "TCP" }]);
      expect(c.resources.requests).to.have.keys("cpu", "memory");
      const env = Object.fromEntries(
        c.env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]),
      );
      expect(env).to.deep.equal({
        POD_NAME: "metadata.name",
        FLEETSCOPE_NAMESPACE: "metadata.namespace",
        FLEETSCOPE_PORT: "9443",
        FLEETSCOPE_LEADER_ELECTION: "true",
        FLEETSCOPE_WEBHOOK_CONFIG: names.webhookConfig,
        FLEETSCOPE_WEBHOOK_SERVICE: "fleetscope-webhook",
        FLEETSCOPE_CERT_SECRET: names.certSecret,
        FLEETSCOPE_MANAGE_WEBHOOK: "true",
        FLEETSCOPE_OWNER_CLUSTERROLE: names.clusterRole,
        FLEETSCOPE_CLUSTER_NAME: "kubernetes",
        FLEETSCOPE_LOG_LEVEL: "info",
      });
      const pdb = one(ms, "PodDisruptionBudget");
      expect(pdb.spec.minAvailable).to.equal(1);
      expect(pdb.spec.selector.matchLabels).to.deep.equal(d.spec.selector.matchLabels);
    });

    it("exposes the webhook on Service port 443 to the pods' 9443", () => {
      const svc = one(ms, "Service");
      expect(svc.metadata.name).to.equal("fleetscope-webhook");
      expect(svc.spec.ports).to.deep.equal([
        { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
      ]);
      expect(svc.spec.selector).to.deep.equal(one(ms, "Deployment").spec.template.metadata.labels);
    });

    it("grants exactly the documented permissions", () => {
      const cr = one(ms, "ClusterRole");
      const role = one(ms, "Role");
      expect(flatten(cr.rules as Rule[])).to.deep.equal(
        expectedClusterPermissions(names, { workloadRollout: true }),
      );
      expect(flatten(role.rules as Rule[])).to.deep.equal(
        expectedNamespacePermissions(names, { selfCerts: true }),
      );
      expect(role.metadata.namespace).to.equal("fleetscope-system");
      for (const b of [one(ms, "ClusterRoleBinding"), one(ms, "RoleBinding")]) {
        expect((b as any).subjects).to.deep.equal([
          { kind: "ServiceAccount", name: "fleetscope", namespace: "fleetscope-system" },
        ]);
      }
    });

    it("explains every RBAC rule in a comment", async () => {
      const text = await readFile(join(chartDir, "templates/rbac.yaml"), "utf8");
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        if (!/^ {2}- apiGroups:/.test(line)) return;
        let j = i - 1;
        while (j >= 0 && /^\s*\{\{-/.test(lines[j]!)) j--;
        expect(lines[j], `comment above rule at line ${i + 1}`).to.match(/^\s*#/);
      });
    });
  });

  it("names no owning ClusterRole when rbac.create=false (the chart creates none)", async () => {
    const ms = await render({ "rbac.create": false });
    expect(find(ms, "ClusterRole")).to.have.length(0);
    const env = one(ms, "Deployment").spec.template.spec.containers[0].env;
    expect(env.map((e: any) => e.name)).to.not.include("FLEETSCOPE_OWNER_CLUSTERROLE");
  });

  it("refuses rbac.workloadRollout=false: the operator cannot start its controllers without it", async () => {
    // The operator syncs pod and workload caches before it starts any controller
    // (operator/leading.ts), so without list/watch on them it would never reconcile.
    const r = await helm([
      "template",
      "fleetscope",
      chartDir,
      "--set",
      "rbac.workloadRollout=false",
    ]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/rbac.workloadRollout=false is not supported/);
  });

  it("renders cert-manager, ServiceMonitor and NetworkPolicy when enabled", async () => {
    const ms = await render({
      "certificates.mode": "certManager",
      "serviceMonitor.enabled": true,
      "networkPolicy.enabled": true,
    });
    const certs = find(ms, "Certificate") as any[];
    expect(certs.map((c) => c.metadata.name).sort()).to.deep.equal([
      "fleetscope-ca",
      "fleetscope-webhook",
    ]);
    const serving = certs.find((c) => c.metadata.name === "fleetscope-webhook");
    expect(serving.spec.secretName).to.equal(names.certSecret);
    expect(serving.spec.dnsNames).to.include("fleetscope-webhook.fleetscope-system.svc");
    expect(serving.spec.issuerRef).to.deep.equal({
      name: "fleetscope-ca",
      kind: "Issuer",
      group: "cert-manager.io",
    });
    expect(find(ms, "Issuer")).to.have.length(2);
    const env = one(ms, "Deployment").spec.template.spec.containers[0].env;
    expect(env).to.deep.include({ name: "FLEETSCOPE_MANAGE_WEBHOOK", value: "false" });
    // The operator creates no webhook configuration or Secret then: nothing for it to own.
    expect(env.map((e: any) => e.name)).to.not.include("FLEETSCOPE_OWNER_CLUSTERROLE");
    // cert-manager writes the Secret and the chart the webhook configuration: the operator
    // reads the Secret only.
    expect(flatten(one(ms, "Role").rules as Rule[])).to.deep.equal(
      expectedNamespacePermissions(names, { selfCerts: false }),
    );
    expect(flatten(one(ms, "ClusterRole").rules as Rule[])).to.deep.equal(
      expectedClusterPermissions(names, { workloadRollout: true, selfCerts: false }),
    );
    // The chart's copy of the webhook configuration is the operator's, with cert-manager's
    // CA injection instead of a caBundle.
    const mwc = one(ms, "MutatingWebhookConfiguration");
    expect(mwc.metadata.annotations).to.deep.equal({
      "cert-manager.io/inject-ca-from": "fleetscope-system/fleetscope-webhook",
    });
    const operatorOwn = renderWebhookConfiguration({
      name: names.webhookConfig,
      operatorNamespace: "fleetscope-system",
      caBundle: "",
      service: { name: "fleetscope-webhook", namespace: "fleetscope-system", port: 443 },
    });
    for (const w of operatorOwn.webhooks) delete (w.clientConfig as { caBundle?: string }).caBundle;
    expect(mwc.webhooks).to.deep.equal(JSON.parse(JSON.stringify(operatorOwn.webhooks)));
    const sm = one(ms, "ServiceMonitor");
    expect(sm.spec.endpoints[0]).to.deep.include({
      port: "https",
      scheme: "https",
      path: "/metrics",
    });
    expect(sm.spec.endpoints[0].tlsConfig.ca.secret).to.deep.equal({
      name: names.certSecret,
      key: "ca.crt",
    });
    const np = one(ms, "NetworkPolicy");
    expect(np.spec.policyTypes).to.deep.equal(["Ingress", "Egress"]);
    expect(np.spec.ingress).to.deep.equal([{ ports: [{ port: "https", protocol: "TCP" }] }]);
  });

  it("uses an existing issuer instead of the self-signed chain when one is named", async () => {
    const ms = await render({
      "certificates.mode": "certManager",
      "certificates.certManager.issuerRef.name": "corp-ca",
      "certificates.certManager.issuerRef.kind": "ClusterIssuer",
    });
    expect(find(ms, "Issuer")).to.have.length(0);
    const cert = one(ms, "Certificate");
    expect(cert.spec.issuerRef).to.deep.equal({
      name: "corp-ca",
      kind: "ClusterIssuer",
      group: "cert-manager.io",
    });
  });

  it("names objects after the release and keeps the lease name the operator uses", async () => {
    const ms = await render({}, { release: "platform", namespace: "obs" });
    expect(one(ms, "Deployment").metadata.name).to.equal("platform-fleetscope");
    expect(one(ms, "Service").metadata.name).to.equal("platform-fleetscope-webhook");
    const role = one(ms, "Role");
    expect(flatten(role.rules as Rule[])).to.deep.equal(
      expectedNamespacePermissions(
        {
          webhookConfig: "platform-fleetscope",
          certSecret: "platform-fleetscope-webhook-tls",
          lease: "fleetscope-operator",
          clusterRole: "platform-fleetscope",
        },
        { selfCerts: true },
      ),
    );
  });

  describe("values.schema.json", () => {
    for (const [set, where, key] of [
      ["replicaCunt=3", "at ''", "replicaCunt"],
      ["image.tagg=1.0", "at '/image'", "tagg"],
      ["operator.leaderElecton=false", "at '/operator'", "leaderElecton"],
      ["serviceMonitor.enable=true", "at '/serviceMonitor'", "enable"],
    ] as const) {
      it(`refuses the misspelt key ${set.split("=")[0]} and names it`, async () => {
        const r = await helm(["template", "t", chartDir, "--set", set]);
        expect(r.code).to.not.equal(0);
        expect(r.stderr).to.include("values don't meet the specifications of the schema");
        expect(r.stderr).to.include(`${where}: additional properties '${key}' not allowed`);
      });
    }

    it("refuses a typo in a values file at install time too", async () => {
      const dir = await mkdtemp(join(tmpdir(), "fleetscope-values-"));
      try {
        const file = join(dir, "values.yaml");
        await writeFile(file, "podDisruptionBudget:\n  minAvaliable: 1\n");
        const r = await helm(["install", "t", chartDir, "--dry-run=client", "-f", file]);
        expect(r.code).to.not.equal(0);
        expect(r.stderr).to.include("additional properties 'minAvaliable' not allowed");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("refuses values of the wrong kind", async () => {
      const r = await helm(["template", "t", chartDir, "--set", "certificates.mode=vault"]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include("/certificates/mode");
    });

    it("refuses several replicas without leader election", async () => {
      const r = await helm(["template", "t", chartDir, "--set", "operator.leaderElection=false"]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include("operator.leaderElection must be true when replicaCount > 1");
    });
  });

  describe("the CRD", () => {
    it("is the generated crds/ of the repository, through a symlink", () => {
      expect(readlinkSync(join(chartDir, "crds"))).to.equal("../../crds");
    });

    it("renders (--include-crds) and packages byte for byte as crds/", async () => {
      const generated = readFileSync(
        resolve(root, "crds/fleetscope.io_profilingpolicies.yaml"),
        "utf8",
      );
      const ms = await render({}, { includeCrds: true });
      const crd = one(ms, "CustomResourceDefinition");
      expect(crd).to.deep.equal(parseManifests(generated)[0]);

      const dir = await mkdtemp(join(tmpdir(), "fleetscope-package-"));
      try {
        await helmOk(["package", chartDir, "--destination", dir]);
        const packaged = await new Promise<string>((res, rej) =>
          execFile(
            "tar",
            [
              "-xzOf",
              join(dir, "fleetscope-0.1.0.tgz"),
              "fleetscope/crds/fleetscope.io_profilingpolicies.yaml",
            ],
            { maxBuffer: 1 << 24 },
            (err, out) => (err ? rej(err) : res(out)),
          ),
        );
        expect(packaged).to.equal(generated);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it("pins the same agent version and SHA-256 in the init image as hack/fetch-agent.sh", () => {
    const fetch = readFileSync(resolve(root, "hack/fetch-agent.sh"), "utf8");
    const image = readFileSync(resolve(root, "images/agent-init/Dockerfile"), "utf8");
    const version = /PYROSCOPE_AGENT_VERSION:-([0-9.]+)/.exec(fetch)?.[1];
    const sha = new RegExp(`\\[${version?.replaceAll(".", "\\.")}\\]=([0-9a-f]{64})`).exec(
      fetch,
    )?.[1];
    expect(version, "agent version in hack/fetch-agent.sh").to.match(/^\d+\.\d+\.\d+$/);
    expect(sha, "pinned SHA-256 in hack/fetch-agent.sh").to.match(/^[0-9a-f]{64}$/);
    // The build checks the context's jar against the same digest (busybox sha256sum).
    expect(image).to.include(`echo "${sha}  /agent/pyroscope.jar"`);
    expect(image).to.match(/sha256sum -c -/);
    expect(image).to.include(`io.pyroscope.agent.version="${version}"`);
    // The contract with the webhook's init container (core/names.ts INIT_IMAGE_JAR).
    const names = readFileSync(resolve(root, "core/names.ts"), "utf8");
    expect(names).to.include('INIT_IMAGE_JAR = "/agent/pyroscope.jar"');
  });
});
