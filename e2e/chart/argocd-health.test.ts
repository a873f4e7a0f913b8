// Runs the Argo CD ProfilingPolicy health check (examples/argocd/health/health.lua) in a real Lua
// interpreter against every fixture of health_test.yaml; installs Debian's lua5.4 when missing.
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parse } from "yaml";
import { root } from "./helm.ts";

const run = promisify(execFile);
const healthDir = resolve(root, "examples/argocd/health");
const script = readFileSync(join(healthDir, "health.lua"), "utf8");

/** The lua5.4 binary: on PATH, else installed with apt-get (needs root), else the test fails. */
function lua(): string {
  const found = (cmd: string) => {
    try {
      return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const have = found("lua5.4");
  if (have) return have;
  if (process.getuid?.() !== 0) {
    throw new Error("lua5.4 is required: apt-get install -y lua5.4 (Debian/Ubuntu)");
  }
  process.stderr.write("  installing lua5.4 with apt-get...\n");
  execFileSync(
    "sh",
    ["-c", "apt-get install -y lua5.4 || (apt-get update && apt-get install -y lua5.4)"],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  return found("lua5.4");
}

/** A Lua literal of a JSON value, as Argo CD hands the live object to the script. */
function toLua(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `{${v.map(toLua).join(", ")}}`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `[${JSON.stringify(k)}] = ${toLua(x)}`)
    .join(", ")}}`;
}

interface Case {
  healthStatus: { status: string; message: string };
  inputPath: string;
}

/** Evaluates `source` with `obj` set like Argo CD does; returns the health it reports. */
async function health(bin: string, dir: string, source: string, obj: unknown) {
  const scriptFile = join(dir, "health.lua");
  await writeFile(scriptFile, source);
  const driver = join(dir, "driver.lua");
  await writeFile(
    driver,
    `obj = ${toLua(obj)}\nlocal hs = assert(loadfile(${JSON.stringify(scriptFile)}))()\n` +
      `io.write(hs.status, "\\n", hs.message or "")\n`,
  );
  const { stdout } = await run(bin, [driver]);
  const [status, ...message] = stdout.split("\n");
  return { status, message: message.join("\n") };
}

describe("Argo CD health check of ProfilingPolicy (Lua 5.4)", function () {
  this.timeout(120_000);
  const cases = (
    parse(readFileSync(join(healthDir, "health_test.yaml"), "utf8")) as { tests: Case[] }
  ).tests;
  let bin: string;
  let dir: string;
  before(async () => {
    bin = lua();
    dir = await mkdtemp(join(tmpdir(), "fleetscope-lua-"));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("has fixtures for Healthy, Progressing and Degraded", () => {
    expect(new Set(cases.map((c) => c.healthStatus.status))).to.deep.equal(
      new Set(["Healthy", "Progressing", "Degraded"]),
    );
  });

  for (const c of cases) {
    it(`${c.inputPath} is ${c.healthStatus.status}`, async () => {
      const obj = parse(readFileSync(join(healthDir, c.inputPath), "utf8"));
      expect(await health(bin, dir, script, obj)).to.deep.equal(c.healthStatus);
    });
  }

  it("catches a wrong script: one that reports Healthy whenever Ready is True fails fixtures", async () => {
    const naive = `local hs = { status = "Progressing", message = "" }
for _, c in ipairs((obj.status or {}).conditions or {}) do
  if c.type == "Ready" and c.status == "True" then hs.status = "Healthy"; hs.message = "Ready: " .. c.message end
end
return hs
`;
    let mismatches = 0;
    for (const c of cases) {
      const obj = parse(readFileSync(join(healthDir, c.inputPath), "utf8"));
      const got = await health(bin, dir, naive, obj);
      if (got.status !== c.healthStatus.status || got.message !== c.healthStatus.message)
        mismatches++;
    }
    expect(mismatches).to.be.greaterThan(2);
  });

  it("is the same script as the argocd-cm snippet", () => {
    const cm = parse(readFileSync(resolve(root, "examples/argocd/argocd-cm.yaml"), "utf8")) as {
      data: Record<string, string>;
    };
    expect(cm.data["resource.customizations.health.fleetscope.io_ProfilingPolicy"]).to.equal(
      script,
    );
  });
});
