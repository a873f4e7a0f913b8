// Starts a Pyroscope server on loopback for tests (the stand-in jar, or a real binary), waits for /ready, stops it.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildArtifacts } from "./artifacts.ts";
import { baseEnv, captureOutput, freePort, poll, stopGroup } from "./process.ts";

export interface PyroscopeServer {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Whether requests must carry X-Scope-OrgID. */
  multitenancy: boolean;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartPyroscopeOptions {
  multitenancy?: boolean;
  readyTimeoutMs?: number;
  /**
   * A real `pyroscope` binary to run instead of the stand-in; defaults to $FLEETSCOPE_PYROSCOPE_BIN.
   * The stand-in accepts the same flags and ignores those it has no use for.
   */
  binary?: string;
}

export async function startPyroscope(opts: StartPyroscopeOptions = {}): Promise<PyroscopeServer> {
  const multitenancy = opts.multitenancy ?? false;
  const binary = opts.binary ?? process.env.FLEETSCOPE_PYROSCOPE_BIN;
  const dir = await mkdtemp(join(tmpdir(), "fleetscope-pyroscope-"));
  const [http, grpc, memberlist] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, "config.yaml");
  await writeFile(
    config,
    [
      "# written by e2e/datapath/pyroscope-server.ts",
      "storage:",
      "  backend: filesystem",
      "  filesystem:",
      `    dir: ${join(dir, "data")}`,
      "",
    ].join("\n"),
  );
  const args = [
    "-target=all",
    `-config.file=${config}`,
    "-server.http-listen-address=127.0.0.1",
    `-server.http-listen-port=${http}`,
    "-server.grpc-listen-address=127.0.0.1",
    `-server.grpc-listen-port=${grpc}`,
    "-memberlist.bind-addr=127.0.0.1",
    `-memberlist.bind-port=${memberlist}`,
    `-auth.multitenancy-enabled=${multitenancy}`,
  ];
  const [cmd, cmdArgs] = binary
    ? [binary, args]
    : ["java", ["-Xmx512m", "-jar", (await buildArtifacts()).pyroscopeJar, ...args]];
  const child = spawn(cmd, cmdArgs, {
    cwd: dir,
    env: baseEnv(),
    detached: true, // own process group, so stop() takes any children with it
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = captureOutput(child);
  const baseUrl = `http://127.0.0.1:${http}`;
  const stop = async () => {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await poll(
      `${baseUrl}/ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
        const res = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2_000) });
        return res.ok ? true : undefined;
      },
      opts.readyTimeoutMs ?? 60_000,
      200,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${logs()}`);
  }
  return { baseUrl, multitenancy, logs, stop };
}
