// Runs a command of an unpacked image as a container runtime would, without one: own mount, PID
// and network namespaces, read-only root, tmpfs /tmp, bind mounts, the image's env, a uid and gid.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { captureOutput, poll, stopGroup } from "../datapath/process.ts";

const run = promisify(execFile);

export interface Bind {
  host: string;
  container: string;
  readOnly?: boolean;
}

export interface SandboxSpec {
  rootfs: string;
  argv: string[];
  /** "uid:gid" */
  user: string;
  /** KEY=VALUE, as in an image config. */
  env: string[];
  workingDir?: string;
  binds?: Bind[];
  /** Join this sandbox's network (as containers of one pod share it) instead of a new one. */
  network?: Sandbox;
}

export interface Sandbox {
  child: ChildProcess;
  logs(): string;
  /** Runs a host program (e.g. curl) inside the sandbox's network namespace. */
  inNetwork(argv: string[]): Promise<string>;
  stop(): Promise<void>;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function script(spec: SandboxSpec): string {
  const root = quote(spec.rootfs);
  const [uid, gid] = spec.user.split(":");
  const lines = [
    "set -eu",
    ...(spec.network ? [] : ["ip link set lo up"]),
    `mount --rbind /dev ${root}/dev`,
    ...(spec.binds ?? []).flatMap((b) => [
      `mkdir -p ${root}${quote(b.container)}`,
      `mount --bind ${quote(b.host)} ${root}${quote(b.container)}`,
      ...(b.readOnly ? [`mount -o remount,bind,ro ${root}${quote(b.container)}`] : []),
    ]),
    `mount --rbind ${root} ${root}`,
    `mount -o remount,bind,ro ${root}`,
    `mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs ${root}/tmp`,
    [
      "exec env -i",
      ...spec.env.map(quote),
      `unshare --root=${root} --wd=${quote(spec.workingDir || "/")}`,
      `--setuid=${uid} --setgid=${gid ?? uid} --`,
      ...spec.argv.map(quote),
    ].join(" "),
  ];
  return lines.join("\n");
}

/** The program and arguments: unshare, entered into another sandbox's network when asked. */
function command(spec: SandboxSpec): [string, string[]] {
  const pid = spec.network?.child.pid;
  if (spec.network && pid === undefined) throw new Error("the network's sandbox did not start");
  const own = unshareArgs(spec);
  return spec.network
    ? ["nsenter", [`--net=/proc/${pid}/ns/net`, "--", "unshare", ...own]]
    : ["unshare", own];
}

function unshareArgs(spec: SandboxSpec): string[] {
  return [
    "--mount",
    "--pid",
    ...(spec.network ? [] : ["--net"]),
    "--fork",
    "--kill-child",
    `--mount-proc=${spec.rootfs}/proc`,
    "bash",
    "-c",
    script(spec),
  ];
}

/** Runs to completion; resolves with the exit code and output (never rejects on a non-zero exit). */
export async function runToEnd(
  spec: SandboxSpec,
  timeoutMs = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const [cmd, args] = command(spec);
    const { stdout, stderr } = await run(cmd, args, {
      timeout: timeoutMs,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Starts a long-running process; stop() ends its process group and everything in its PID namespace. */
export function start(spec: SandboxSpec): Sandbox {
  const [cmd, args] = command(spec);
  const child = spawn(cmd, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = captureOutput(child);
  const inNetwork = async (argv: string[]) => {
    if (child.pid === undefined) throw new Error("sandbox did not start");
    const { stdout } = await run("nsenter", [`--net=/proc/${child.pid}/ns/net`, "--", ...argv], {
      timeout: 10_000,
    });
    return stdout;
  };
  return { child, logs, inNetwork, stop: () => stopGroup(child) };
}

/** Polls an HTTP path inside the sandbox's network until it answers 2xx. */
export async function waitHttp(sandbox: Sandbox, url: string, timeoutMs: number): Promise<string> {
  return poll(
    url,
    async () => {
      if (sandbox.child.exitCode !== null) {
        throw new Error(`exited with ${sandbox.child.exitCode}:\n${sandbox.logs()}`);
      }
      try {
        return await sandbox.inNetwork(["curl", "-fsS", "--max-time", "2", url]);
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    300,
  );
}
