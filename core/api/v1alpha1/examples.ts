// The example manifests and the error each invalid one expects, for the unit and the
// integration tests.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const examples = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples");

export interface Example {
  file: string;
  text: string;
  /** For invalid examples: a substring of the API server's error. */
  expect?: string;
}

export function loadExamples(kind: "policies" | "invalid"): Example[] {
  const dir = resolve(examples, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = readFileSync(resolve(dir, file), "utf8");
      const expect = /^# expect: (.+)$/.exec(text.split("\n")[0] ?? "")?.[1];
      return { file, text, ...(expect === undefined ? {} : { expect }) };
    });
}

/** The field path an expectation names, e.g. `spec.agent.profiles.lock`. */
export function fieldIn(expectation: string): string | undefined {
  return /spec(?:\.[A-Za-z0-9_-]+|\[[^\]]*\])*/.exec(expectation)?.[0];
}
