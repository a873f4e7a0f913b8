// Test fixtures of coverage: multi-document YAML as the operator's caches would hold it.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { NamespaceLike } from "../../core/match/policies.ts";
import type { CoveragePolicy } from "./classify.ts";
import { podMeta } from "./pod-meta.ts";
import type { PodMeta } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));

export interface Fixture {
  namespaces: NamespaceLike[];
  policies: CoveragePolicy[];
  pods: PodMeta[];
}

export function loadFixture(file: string): Fixture {
  const text = readFileSync(resolve(here, "fixtures", file), "utf8");
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  return {
    namespaces: of("Namespace") as NamespaceLike[],
    policies: of("ProfilingPolicy") as unknown as CoveragePolicy[],
    pods: [...of("PartialObjectMetadata"), ...of("Pod")].map((d) => podMeta(d as never)),
  };
}

interface Doc {
  kind?: string;
  [k: string]: unknown;
}
