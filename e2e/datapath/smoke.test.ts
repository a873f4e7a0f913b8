// Data-path smoke test: the real Java agent, configured by PYROSCOPE_* variables, profiles the
// checkout demo and its profiles are found through Pyroscope's query API.
import { expect } from "chai";
import { PyroscopeClient, type TimeRange } from "../../cli/pyroscope/query.ts";
import { renderTopTable, topOwnFunctions } from "../../cli/pyroscope/top.ts";
import { type Artifacts, buildArtifacts } from "./artifacts.ts";
import { CPU, describeLoad, loadSteadyState } from "./hotspot.ts";
import { driveLoad, type JavaProcess, startJava } from "./java-process.ts";
import { poll } from "./process.ts";
import { type PyroscopeServer, startPyroscope } from "./pyroscope-server.ts";

const WALL = "wall:wall:nanoseconds:wall:nanoseconds";
const ALLOC = "memory:alloc_in_new_tlab_bytes:bytes:space:bytes";
const LOCK = "mutex:contentions:count:mutex:count";
const OWN_CODE = (name: string) => name.startsWith("com/shop/");

describe("data path smoke: Java agent -> Pyroscope -> query API", function () {
  this.timeout(300_000);
  this.slow(60_000);

  let artifacts: Artifacts;
  let server: PyroscopeServer;
  const started = Date.now();
  const range = (): TimeRange => ({ start: started - 60_000, end: Date.now() + 60_000 });
  const client = (tenantId?: string) => new PyroscopeClient({ baseUrl: server.baseUrl, tenantId });

  /** Agent settings shared by every case; the short upload interval keeps the test quick. */
  const agentEnv = (extra: Record<string, string>): Record<string, string> => ({
    JAVA_TOOL_OPTIONS: `-javaagent:${artifacts.agentJar} -Xmx256m`,
    PYROSCOPE_SERVER_ADDRESS: server.baseUrl,
    PYROSCOPE_UPLOAD_INTERVAL: "2s",
    ...extra,
  });

  before(async function () {
    this.timeout(600_000); // a first run builds the jars
    artifacts = await buildArtifacts();
    server = await startPyroscope({ multitenancy: true });
  });

  after(async () => {
    await server?.stop();
  });

  describe("cpu, alloc and lock profiles of a labelled application", () => {
    const tenant = "team-payments";
    let app: JavaProcess;
    /** After warm-up, holding STEADY_SAMPLES of CPU. */
    let steady: TimeRange;

    before(async function () {
      this.timeout(600_000); // loading on a busy machine may take minutes
      const jvmStarted = Date.now();
      app = await startJava({
        jar: artifacts.demoJar,
        env: agentEnv({
          PYROSCOPE_APPLICATION_NAME: "checkout",
          PYROSCOPE_LABELS: "namespace=shop,pod=checkout-7d9f-abcde,team=payments",
          PYROSCOPE_PROFILER_ALLOC: "16k",
          PYROSCOPE_PROFILER_LOCK: "10us",
          PYROSCOPE_TENANT_ID: tenant,
        }),
      });
      const load = await loadSteadyState({
        client: client(tenant),
        labelSelector: '{service_name="checkout"}',
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
    });

    it("uses the configured application name and labels", async () => {
      const c = client(tenant);
      expect(await c.labelValues("service_name", range())).to.deep.equal(["checkout"]);
      expect(await c.labelValues("namespace", range())).to.deep.equal(["shop"]);
      expect(await c.labelValues("pod", range())).to.deep.equal(["checkout-7d9f-abcde"]);
      expect(await c.labelValues("team", range())).to.deep.equal(["payments"]);
      expect(await c.labelNames(range())).to.include.members(["service_name", "namespace"]);
    });

    it("records CPU, allocation and lock profile types", async () => {
      const ids = (await client(tenant).profileTypes(range())).map((t) => t.id);
      expect(ids).to.include.members([CPU, ALLOC, LOCK]);
      expect(ids).not.to.include(WALL);
    });

    it("shows computeHash as the widest own frame in CPU", async () => {
      const fg = await client(tenant).selectMergeStacktraces({
        profileTypeId: CPU,
        labelSelector: '{service_name="checkout", namespace="shop"}',
        ...steady,
      });
      const rows = topOwnFunctions(fg, OWN_CODE, 5);
      const table = renderTopTable(rows, { total: fg.total, unit: "nanoseconds", title: CPU });
      console.log(table.replace(/^/gm, "      "));
      expect(rows[0]?.name, table).to.match(/\.computeHash$|MessageDigest\.getInstance$/);
    });

    it("has allocation and lock samples from the demo's own code", async () => {
      for (const [type, frame] of [
        [ALLOC, "com/shop/checkout/BatchProcessor.processBatch"],
        [LOCK, "com/shop/checkout/Inventory.reserveOne"],
      ] as const) {
        const fg = await client(tenant).selectMergeStacktraces({
          profileTypeId: type,
          labelSelector: '{service_name="checkout"}',
          ...range(),
        });
        expect(fg.total, type).to.be.greaterThan(0);
        expect(fg.names, type).to.include(frame);
      }
    });

    it("keeps the profiles in their tenant", async () => {
      expect(await client("someone-else").profileTypes(range())).to.deep.equal([]);
      expect(await client("someone-else").labelValues("service_name", range())).to.deep.equal([]);
      const err = await client()
        .profileTypes(range())
        .catch((e: unknown) => e);
      expect(err, "a query without tenant").to.include({ status: 401 });
    });
  });

  describe("wall-clock profiling", () => {
    it("yields the wall profile type when PYROSCOPE_PROFILER_EVENT=wall", async () => {
      const tenant = "team-wall";
      const app = await startJava({
        jar: artifacts.demoJar,
        env: agentEnv({
          PYROSCOPE_APPLICATION_NAME: "checkout-wall",
          PYROSCOPE_PROFILER_EVENT: "wall",
          PYROSCOPE_TENANT_ID: tenant,
        }),
      });
      try {
        await driveLoad(app.baseUrl, {
          paths: ["/hash?n=100", "/reserve?n=5"],
          durationMs: 4_000,
          maxRequests: 2_000,
        });
        const ids = await poll(
          "a wall profile",
          async () => {
            const ids = (await client(tenant).profileTypes(range())).map((t) => t.id);
            return ids.includes(WALL) ? ids : undefined;
          },
          30_000,
        );
        expect(ids).to.include(WALL);
        expect(await client(tenant).labelValues("service_name", range())).to.deep.equal([
          "checkout-wall",
        ]);
      } finally {
        await app.stop();
      }
    });
  });

  describe("a server the agent cannot use", () => {
    for (const [what, address] of [
      ["unreachable", "http://127.0.0.1:9"],
      ["not a URL", "not a url"],
    ] as const) {
      it(`leaves the JVM serving when the address is ${what}`, async () => {
        const app = await startJava({
          jar: artifacts.demoJar,
          env: agentEnv({
            PYROSCOPE_APPLICATION_NAME: "checkout-lost",
            PYROSCOPE_SERVER_ADDRESS: address,
            PYROSCOPE_UPLOAD_INTERVAL: "1s",
          }),
        });
        try {
          // Past a few failed uploads the service still answers.
          const load = await driveLoad(app.baseUrl, {
            paths: ["/hash?n=50", "/healthz"],
            durationMs: 3_500,
            maxRequests: 1_000,
          });
          expect(load.requests).to.be.greaterThan(0);
          expect(load.failures).to.equal(0);
          expect(app.exitCode()).to.equal(null);
          const res = await fetch(`${app.baseUrl}/healthz`);
          expect(res.status).to.equal(200);
        } finally {
          await app.stop();
        }
      });
    }
  });
});
