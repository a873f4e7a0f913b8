// The regression workflow end to end: the checkout demo as a real Deployment in the local control
// plane, revision A, then revision B whose CHECKOUT_HEX=format switch makes toHex many times
// slower. Each revision's pod, as the ReplicaSet controller made it, gets the webhook's real
// mutation and its JVM runs here with the real agent; `fleetscope regressions` and `diff
// --revisions` read the revisions from the cluster and the profiles from Pyroscope.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { expect } from "chai";
import { parse, parseAllDocuments } from "yaml";
import { PyroscopeClient } from "../../cli/pyroscope/query.ts";
import { formatErrors, parsePolicy } from "../../core/api/v1alpha1/validate.ts";
import { pyroscopeEndpoints } from "../../operator/render/pyroscope/urls.ts";
import type { InjectionSettings } from "../../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { eventually, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { type Artifacts, buildArtifacts, repoRoot } from "./artifacts.ts";
import { fleetscope } from "./cli-run.ts";
import { describePhase, loadUntilSamples } from "./hotspot.ts";
import { injectedEnv } from "./injected-env.ts";
import { startJava } from "./java-process.ts";
import { type PyroscopeServer, startPyroscope } from "./pyroscope-server.ts";

const TENANT = "shop-team";
const TO_HEX = "com/shop/checkout/BatchProcessor.toHex";
/** Samples each revision gets before the next step: above the CLI's minimum of 500. */
const WANTED_SAMPLES = 800;

async function demoDeployment(namespace: string): Promise<V1Deployment> {
  const text = await readFile(resolve(repoRoot, "examples/demo-service/deployment.yaml"), "utf8");
  const d = parseAllDocuments(text)
    .map((doc) => doc.toJS() as V1Deployment)
    .find((doc) => doc.kind === "Deployment")!;
  d.metadata!.namespace = namespace;
  d.spec!.replicas = 1;
  return d;
}

describe("regressions: two revisions of the checkout demo, one function made slower", function () {
  this.timeout(600_000);
  this.slow(120_000);

  let artifacts: Artifacts;
  let server: PyroscopeServer;
  let settings: InjectionSettings;
  let scratch: string;
  const namespace = uniqueName("shop-rev");
  const revisions: { hash: string; created: number }[] = [];
  const cliEnv = () => ({
    KUBECONFIG: kubeconfigPath(),
    PYROSCOPE_URL: server.baseUrl,
    PYROSCOPE_TENANT_ID: TENANT,
  });
  const client = () => new PyroscopeClient({ baseUrl: server.baseUrl, tenantId: TENANT });

  /** The ReplicaSet of the given Deployment revision and its one pod, once the controllers made them. */
  async function revisionPod(revision: number): Promise<{ rs: V1ReplicaSet; pod: V1Pod }> {
    return eventually(
      `revision ${revision} and its pod`,
      async () => {
        const rss = JSON.parse(
          await kubectl(["get", "replicasets", "-n", namespace, "-o", "json"]),
        ) as { items: V1ReplicaSet[] };
        const rs = rss.items.find(
          (r) =>
            r.metadata?.annotations?.["deployment.kubernetes.io/revision"] === String(revision),
        );
        const hash = rs?.metadata?.labels?.["pod-template-hash"];
        if (!rs || !hash) return undefined;
        const pods = JSON.parse(
          await kubectl([
            "get",
            "pods",
            "-n",
            namespace,
            "-l",
            `pod-template-hash=${hash}`,
            "-o",
            "json",
          ]),
        ) as { items: V1Pod[] };
        const pod = pods.items.find((p) => p.spec?.nodeName);
        return pod ? { rs, pod } : undefined;
      },
      120_000,
      500,
    );
  }

  /** Runs the revision's pod here under load until its profiles hold WANTED_SAMPLES of CPU. */
  async function profileRevision(revision: number): Promise<void> {
    const { rs, pod } = await revisionPod(revision);
    const hash = rs.metadata!.labels!["pod-template-hash"]!;
    revisions.push({ hash, created: new Date(rs.metadata!.creationTimestamp!).getTime() });
    const { result, env } = injectedEnv({
      pod,
      settings,
      artifacts,
      scratch,
      container: "checkout",
    });
    expect(result.injected, JSON.stringify(result.skipped)).to.deep.equal(["checkout"]);
    expect(env.JAVA_TOOL_OPTIONS).to.contain(`revision=${hash}`);
    const jvmStarted = Date.now();
    const app = await startJava({ jar: artifacts.demoJar, env });
    try {
      const load = await loadUntilSamples({
        client: client(),
        labelSelector: `{namespace="${namespace}",workload="checkout",revision="${hash}"}`,
        baseUrl: app.baseUrl,
        paths: ["/hash?n=2000"],
        concurrency: 2,
        samples: WANTED_SAMPLES,
        from: jvmStarted,
      });
      console.log(`      revision ${hash}: ${describePhase(load)}`);
    } finally {
      await app.stop();
    }
  }

  before(async function () {
    this.timeout(900_000);
    artifacts = await buildArtifacts();
    server = await startPyroscope({ multitenancy: true });
    scratch = await mkdtemp(join(tmpdir(), "fleetscope-rev-"));
    const policyText = await readFile(resolve(import.meta.dirname, "fixtures/policy.yaml"), "utf8");
    const parsed = parsePolicy(parse(policyText.replaceAll("SERVER_URL", server.baseUrl)));
    if (!parsed.ok) throw new Error(formatErrors(parsed.errors));
    settings = settingsFromPolicy(parsed.policy, {
      clusterName: "local",
      serverAddress: pyroscopeEndpoints(parsed.policy).writeURL,
    });

    await kubectl(["create", "namespace", namespace]);
    await kubectl(["apply", "-f", "-"], JSON.stringify(await demoDeployment(namespace)));
    await profileRevision(1);
    // Revision B: the switch. Its ReplicaSet is created after every upload of revision A.
    await new Promise((r) => setTimeout(r, 2_000));
    await kubectl(["set", "env", "-n", namespace, "deployment/checkout", "CHECKOUT_HEX=format"]);
    await profileRevision(2);
  });

  after(async () => {
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    await kubectl(["delete", "namespace", namespace, "--wait=false"]).catch(() => undefined);
  });

  it("keeps each revision's profiles apart by the revision label", async () => {
    const values = await client().labelValues("revision", {
      start: revisions[0]!.created - 60_000,
      end: Date.now() + 60_000,
    });
    expect(values.sort()).to.deep.equal(revisions.map((r) => r.hash).sort());
  });

  it("regressions names toHex first, with its share before and after", async () => {
    const res = await fleetscope(["regressions", "--since", "1h"], cliEnv());
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines[0]).to.match(
      /^Workload\s+Revisions\s+Deployed\s+Type\s+Before\s+After\s+Change\s+Function$/,
    );
    const row = lines.find((l) => l.startsWith(`${namespace}/checkout `));
    expect(row, res.stdout).to.be.a("string");
    const cells = row!.trim().split(/\s{2,}/);
    expect(cells[1]).to.equal(`${revisions[0]!.hash}..${revisions[1]!.hash}`);
    expect(cells[3]).to.equal("cpu");
    const [before, after] = [Number.parseFloat(cells[4]!), Number.parseFloat(cells[5]!)];
    expect(cells[7], row).to.equal(TO_HEX);
    expect(after, row).to.be.greaterThan(2 * before);
    expect(cells[6]).to.match(/^\+\d+\.\d pp$/);
  });

  it("regressions -o json gives the same verdict to scripts", async () => {
    const res = await fleetscope(["regressions", "--since", "1h", "-o", "json"], cliEnv());
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    const doc = JSON.parse(res.stdout) as {
      minSamples: number;
      regressions: {
        namespace: string;
        function?: string;
        beforePercent?: number;
        afterPercent?: number;
        samples: { before: number; after: number };
      }[];
    };
    const mine = doc.regressions.find((r) => r.namespace === namespace)!;
    expect(mine.function).to.equal(TO_HEX);
    expect(mine.afterPercent!).to.be.greaterThan(2 * mine.beforePercent!);
    expect(mine.samples.before).to.be.at.least(doc.minSamples);
  });

  it("regressions withholds a verdict below the sample minimum", async () => {
    const res = await fleetscope(
      ["regressions", "--since", "1h", "--min-samples", "1000000"],
      cliEnv(),
    );
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    const row = res.stdout.split("\n").find((l) => l.startsWith(`${namespace}/checkout `));
    expect(row).to.match(
      /\(too few samples: before \d+, after \d+ \(minimum 1000000 per revision\)\)$/,
    );
  });

  it("diff --revisions shows toHex grew most, and writes a diff flame graph", async () => {
    const html = join(scratch, "diff.html");
    const res = await fleetscope(
      ["diff", "--app", `${namespace}/checkout`, "--revisions", "-o", html],
      cliEnv(),
    );
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.contain(`Before: revision 1 (${revisions[0]!.hash})`);
    expect(res.stdout).to.contain(`After:  revision 2 (${revisions[1]!.hash})`);
    const lines = res.stdout.split("\n");
    const grew = lines.indexOf("Grew (share of the total):");
    expect(lines[grew + 2], res.stdout).to.match(new RegExp(`\\+\\d+\\.\\d pp  ${TO_HEX}$`));
    const page = await readFile(html, "utf8");
    expect(page).to.match(/^<!doctype html>/);
    expect(page).to.contain(`data-name="${TO_HEX}"`);
    expect(page).to.match(/fill="hsl\(0, 78%, \d+%\)"/); // something is coloured as growth
    // The formatting code under toHex exists only in revision 2.
    expect(page).to.match(/data-name="java\/util\/Formatter[^"]*"[^>]*data-before="0\.000000"/);
  });

  it("diff --revisions 1..2 by number is the same comparison; an unknown one is named", async () => {
    const res = await fleetscope(
      ["diff", "--app", `${namespace}/checkout`, "--revisions", `1..${revisions[1]!.hash}`],
      cliEnv(),
    );
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.contain(TO_HEX);
    const bad = await fleetscope(
      ["diff", "--app", `${namespace}/checkout`, "--revisions", "1..7"],
      cliEnv(),
    );
    expect(bad.code).to.equal(2);
    expect(bad.stdout).to.contain(
      `no revision 7; the workload has: 1 (${revisions[0]!.hash}), 2 (${revisions[1]!.hash})`,
    );
  });
});
