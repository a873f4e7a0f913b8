// Starts a Pyroscope server on loopback for tests (the stand-in jar, or a real binary), waits for /ready, stops it.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildArtifacts } from "./artifacts.ts";
import { baseEnv, captureOutput, freePort, poll, stopGroup } from "./process.ts";
import {
  parseStorageMode,
  STORAGE_ENV,
  type StorageMode,
  serverArgs,
  serverConfig,
} from "./pyroscope-args.ts";

export interface PyroscopeServer {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Whether requests must carry X-Scope-OrgID. */
  multitenancy: boolean;
  /** The storage architecture a real server was started with. */
  storage: StorageMode;
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
  /** Storage architecture of a real server; defaults to $FLEETSCOPE_PYROSCOPE_STORAGE, else v1. */
  storage?: StorageMode;
}

// A real server needs 15-18 s in v1 mode on an idle machine; the machine is shared.
const READY_TIMEOUT_MS = 90_000;
// The real /ready can take several seconds to answer while its modules start.
const READY_REQUEST_TIMEOUT_MS = 10_000;

export async function startPyroscope(opts: StartPyroscopeOptions = {}): Promise<PyroscopeServer> {
  const multitenancy = opts.multitenancy ?? false;
  const binary = opts.binary ?? process.env.FLEETSCOPE_PYROSCOPE_BIN;
  const storage = opts.storage ?? parseStorageMode(process.env[STORAGE_ENV]);
  const dir = await mkdtemp(join(tmpdir(), "fleetscope-pyroscope-"));
  const [httpPort, grpcPort, memberlistPort, raftPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const configFile = join(dir, "config.yaml");
  await writeFile(
    configFile,
    `# written by e2e/datapath/pyroscope-server.ts\n${serverConfig(join(dir, "bucket"))}`,
  );
  const args = serverArgs({
    storage,
    multitenancy,
    configFile,
    dataDir: join(dir, "data"),
    httpPort,
    grpcPort,
    memberlistPort,
    raftPort,
  });
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
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await poll(
      `${baseUrl}/ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
        const res = await fetch(`${baseUrl}/ready`, {
          signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS),
        });
        return res.ok ? true : undefined;
      },
      opts.readyTimeoutMs ?? READY_TIMEOUT_MS,
      200,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${logs()}`);
  }
  return { baseUrl, multitenancy, storage, logs, stop };
}
