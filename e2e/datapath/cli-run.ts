// Runs the CLI as a user does, `node cli/fleetscope.ts ...args`, with only the given variables set.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { repoRoot } from "./artifacts.ts";
import { baseEnv } from "./process.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function fleetscope(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(repoRoot, "cli/fleetscope.ts"), ...args],
      { env: { ...baseEnv(), ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
