// Builds (or reuses from the cache) what the data-path tests run: agent jar, Pyroscope server, demo jar.
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Artifacts {
  /** The Pyroscope Java agent, named pyroscope.jar as in the injected pods. */
  agentJar: string;
  /** The Pyroscope-compatible server jar built from hack/pyroscope. */
  pyroscopeJar: string;
  /** The checkout demo service. */
  demoJar: string;
}

/** Runs a build script and returns the last line of its stdout (the artifact path). */
async function artifact(script: string): Promise<string> {
  try {
    const { stdout } = await run(resolve(repoRoot, script), [], { maxBuffer: 16 * 1024 * 1024 });
    const path = stdout.trim().split("\n").at(-1);
    if (!path) throw new Error("printed no path");
    return path;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${script}: ${e.stderr?.trim() || e.message}`);
  }
}

let cached: Promise<Artifacts> | undefined;

export function buildArtifacts(): Promise<Artifacts> {
  cached ??= (async () => {
    // One at a time: each is a Maven run and the machine has two cores.
    const agentJar = await artifact("hack/fetch-agent.sh");
    const pyroscopeJar = await artifact("hack/build-pyroscope.sh");
    const demoJar = await artifact("examples/demo-service/build.sh");
    return { agentJar, pyroscopeJar, demoJar };
  })();
  return cached;
}
