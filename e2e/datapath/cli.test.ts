// The CLI's profile commands (top, flamegraph, diff) as a user runs them, against real agent uploads.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { PyroscopeClient, type TimeRange } from "../../cli/pyroscope/query.ts";
import { type Artifacts, buildArtifacts } from "./artifacts.ts";
import { fleetscope } from "./cli-run.ts";
import { describeLoad, loadSteadyState } from "./hotspot.ts";
import { type JavaProcess, startJava } from "./java-process.ts";
import { type PyroscopeServer, startPyroscope } from "./pyroscope-server.ts";

const APP = "shop/checkout";
const TENANT = "shop-team";

/**
 * Checks that a document is well-formed XML as far as the renderer can go wrong: every element
 * closed in order, attributes quoted, only the five predefined or numeric entities, no stray `<`.
 */
function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  let roots = 0;
  let end = 0;
  for (const m of xml.matchAll(token)) {
    end = m.index + m[0].length;
    const [, closing, name, , selfClosing, text, stray] = m;
    if (stray) throw new Error(`stray < at ${m.index}: ${xml.slice(m.index, m.index + 60)}`);
    if (text !== undefined) {
      const bad = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.exec(text);
      if (bad) throw new Error(`bad entity at ${m.index + bad.index}`);
      if (stack.length === 0 && text.trim() !== "") throw new Error("text outside the root");
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at ${m.index}`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (end !== xml.length) throw new Error(`cannot read past ${end}: ${xml.slice(end, end + 60)}`);
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

/** The function column of the table rows of `top` (after the header line). */
function topFunctions(table: string): string[] {
  const lines = table.split("\n");
  const header = lines.findIndex((l) => /^\s*Self\s+Self%\s+Total\s+Total%\s+Function$/.test(l));
  expect(header, table).to.be.greaterThan(-1);
  return lines
    .slice(header + 1)
    .filter((l) => l.trim() !== "")
    .map(
      (l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .at(-1)!,
    );
}

describe("fleetscope top, flamegraph and diff against real profiles", function () {
  this.timeout(300_000);
  this.slow(60_000);

  let artifacts: Artifacts;
  let server: PyroscopeServer;
  let app: JavaProcess;
  let scratch: string;
  let started: number;
  /** After warm-up, holding STEADY_SAMPLES of CPU. */
  let steady: TimeRange;
  /** As long as `steady`, with no requests: the JVM idle after the load. */
  let idle: TimeRange;
  const topOfSteadyRange = () => [
    ...["top", "--app", APP],
    ...["--from", String(steady.start), "--to", String(steady.end)],
  ];

  before(async function () {
    this.timeout(900_000);
    artifacts = await buildArtifacts();
    server = await startPyroscope({ multitenancy: true });
    scratch = await mkdtemp(join(tmpdir(), "fleetscope-cli-"));
    started = Date.now();
    app = await startJava({
      jar: artifacts.demoJar,
      env: {
        JAVA_TOOL_OPTIONS: `-javaagent:${artifacts.agentJar} -Xmx256m`,
        PYROSCOPE_SERVER_ADDRESS: server.baseUrl,
        PYROSCOPE_UPLOAD_INTERVAL: "2s",
        PYROSCOPE_APPLICATION_NAME: APP,
        PYROSCOPE_TENANT_ID: TENANT,
      },
    });
    const load = await loadSteadyState({
      client: new PyroscopeClient({ baseUrl: server.baseUrl, tenantId: TENANT }),
      labelSelector: `{service_name="${APP}"}`,
      baseUrl: app.baseUrl,
      paths: ["/hash?n=2000", "/hash?n=2000", "/reserve?n=5"],
      concurrency: 3,
      jvmStarted: started,
    });
    console.log(`      load: ${describeLoad(load)}`);
    steady = load.steady.range;
    // The diff compares the loaded range with an idle one of the same length. The idle range
    // starts more than one upload interval after the last request, so no upload of the load
    // reaches into it, and is read once one more interval has brought its last upload.
    const length = steady.end - steady.start;
    await sleep(3_000);
    idle = { start: Date.now(), end: Date.now() + length };
    await sleep(length + 3_000);
  });

  after(async () => {
    await app?.stop();
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("top: computeHash is the first own row", async () => {
    const res = await fleetscope([
      ...topOfSteadyRange(),
      "--server",
      server.baseUrl,
      "--tenant",
      TENANT,
      "--limit",
      "10",
    ]);
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^shop\/checkout · cpu \(process_cpu:cpu:nanoseconds/);
    const own = topFunctions(res.stdout).filter((f) => f.startsWith("com/shop/"));
    expect(own[0], res.stdout).to.equal("com/shop/checkout/BatchProcessor.computeHash");
  });

  it("top --own narrows the table to own code", async () => {
    const res = await fleetscope([...topOfSteadyRange(), "--own", "com.shop"], {
      PYROSCOPE_URL: server.baseUrl,
      PYROSCOPE_TENANT_ID: TENANT,
    });
    expect(res.code, res.stderr).to.equal(0);
    const rows = topFunctions(res.stdout);
    expect(rows[0], res.stdout).to.equal("com/shop/checkout/BatchProcessor.computeHash");
    expect(
      rows.every((f) => f.startsWith("com/shop/")),
      res.stdout,
    ).to.equal(true);
  });

  it("flamegraph: a well-formed SVG and an HTML page holding computeHash", async () => {
    const svgPath = join(scratch, "flame.svg");
    const htmlPath = join(scratch, "flame.html");
    const env = { PYROSCOPE_URL: server.baseUrl, PYROSCOPE_TENANT_ID: TENANT };
    for (const out of [svgPath, htmlPath]) {
      const res = await fleetscope(
        ["flamegraph", "--app", APP, "--from", "now-10m", "--to", "now+1m", "-o", out],
        env,
      );
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.contain(`wrote ${out}`);
    }
    const svg = await readFile(svgPath, "utf8");
    checkWellFormed(svg);
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).to.contain('data-name="com/shop/checkout/BatchProcessor.computeHash"');
    expect(svg).to.match(/<title>com\/shop\/checkout\/BatchProcessor\.computeHash\ntotal /);
    const html = await readFile(htmlPath, "utf8");
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain("BatchProcessor.computeHash");
    checkWellFormed(/<svg[\s\S]*<\/svg>/.exec(html)![0]);
  });

  it("diff: computeHash grew from the idle range to the loaded one", async () => {
    const res = await fleetscope([
      "diff",
      "--app",
      APP,
      // Two ranges of the same length: the loaded one after warm-up, the idle one after the load.
      "--before",
      `${idle.start}..${idle.end}`,
      "--after",
      `${steady.start}..${steady.end}`,
      "--server",
      server.baseUrl,
      "--tenant",
      TENANT,
      "--own",
      "com.shop",
    ]);
    console.log(res.stdout.replace(/^/gm, "      "));
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.split("\n");
    const grew = lines.slice(lines.indexOf("Grew:"), lines.indexOf("Shrank:"));
    const row = grew.find((l) => l.endsWith("com/shop/checkout/BatchProcessor.computeHash"));
    expect(row, res.stdout).to.be.a("string");
    const [before, after, delta, change] = row!.trim().split(/\s{2,}/);
    expect(before, row).to.equal("0 ns");
    expect(after, row).to.match(/^\d+(\.\d+)? (ms|s)$/);
    expect(delta, row).to.match(/^\+/);
    expect(change, row).to.equal("new");
    expect(res.stdout).not.to.contain("scaled");
    // Being the hotspot, it grew the most.
    expect(grew[2], res.stdout).to.equal(row);
  });

  it("points at kubectl port-forward when the server is a cluster address", async () => {
    const res = await fleetscope([
      "top",
      "--app",
      APP,
      "--server",
      "http://pyroscope-query-frontend.observability.svc:4040",
    ]);
    expect(res.code).to.equal(1);
    expect(res.stderr).to.contain("cannot reach the Pyroscope server");
    expect(res.stderr).to.contain(
      "kubectl -n observability port-forward svc/pyroscope-query-frontend 4040:4040",
    );
  });

  it("names the applications it has when the one asked for has no profiles", async () => {
    const res = await fleetscope([
      "top",
      "--app",
      "shop/checkuot",
      "--server",
      server.baseUrl,
      "--tenant",
      TENANT,
    ]);
    expect(res.code).to.equal(3);
    expect(res.stdout).to.contain("applications with profiles in this range: shop/checkout");
  });
});
