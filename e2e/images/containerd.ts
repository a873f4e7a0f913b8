// A throwaway containerd (own root, state and socket in a temp dir, CRI off) to check that the
// archives import under their names with the recorded digests, as the real node imports them.
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { captureOutput, poll, stopGroup } from "../datapath/process.ts";

const run = promisify(execFile);

export interface Containerd {
  /** `ctr -n k8s.io ARGS...` against this containerd. */
  ctr(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startContainerd(dir: string): Promise<Containerd> {
  const sock = join(dir, "containerd.sock");
  const config = join(dir, "config.toml");
  await writeFile(
    config,
    [
      "version = 2",
      `root = "${join(dir, "root")}"`,
      `state = "${join(dir, "state")}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${sock}"`,
      "",
    ].join("\n"),
  );
  const child = spawn("containerd", ["--config", config], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = captureOutput(child);
  const ctr = async (args: string[]) =>
    (
      await run("ctr", ["--address", sock, "-n", "k8s.io", ...args], {
        timeout: 300_000,
        maxBuffer: 1 << 24,
      })
    ).stdout;
  const stop = () => stopGroup(child);
  try {
    await poll("containerd", async () => ((await ctr(["version"])) ? true : undefined), 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs()}`);
  }
  return { ctr, stop };
}
