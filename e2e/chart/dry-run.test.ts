// `helm template` output, accepted by the real API server: `kubectl apply --dry-run=server` runs
// every object through defaulting, validation and admission (Pod Security "restricted" on the
// namespace) without persisting it. Objects of kinds the cluster does not serve (cert-manager's
// Issuer/Certificate, the Prometheus operator's ServiceMonitor) cannot be checked this way
// without installing those CRDs, which this test does not do: it names what it skipped.
import { expect } from "chai";
import { kubectl, kubectlOutput, uniqueName } from "../harness/cluster.ts";
import { type Manifest, render } from "./helm.ts";

/** "apiVersion kind" of every kind the API server serves. */
async function servedKinds(): Promise<Set<string>> {
  const out = await kubectl(["api-resources", "--no-headers"]);
  const kinds = new Set<string>();
  for (const line of out.trim().split("\n")) {
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND: read from the end, short names may be empty.
    const cols = line.trim().split(/\s+/);
    kinds.add(`${cols.at(-3)} ${cols.at(-1)}`);
  }
  return kinds;
}

const list = (items: Manifest[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });

describe("chart: server-side dry run against the cluster", function () {
  this.timeout(120_000);
  const ns = uniqueName("fleetscope-dry");
  const release = uniqueName("dry");
  let served: Set<string>;

  before(async () => {
    served = await servedKinds();
    // Namespaced objects need their namespace; it enforces the operator's Pod Security level.
    await kubectl(["create", "namespace", ns]);
    await kubectl(["label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted"]);
  });

  after(async () => {
    await kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"]).catch(
      () => {},
    );
  });

  const variants: [string, Record<string, string | boolean>][] = [
    ["defaults", {}],
    ["networkPolicy.enabled", { "networkPolicy.enabled": true }],
    ["certificates.mode=certManager", { "certificates.mode": "certManager" }],
    ["serviceMonitor.enabled", { "serviceMonitor.enabled": true }],
  ];
  for (const [title, set] of variants) {
    it(`accepts every object of ${title} (kubectl apply --dry-run=server)`, async () => {
      const ms = await render(set, { release, namespace: ns });
      const known = ms.filter((m) => served.has(`${m.apiVersion} ${m.kind}`));
      const skipped = ms.filter((m) => !served.has(`${m.apiVersion} ${m.kind}`));
      if (skipped.length > 0) {
        process.stderr.write(
          `      (not served by this cluster, not dry-run: ${skipped
            .map((m) => `${m.kind}/${m.metadata.name}`)
            .join(", ")})\n`,
        );
      }
      const { stdout, stderr } = await kubectlOutput(
        ["apply", "--dry-run=server", "-o", "name", "-f", "-"],
        list(known),
      );
      expect(stderr, "warnings").to.not.match(/Warning|would violate/);
      expect(stdout.trim().split("\n")).to.have.length(known.length);
    });
  }

  it("accepts the CRD (--include-crds) with server-side apply, as the upgrade docs say", async () => {
    const crds = (await render({}, { release, namespace: ns, includeCrds: true })).filter(
      (m) => m.kind === "CustomResourceDefinition",
    );
    expect(crds.map((c) => c.metadata.name)).to.deep.equal(["profilingpolicies.fleetscope.io"]);
    const { stdout } = await kubectlOutput(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=fleetscope-dry-run",
        "--dry-run=server",
        "-o",
        "name",
        "-f",
        "-",
      ],
      list(crds),
    );
    expect(stdout.trim()).to.equal(
      "customresourcedefinition.apiextensions.k8s.io/profilingpolicies.fleetscope.io",
    );
  });
});
