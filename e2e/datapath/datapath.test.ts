// Data-path test: the webhook's real mutation of the checkout demo pod, run as the kubelet would
// run it, sends profiles that carry the policy's name, labels and tenant.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { PyroscopeClient, type TimeRange } from "../../cli/pyroscope/query.ts";
import { renderTopTable, topOwnFunctions } from "../../cli/pyroscope/top.ts";
import { formatErrors, parsePolicy } from "../../core/api/v1alpha1/validate.ts";
import * as names from "../../core/names.ts";
import { pyroscopeEndpoints } from "../../operator/render/pyroscope/urls.ts";
import type { MutationResult } from "../../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { type Artifacts, buildArtifacts } from "./artifacts.ts";
import { DEMO_POD_TEMPLATE_HASH, demoPod } from "./demo-pod.ts";
import { CPU, describeLoad, loadSteadyState } from "./hotspot.ts";
import { injectedEnv } from "./injected-env.ts";
import { type JavaProcess, startJava } from "./java-process.ts";
import { type PyroscopeServer, startPyroscope } from "./pyroscope-server.ts";

const ALLOC = "memory:alloc_in_new_tlab_bytes:bytes:space:bytes";
const LOCK = "mutex:contentions:count:mutex:count";
const TENANT = "shop-team";
const POD_NAME = "checkout-7d9f6c8b5-x2k4q";

describe("data path: webhook mutation -> Java agent -> Pyroscope", function () {
  this.timeout(300_000);
  this.slow(60_000);

  let artifacts: Artifacts;
  let server: PyroscopeServer;
  let app: JavaProcess;
  let result: MutationResult;
  let env: Record<string, string>;
  let scratch: string;
  /** After warm-up, holding STEADY_SAMPLES of CPU. */
  let steady: TimeRange;
  const started = Date.now();
  const range = (): TimeRange => ({ start: started - 60_000, end: Date.now() + 60_000 });
  const client = (tenantId?: string) => new PyroscopeClient({ baseUrl: server.baseUrl, tenantId });

  before(async function () {
    this.timeout(600_000);
    artifacts = await buildArtifacts();
    server = await startPyroscope({ multitenancy: true });
    // The settings come from a real policy, validated and defaulted like the operator does.
    const policyText = await readFile(resolve(import.meta.dirname, "fixtures/policy.yaml"), "utf8");
    const parsed = parsePolicy(parse(policyText.replaceAll("SERVER_URL", server.baseUrl)));
    if (!parsed.ok) throw new Error(formatErrors(parsed.errors));
    const settings = settingsFromPolicy(parsed.policy, {
      clusterName: "local",
      serverAddress: pyroscopeEndpoints(parsed.policy).writeURL,
    });
    scratch = await mkdtemp(join(tmpdir(), "fleetscope-tmp-"));
    // Scheduled: the kubelet then knows the node; the Downward API resolves against this pod.
    const injected = injectedEnv({
      pod: await demoPod(POD_NAME),
      settings,
      artifacts,
      scratch,
      container: "checkout",
      nodeName: "node-a",
    });
    result = injected.result;
    env = injected.env;
    expect(result.injected, JSON.stringify(result.skipped)).to.deep.equal(["checkout"]);
    expect(Object.keys(injected.mounts)).to.have.members([names.AGENT_DIR, names.TMP_DIR]);

    const jvmStarted = Date.now();
    app = await startJava({ jar: artifacts.demoJar, env });
    const load = await loadSteadyState({
      client: client(TENANT),
      labelSelector: '{service_name="shop/checkout"}',
      baseUrl: app.baseUrl,
      paths: ["/hash?n=2000", "/hash?n=2000", "/reserve?n=5"],
      concurrency: 3,
      jvmStarted,
    });
    console.log(`      load: ${describeLoad(load)}`);
    steady = load.steady.range;
  });

  after(async () => {
    await app?.stop();
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("keeps the user's JAVA_TOOL_OPTIONS value next to the agent's", () => {
    const jto = env.JAVA_TOOL_OPTIONS ?? "";
    expect(jto).to.contain(`-javaagent:${artifacts.agentJar}`);
    expect(jto).to.contain("-Xmx256m");
    expect(jto).not.to.match(/\$\(/); // every reference was resolved
    expect(app.logs()).to.contain("Picked up JAVA_TOOL_OPTIONS");
  });

  it("unpacks async-profiler into the scratch volume, as the demo's root filesystem is read-only", async () => {
    // The demo container mounts nothing at /tmp: the JVM's temp dir is the scratch volume,
    // which is where the agent puts its native library (it ignores PYROSCOPE_TMP_DIR for that).
    expect(env.JAVA_TOOL_OPTIONS).to.contain(`-Djava.io.tmpdir=${scratch}`);
    const files = await readdir(scratch, { recursive: true });
    expect(
      files.some((f) => /libasyncProfiler-.*\.so$/.test(f)),
      files.join(", "),
    ).to.equal(true);
  });

  it("names the application after the workload and labels it per pod", async () => {
    const c = client(TENANT);
    expect(await c.labelValues("service_name", range())).to.deep.equal(["shop/checkout"]);
    expect(await c.labelValues("namespace", range())).to.deep.equal(["shop"]);
    expect(await c.labelValues("pod", range())).to.deep.equal([POD_NAME]);
    expect(await c.labelValues("node", range())).to.deep.equal(["node-a"]);
    expect(await c.labelValues("team", range())).to.deep.equal(["payments"]);
  });

  it("labels every profile with the pod's revision, its pod-template-hash", async () => {
    const c = client(TENANT);
    expect(await c.labelValues("revision", range())).to.deep.equal([DEMO_POD_TEMPLATE_HASH]);
    // Every profile type carries it: no series of the service lacks the label.
    for (const t of await c.profileTypes(range())) {
      const unlabelled = await c.selectMergeStacktraces({
        profileTypeId: t.id,
        labelSelector: '{service_name="shop/checkout",revision=""}',
        ...range(),
      });
      expect(unlabelled.total, t.id).to.equal(0);
    }
    const other = await c.selectMergeStacktraces({
      profileTypeId: CPU,
      labelSelector: '{service_name="shop/checkout",revision="5c8d7f6b9"}',
      ...range(),
    });
    expect(other.total, "another revision selects nothing").to.equal(0);
  });

  it("records the CPU, allocation and lock profiles the policy enables", async () => {
    const ids = (await client(TENANT).profileTypes(range())).map((t) => t.id);
    expect(ids).to.include.members([CPU, ALLOC, LOCK]);
  });

  it("shows computeHash as the widest own frame in CPU", async () => {
    const fg = await client(TENANT).selectMergeStacktraces({
      profileTypeId: CPU,
      labelSelector: '{service_name="shop/checkout"}',
      ...steady,
    });
    const rows = topOwnFunctions(fg, (n) => n.startsWith("com/shop/"), 5);
    const table = renderTopTable(rows, { total: fg.total, unit: "nanoseconds", title: CPU });
    console.log(table.replace(/^/gm, "      "));
    expect(rows[0]?.name, table).to.match(/\.computeHash$|MessageDigest\.getInstance$/);
  });

  it("sends the profiles to the policy's tenant only", async () => {
    expect(await client("another-team").profileTypes(range())).to.deep.equal([]);
  });
});
