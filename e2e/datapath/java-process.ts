// Runs a Java service jar with an exact environment for tests: waits for /healthz, drives bounded load, stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { baseEnv, captureOutput, freePort, poll, stopGroup } from "./process.ts";

export interface StartJavaOptions {
  jar: string;
  /** Added to PATH/HOME/LANG/JAVA_HOME/TMPDIR; nothing else of the test's environment leaks in. */
  env: Record<string, string>;
  /** JVM options before -jar (JAVA_TOOL_OPTIONS belongs in env). */
  jvmArgs?: string[];
  args?: string[];
  healthPath?: string;
  startTimeoutMs?: number;
}

export interface JavaProcess {
  /** http://127.0.0.1:<port>; the port is passed to the service as PORT. */
  baseUrl: string;
  pid: number;
  logs(): string;
  /** Exit code, or null while it runs. */
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Starts `java [jvmArgs] -jar jar [args]` with PORT and BIND_ADDRESS=127.0.0.1 set to a free port. */
export async function startJava(opts: StartJavaOptions): Promise<JavaProcess> {
  const port = await freePort();
  const env = { ...baseEnv(), ...opts.env, PORT: String(port), BIND_ADDRESS: "127.0.0.1" };
  const child: ChildProcess = spawn(
    "java",
    [...(opts.jvmArgs ?? []), "-jar", opts.jar, ...(opts.args ?? [])],
    { env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs = captureOutput(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc: JavaProcess = {
    baseUrl,
    pid: child.pid ?? -1,
    logs,
    exitCode: () => child.exitCode,
    stop: () => stopGroup(child),
  };
  try {
    await poll(
      `${baseUrl}${opts.healthPath ?? "/healthz"}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`java exited with ${child.exitCode}`);
        const res = await fetch(`${baseUrl}${opts.healthPath ?? "/healthz"}`, {
          signal: AbortSignal.timeout(2_000),
        });
        return res.ok ? true : undefined;
      },
      opts.startTimeoutMs ?? 60_000,
      200,
    );
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n--- java output ---\n${logs()}`);
  }
  return proc;
}

export interface LoadOptions {
  /** Paths with query, requested round-robin, e.g. `/hash?n=200`. */
  paths: string[];
  /** Stop after this long... */
  durationMs: number;
  /** ...or after this many requests, whichever comes first. */
  maxRequests: number;
  concurrency?: number;
  /** How long one request may take (default 10 s). */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  failures: number;
  /** What went wrong with the first failed request. */
  firstFailure?: string;
  elapsedMs: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** The pod bridge of the local real node (hack/node.sh): on this machine only. */
const LOCAL_POD_NETWORK = /^10\.88\.77\.\d{1,3}$/;

/** Sends bounded load to a service on loopback or a local pod; refuses any other host. */
export async function driveLoad(baseUrl: string, opts: LoadOptions): Promise<LoadResult> {
  const host = new URL(baseUrl).hostname;
  if (!LOOPBACK.has(host) && !LOCAL_POD_NETWORK.test(host)) {
    throw new Error(`load is only sent to loopback or the local node's pods, not ${host}`);
  }
  if (opts.paths.length === 0) throw new Error("no paths to request");
  const started = Date.now();
  const deadline = started + opts.durationMs;
  let issued = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  const worker = async () => {
    while (Date.now() < deadline && issued < opts.maxRequests) {
      const path = opts.paths[issued % opts.paths.length]!;
      issued++;
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10_000),
        });
        await res.arrayBuffer();
        if (!res.ok) fail(`${path}: HTTP ${res.status}`);
      } catch (err) {
        fail(`${path}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 2 }, worker));
  return { requests: issued, failures, firstFailure, elapsedMs: Date.now() - started };
}
